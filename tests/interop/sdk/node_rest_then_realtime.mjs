// The official Node SDK (@soniox/node 2.3.0): `client.models.list()` (fetch), then a realtime
// session (WebSocket, key in the start message) with 1 s of PCM and `finish()`. Both are
// undici's, so the upgrade may go over the fetch's kept-alive connection.
//
// Usage: node [--experimental-websocket] node_rest_then_realtime.mjs BASE_URL WS_URL API_KEY
// Prints one JSON object of observations.
import { SonioxNodeClient } from "@soniox/node";
import { SPECIAL, emit, errorInfo, eventLoopTurns, pcm, within } from "./sdkutil.mjs";

const [base, wsUrl, key] = process.argv.slice(2);
const obs = { models: null, connected: false, finished: false, results: [], errors: [], thrown: null, state: null };
try {
  const client = new SonioxNodeClient({ api_key: key, base_url: base, realtime: { ws_base_url: wsUrl } });
  const models = await client.models.list();
  obs.models = (models.models ?? models).length;
  await eventLoopTurns(3);
  const session = client.realtime.stt({ model: "stt-rt-v5", audio_format: "pcm_s16le", sample_rate: 16000, num_channels: 1 });
  session.on("result", (r) => {
    if (obs.results.length < 200) obs.results.push(r);
  });
  session.on("finished", () => (obs.finished = true));
  session.on("error", (e) => obs.errors.push(errorInfo(e)));
  await session.connect();
  obs.connected = true;
  const audio = pcm(1.0);
  for (let off = 0; off < audio.length; off += 8000) session.sendAudio(audio.subarray(off, off + 8000));
  await within(session.finish(), 30000, "finish()");
  obs.state = session.state;
} catch (e) {
  obs.thrown = errorInfo(e);
}
const finals = obs.results.flatMap((r) => r.tokens).filter((t) => t.is_final && !SPECIAL.has(t.text));
obs.final_text = finals.map((t) => t.text).join("");
const last = obs.results.at(-1);
obs.last = last ? { final_audio_proc_ms: last.final_audio_proc_ms, total_audio_proc_ms: last.total_audio_proc_ms, finished: last.finished } : null;
obs.results = obs.results.length;
emit(obs);
