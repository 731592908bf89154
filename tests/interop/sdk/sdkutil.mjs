// Helpers shared by the official-SDK Node scripts (no SDK code is changed or patched).

export const SPECIAL = new Set(["<fin>", "<end>"]);

/** A sine as 16-bit little-endian mono PCM, `seconds` long at 16 kHz. */
export function pcm(seconds, rate = 16000, hz = 440) {
  const n = Math.round(seconds * rate);
  const audio = new Uint8Array(2 * n);
  const view = new DataView(audio.buffer);
  for (let i = 0; i < n; i++) view.setInt16(2 * i, Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)), true);
  return audio;
}

/** An error as a plain object: class name, code, status, message, raw server message. */
export function errorInfo(e) {
  if (!(e instanceof Error)) return { name: typeof e, message: String(e) };
  return { name: e.constructor?.name ?? e.name, code: e.code ?? null, statusCode: e.statusCode ?? null, message: e.message, raw: e.raw ?? null };
}

/** `promise`, or a rejection after `ms` (every wait of these scripts is bounded). */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout: ${what} not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** undici returns a kept-alive connection to its pool only after the response's end has been
 * processed: a few event-loop turns let the next request (or upgrade) reuse it. */
export async function eventLoopTurns(n = 3) {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

export function emit(obs) {
  console.log(JSON.stringify(obs));
}
