//! The command line: `soniox [--mock] [--json] <command> ...` (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Soniox speech-to-text from the command line: batch transcription, live streaming and
/// text to speech and housekeeping. Uses SONIOX_API_KEY (and SONIOX_API_BASE_URL / SONIOX_WS_URL /
/// SONIOX_TTS_API_URL when set),
/// or the embedded mock server with --mock.
#[derive(Debug, Parser)]
#[command(name = "soniox", version)]
pub(crate) struct Cli {
    /// Run against the embedded mock Soniox server instead of the API (no key needed).
    #[arg(long, global = true)]
    pub(crate) mock: bool,
    /// Machine-readable JSON on standard output.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Upload, transcribe and fetch the transcript of each file (several at once).
    Transcribe(TranscribeArgs),
    /// Stream a file or standard input through the realtime API, printing the transcript as it grows.
    Stream(StreamArgs),
    /// Uploaded files: list, delete.
    #[command(subcommand)]
    Files(ListDelete),
    /// Transcription jobs: list, delete.
    #[command(subcommand)]
    Jobs(ListDelete),
    /// The available models (speech-to-text; --tts: text-to-speech).
    Models(ModelsArgs),
    /// Voices: --shared lists a text-to-speech model's built-in voices, filtered.
    Voices(VoicesArgs),
    /// Mint a temporary API key (for a browser or device to open a realtime stream).
    Key(KeyArgs),
    /// Text to speech: say TEXT (or a file's text, or standard input's) into a file or
    /// standard output, as the audio arrives.
    Speak(SpeakArgs),
}

/// Output format of `transcribe`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Plain text (one paragraph per speaker turn with --diarize).
    Text,
    /// The transcript with every token, as JSON.
    Json,
    /// SubRip subtitles.
    Srt,
    /// WebVTT subtitles.
    Vtt,
}

impl Format {
    /// The file extension of outputs in this format.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Srt => "srt",
            Format::Vtt => "vtt",
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct TranscribeArgs {
    /// Audio files to transcribe.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// The async model.
    #[arg(long, default_value = soniox::types::DEFAULT_ASYNC_MODEL)]
    pub(crate) model: String,
    /// Language hint (ISO-639-1); repeat it or separate codes with commas.
    #[arg(long = "language", value_name = "xx", value_delimiter = ',')]
    pub(crate) languages: Vec<String>,
    /// Speaker labels (diarization).
    #[arg(long)]
    pub(crate) diarize: bool,
    /// Per-token language identification.
    #[arg(long)]
    pub(crate) identify_language: bool,
    /// Context to improve recognition: text, or @FILE to read it from a file.
    #[arg(long, value_name = "TEXT|@FILE")]
    pub(crate) context: Option<String>,
    /// Translate into this language (subtitles and text show the translation).
    #[arg(long, value_name = "xx")]
    pub(crate) translate_to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Write DIR/<name>.<ext> per file instead of printing to standard output.
    #[arg(long, value_name = "DIR")]
    pub(crate) output: Option<PathBuf>,
    /// Files processed at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) concurrency: u16,
    /// Keep the uploaded files and the jobs (default: delete them, also on errors and Ctrl-C).
    #[arg(long)]
    pub(crate) keep: bool,
    /// Give up waiting for a job after this many seconds.
    #[arg(long, default_value_t = 3600, value_name = "SECS")]
    pub(crate) timeout: u64,
}

#[derive(Debug, Args)]
pub(crate) struct StreamArgs {
    /// The audio: a file, or `-` for standard input.
    #[arg(default_value = "-", value_name = "FILE|-")]
    pub(crate) input: String,
    /// Audio format: `auto` (a container such as WAV, detected by the service) or a raw
    /// encoding such as pcm_s16le (then give --rate and --channels).
    #[arg(long, default_value = "auto")]
    pub(crate) format: String,
    /// Sample rate of raw audio.
    #[arg(long, default_value_t = 16_000)]
    pub(crate) rate: u32,
    /// Channels of raw audio.
    #[arg(long, default_value_t = 1)]
    pub(crate) channels: u32,
    /// Send at real-time speed (WAV or raw audio), like a live source.
    #[arg(long)]
    pub(crate) realtime: bool,
    /// The realtime model.
    #[arg(long, default_value = soniox::types::DEFAULT_REALTIME_MODEL)]
    pub(crate) model: String,
    /// Language hint (ISO-639-1); repeat it or separate codes with commas.
    #[arg(long = "language", value_name = "xx", value_delimiter = ',')]
    pub(crate) languages: Vec<String>,
    /// Speaker labels (diarization).
    #[arg(long)]
    pub(crate) diarize: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ListDelete {
    /// List them all (every page).
    List,
    /// Delete the given ids, or every one with --all.
    Delete(DeleteArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DeleteArgs {
    /// Ids to delete.
    #[arg(value_name = "ID", required_unless_present = "all", conflicts_with = "all")]
    pub(crate) ids: Vec<String>,
    /// Delete every one.
    #[arg(long)]
    pub(crate) all: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ModelsArgs {
    /// The text-to-speech models (with their languages and voices) instead.
    #[arg(long)]
    pub(crate) tts: bool,
}

#[derive(Debug, Args)]
pub(crate) struct VoicesArgs {
    /// The built-in (shared) voices of a text-to-speech model (listing cloned voices is not
    /// supported yet).
    #[arg(long, required = true)]
    pub(crate) shared: bool,
    /// The text-to-speech model.
    #[arg(long, default_value = "tts-rt-v2")]
    pub(crate) model: String,
    /// Only voices of this gender: male, female or neutral.
    #[arg(long)]
    pub(crate) gender: Option<String>,
    /// Only voices of this age: young, middle_aged or old.
    #[arg(long)]
    pub(crate) age: Option<String>,
    /// Only voices with this accent (e.g. british).
    #[arg(long)]
    pub(crate) accent: Option<String>,
    /// Only voices tagged with this use case; repeat it or separate with commas (all must match).
    #[arg(long = "use-case", value_delimiter = ',')]
    pub(crate) use_cases: Vec<String>,
    /// Only voices tagged with this style; repeat it or separate with commas (all must match).
    #[arg(long = "style", value_delimiter = ',')]
    pub(crate) styles: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct SpeakArgs {
    /// The text to say; `@FILE` reads it from a file, `-` (or nothing) from standard input.
    pub(crate) text: Option<String>,
    /// The voice (see `soniox voices --shared`).
    #[arg(long, default_value = "Adrian")]
    pub(crate) voice: String,
    /// The text-to-speech model.
    #[arg(long, default_value = soniox::types::DEFAULT_TTS_MODEL)]
    pub(crate) model: String,
    /// The language of the text.
    #[arg(long, default_value = "en")]
    pub(crate) language: String,
    /// The audio format: wav, mp3, pcm_s16le, pcm_f32le, pcm_mulaw, pcm_alaw, aac, opus or flac.
    #[arg(long, default_value = "wav")]
    pub(crate) format: String,
    /// Samples per second (the format's default when not given).
    #[arg(long)]
    pub(crate) sample_rate: Option<u32>,
    /// Speaking rate, 0.7 to 1.3.
    #[arg(long)]
    pub(crate) speed: Option<f64>,
    /// Where the audio goes (`-`: standard output). A failed run leaves no file.
    #[arg(short, long, default_value = "-")]
    pub(crate) output: String,
}

#[derive(Debug, Args)]
pub(crate) struct KeyArgs {
    /// A temporary key for the realtime WebSocket (the only kind the API mints).
    #[arg(long, required = true)]
    pub(crate) temporary: bool,
    /// Lifetime in seconds (1..=3600).
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub(crate) expires: u32,
}
