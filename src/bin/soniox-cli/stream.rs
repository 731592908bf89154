//! `soniox stream`: a file or standard input through the realtime API, the transcript
//! printed as it grows. On a terminal the current line is redrawn in place (final text,
//! then the non-final tail dimmed); otherwise each line is printed once final. An
//! endpoint (`<end>`) ends a line.

use std::fs::File;
use std::io::{IsTerminal, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;
use soniox::audio::parse_wav_header;
use soniox::blocking::{AudioSender, Client, Pace, RealtimeEvent, RealtimeTranscript};
use soniox::types::{AudioFormat, RawEncoding, RealtimeConfig};
use soniox::Error;

use crate::args::StreamArgs;
use crate::errors::CliError;
use crate::Interrupt;

/// Longest part of the current line redrawn in place (longer lines would wrap).
const MAX_SHOWN: usize = 100;
/// Bytes read to find a WAV header.
const HEAD: usize = 4096;

/// The raw encodings `--format` accepts, by wire name.
const RAW: [RawEncoding; 20] = {
    use RawEncoding::*;
    [
        PcmS8, PcmS16le, PcmS16be, PcmS24le, PcmS24be, PcmS32le, PcmS32be, PcmU8, PcmU16le, PcmU16be, PcmU24le,
        PcmU24be, PcmU32le, PcmU32be, PcmF32le, PcmF32be, PcmF64le, PcmF64be, Mulaw, Alaw,
    ]
};

fn audio_format(args: &StreamArgs) -> Result<AudioFormat, CliError> {
    if args.format == "auto" {
        return Ok(AudioFormat::Auto);
    }
    let encoding = RAW.iter().find(|e| e.as_str() == args.format).ok_or_else(|| {
        let names: Vec<&str> = RAW.iter().map(|e| e.as_str()).collect();
        CliError::Usage(format!("--format: expected auto or one of {}", names.join(", ")))
    })?;
    if args.rate == 0 || args.channels == 0 {
        return Err(CliError::Usage("--rate and --channels must be above zero".into()));
    }
    Ok(AudioFormat::raw(*encoding, args.rate, args.channels))
}

/// Reads until `buf` is full or the input ends; the bytes read.
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

pub(crate) fn run(client: &Client, args: &StreamArgs, json: bool, interrupt: &Interrupt) -> Result<(), CliError> {
    let format = audio_format(args)?;
    let (name, mut input): (String, Box<dyn Read + Send>) = if args.input == "-" {
        ("standard input".into(), Box::new(std::io::stdin()))
    } else {
        let f = File::open(&args.input).map_err(|e| CliError::Usage(format!("cannot read {}: {e}", args.input)))?;
        (args.input.clone(), Box::new(f))
    };
    let mut head = vec![0u8; HEAD];
    let n = fill(&mut input, &mut head).map_err(|e| CliError::Usage(format!("cannot read {name}: {e}")))?;
    head.truncate(n);
    if n == 0 {
        return Err(CliError::Usage(format!("no audio: {name} is empty")));
    }
    let pace = match (args.realtime, format.bytes_per_second()) {
        (false, _) => Pace::AsFastAsPossible,
        (true, Some(bps)) => Pace::RealTime { bytes_per_second: bps },
        (true, None) => match parse_wav_header(&head) {
            Some(info) => Pace::real_time(info.spec),
            None => {
                return Err(CliError::Usage(
                    "--realtime needs WAV input, or raw audio described by --format, --rate and --channels".into(),
                ))
            }
        },
    };
    let chunk = match pace {
        Pace::RealTime { bytes_per_second } => (bytes_per_second / 10).clamp(256, 65_536) as usize, // 100 ms
        _ => 8_192,
    };

    let mut config = RealtimeConfig::new(&args.model)
        .audio_format(format)
        .endpoint_detection(true);
    if !args.languages.is_empty() {
        config = config.language_hints(&args.languages);
    }
    if args.diarize {
        config = config.diarization(true);
    }
    let mut stream = client
        .realtime()
        .connect(config)
        .map_err(CliError::sdk("opening the realtime stream"))?;
    let sender = stream.sender();
    let cancel = interrupt.flag();
    let feeder = {
        let sender = sender.clone();
        let reader = std::io::Cursor::new(head).chain(input);
        thread::spawn(move || feed(&sender, reader, chunk, pace, &cancel))
    };

    let live = !json && std::io::stdout().is_terminal();
    let mut printer = Printer::new(live);
    let mut finishing = false;
    loop {
        let event = match stream.recv_timeout(Duration::from_millis(200)) {
            None => break,
            Some(Err(Error::Timeout(_))) => {
                if interrupt.is_set() && !finishing {
                    // Ctrl-C: end the audio now; the transcript so far still arrives.
                    finishing = true;
                    let _ = sender.finish();
                }
                continue;
            }
            Some(Err(e)) => {
                printer.abandon();
                return Err(CliError::sdk("realtime stream")(e));
            }
            Some(Ok(event)) => event,
        };
        if !json {
            printer
                .event(&event, stream.transcript())
                .map_err(CliError::io("writing to standard output"))?;
        }
        if event == RealtimeEvent::Finished {
            break;
        }
    }
    if interrupt.is_set() {
        return Err(CliError::Interrupted);
    }
    let sent = match feeder.join() {
        Ok(r) => r.map_err(CliError::sdk(format!("sending {name}")))?,
        Err(_) => return Err(CliError::Usage("the audio feeder thread failed".into())),
    };
    let t = stream.transcript();
    if json {
        let v = json!({"text": t.final_text(), "tokens": t.final_tokens(), "audio_bytes": sent});
        println!("{v:#}");
    }
    let stats = stream.stats();
    eprintln!(
        "{sent} bytes of audio in {} frames, {} messages",
        stats.audio_frames_sent, stats.messages_received
    );
    Ok(())
}

/// Sends the input in `chunk`-byte frames at `pace`, then ends the audio. Stops early
/// (and ends the audio) on Ctrl-C.
fn feed(
    sender: &AudioSender,
    mut reader: impl Read,
    chunk: usize,
    pace: Pace,
    cancel: &Arc<AtomicBool>,
) -> soniox::Result<u64> {
    let start = Instant::now();
    let mut buf = vec![0u8; chunk];
    let mut sent = 0u64;
    loop {
        let n = fill(&mut reader, &mut buf).map_err(|source| Error::Io { path: None, source })?;
        if n == 0 || cancel.load(Ordering::SeqCst) {
            break;
        }
        if let Some(due) = pace.due(start, sent) {
            // Sleep in slices so Ctrl-C is noticed.
            while Instant::now() < due && !cancel.load(Ordering::SeqCst) {
                thread::sleep(
                    due.saturating_duration_since(Instant::now())
                        .min(Duration::from_millis(50)),
                );
            }
        }
        sender.send_audio(&buf[..n])?;
        sent += n as u64;
    }
    sender.finish()?;
    Ok(sent)
}

/// Prints the growing transcript.
struct Printer {
    live: bool,
    /// Where the current line starts in the final text.
    line_start: usize,
    out: std::io::Stdout,
}

impl Printer {
    fn new(live: bool) -> Printer {
        Printer {
            live,
            line_start: 0,
            out: std::io::stdout(),
        }
    }

    fn event(&mut self, event: &RealtimeEvent, t: &RealtimeTranscript) -> std::io::Result<()> {
        let mut out = self.out.lock();
        let finals = t.final_text().get(self.line_start..).unwrap_or("");
        match event {
            RealtimeEvent::Result(_) if self.live => {
                let tail = t.non_final_text();
                let line = format!("{finals}{tail}");
                let shown = last_chars(line.trim_start(), MAX_SHOWN);
                let (steady, pending) = shown.split_at(shown.len().saturating_sub(tail.len()));
                write!(out, "\r\x1b[K{steady}\x1b[2m{pending}\x1b[0m")?;
                out.flush()
            }
            RealtimeEvent::Endpoint | RealtimeEvent::Finished => {
                if self.live {
                    write!(out, "\r\x1b[K")?;
                }
                let text = finals.trim();
                if !text.is_empty() {
                    writeln!(out, "{text}")?;
                }
                self.line_start = t.final_text().len();
                out.flush()
            }
            _ => Ok(()),
        }
    }

    /// Ends a half-drawn line before an error message.
    fn abandon(&mut self) {
        if self.live {
            let _ = writeln!(self.out.lock());
        }
    }
}

/// The last `max` characters of `s`.
fn last_chars(s: &str, max: usize) -> &str {
    let skip = s.chars().count().saturating_sub(max);
    s.char_indices().nth(skip).map_or("", |(i, _)| &s[i..])
}
