// The official Node SDK (@soniox/node 2.3.0) with a wrong key, ROUNDS times. It sends the key
// in the start message (`api_key`) right after the WebSocket opens, then the audio: the
// refusal is in band, an error message (401) then a close, which the SDK should surface as
// its AuthError (from `finish()` and as an `error` event), not as a connection failure.
//
// Usage: node [--experimental-websocket] node_bad_key.mjs BASE_URL WS_URL KEY ROUNDS
// Prints one JSON object of observations.
import { SonioxNodeClient } from "@soniox/node";
import { emit, errorInfo, pcm, within } from "./sdkutil.mjs";

const [base, wsUrl, key, rounds] = process.argv.slice(2);
const client = new SonioxNodeClient({ api_key: key, base_url: base, realtime: { ws_base_url: wsUrl } });
const audio = pcm(1.0);
const obs = { rounds: [] };
for (let i = 0; i < Number(rounds); i++) {
  const round = { connected: false, finish_resolved: false, thrown: null, errors: [], state: null };
  const session = client.realtime.stt({ model: "stt-rt-v5", audio_format: "pcm_s16le", sample_rate: 16000, num_channels: 1 });
  session.on("error", (e) => round.errors.push(errorInfo(e)));
  try {
    await session.connect();
    round.connected = true;
    for (let off = 0; off < audio.length; off += 8000) session.sendAudio(audio.subarray(off, off + 8000));
    await within(session.finish(), 30000, "finish()");
    round.finish_resolved = true;
  } catch (e) {
    round.thrown = errorInfo(e);
  }
  round.state = session.state;
  obs.rounds.push(round);
}
emit(obs);
