// The official Node SDK (@soniox/node 2.3.0) through the REST lifecycle: upload of a WAV file,
// a transcription created and waited for, its transcript, the job and the file deleted; the
// listings afterwards.
//
// Usage: node [--experimental-websocket] node_rest.mjs BASE_URL API_KEY WAV_PATH
// Prints one JSON object of observations.
import { readFile } from "node:fs/promises";
import { SonioxNodeClient } from "@soniox/node";
import { emit, errorInfo } from "./sdkutil.mjs";

const [base, key, wavPath] = process.argv.slice(2);
const obs = { step: null, thrown: null };
try {
  const client = new SonioxNodeClient({ api_key: key, base_url: base });
  obs.step = "upload";
  const file = await client.files.upload(await readFile(wavPath), { filename: "interop.wav" });
  obs.file = { id: file.id, filename: file.filename, size: file.size };
  obs.step = "create";
  const created = await client.stt.create({ model: "stt-async-v5", file_id: file.id });
  obs.created = { id: created.id, status: created.status, file_id: created.file_id };
  obs.step = "wait";
  const done = await created.wait({ interval_ms: 1000, timeout_ms: 30000 });
  obs.waited = { status: done.status, audio_duration_ms: done.audio_duration_ms, error_type: done.error_type ?? null };
  obs.step = "transcript";
  const transcript = await done.getTranscript();
  obs.transcript = transcript ? { id: transcript.id, text: transcript.text, tokens: transcript.tokens.length } : null;
  obs.step = "delete_job";
  await done.delete();
  obs.step = "delete_file";
  await file.delete();
  obs.step = "list";
  obs.files_after = (await client.files.list()).files.length;
  obs.transcriptions_after = (await client.stt.list()).transcriptions.length;
  obs.step = "done";
} catch (e) {
  obs.thrown = errorInfo(e);
}
emit(obs);
