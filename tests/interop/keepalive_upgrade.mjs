// Case 5: Node's built-in fetch, then its built-in WebSocket (both undici) to the same origin,
// so undici may send the upgrade over the kept-alive connection of the fetch. The key goes in
// the start message's `api_key`, as browsers and the official Node SDK do.
//
// Usage: node [--experimental-websocket] keepalive_upgrade.mjs BASE_URL WS_URL API_KEY
// Prints one JSON object of observations.
const [base, wsUrl, key] = process.argv.slice(2);
const obs = { models_status: null, models_count: null, opened: false, messages: [], errors: [], close: null };

const res = await fetch(base + "/v1/models", { headers: { Authorization: "Bearer " + key } });
obs.models_status = res.status;
const body = await res.json(); // read fully, so the connection goes back to the pool
obs.models_count = Array.isArray(body.models) ? body.models.length : null;
// undici returns the connection to its pool only after the body's end has been processed:
// without a turn of the event loop here, `new WebSocket` dials a second connection.
for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));

const start = { api_key: key, model: "stt-rt-v5", audio_format: "pcm_s16le", sample_rate: 16000, num_channels: 1 };
const audio = new Uint8Array(32000); // 1 s of 16 kHz 16-bit mono PCM: a sine
const view = new DataView(audio.buffer);
for (let i = 0; i < 16000; i++) view.setInt16(2 * i, Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16000)), true);

await new Promise((resolve) => {
  const done = () => {
    clearTimeout(timer);
    resolve();
  };
  const timer = setTimeout(() => {
    obs.errors.push("timeout: no close within 30 s");
    done();
  }, 30000);
  const ws = new WebSocket(wsUrl);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => {
    obs.opened = true;
    ws.send(JSON.stringify(start));
    for (let off = 0; off < audio.length; off += 8000) ws.send(audio.subarray(off, off + 8000));
    ws.send(""); // end of audio
  };
  ws.onmessage = (e) => {
    if (obs.messages.length < 200) obs.messages.push(JSON.parse(String(e.data)));
  };
  ws.onerror = (e) => {
    obs.errors.push(String(e.message ?? e.error ?? e.type));
    if (!obs.opened) done(); // a refused upgrade: Node 20's undici fires no close event then
  };
  ws.onclose = (e) => {
    obs.close = { code: e.code, clean: e.wasClean, reason: e.reason };
    done();
  };
});
obs.finished = obs.messages.some((m) => m.finished === true);
console.log(JSON.stringify(obs));
