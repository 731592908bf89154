//! `soniox-mock`: the mock Soniox server on a port, until killed.
//!
//! ```text
//! soniox-mock --port 8888 [--host 127.0.0.1] [--api-key KEY]... [--rpm N]
//!             [--job-timing immediate|polls:Q,P|ms:Q,P] [--max-pending N]
//!             [--max-upload-bytes N] [--tts-audio MS_PER_CHAR,MAX_MS] [--seed N]
//!             [--ws-idle-timeout SECS] [--max-streams N]
//!             [--ws-bad-header-key refuse|in-band] [--tls [--ca-out PATH]]
//! ```
//!
//! `--ws-bad-header-key in-band` opens the socket for a bad key offered with the realtime
//! upgrade and sends the `401` message after the start message, instead of refusing the
//! upgrade with HTTP `401` (the default).
//!
//! REST is served under `http://HOST:PORT/v1/...`, the realtime WebSocket at
//! `ws://HOST:PORT/transcribe-websocket`.
//!
//! `--tls` serves https and wss instead, with a CA and a leaf certificate (for `localhost`
//! and `127.0.0.1`) made at start; `--ca-out PATH` writes the CA's PEM to PATH for clients
//! to trust (`curl --cacert PATH`, `SONIOX_CA_FILE=PATH`). Without it the PEM goes to stdout.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use soniox::mock::{JobTiming, MockConfig, MockServer, MockTls};

const USAGE: &str = "usage: soniox-mock --port N [--host 127.0.0.1] [--api-key KEY]... [--rpm N] \
[--job-timing immediate|polls:Q,P|ms:Q,P] [--max-pending N] [--max-upload-bytes N] \
[--tts-audio MS_PER_CHAR,MAX_MS] [--seed N] \
[--ws-idle-timeout SECS] [--max-streams N] [--ws-bad-header-key refuse|in-band] \
[--tls [--ca-out PATH]]";

fn main() -> ExitCode {
    let config = match parse(std::env::args().skip(1)) {
        Ok(Some(c)) => c,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("soniox-mock: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let addr = config.addr;
    let ca_out = config.ca_out.clone();
    let server = match MockServer::start_with(config.config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("soniox-mock: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("soniox-mock listening on {}", server.base_url());
    println!("soniox-mock realtime on {}", server.ws_url());
    println!("soniox-mock text-to-speech on {}", server.tts_url());
    if server.is_tls() {
        match &ca_out {
            Some(path) => match std::fs::write(path, server.ca_pem()) {
                Ok(()) => println!("soniox-mock CA certificate written to {}", path.display()),
                Err(e) => {
                    eprintln!(
                        "soniox-mock: cannot write the CA certificate to {}: {e}",
                        path.display()
                    );
                    return ExitCode::FAILURE;
                }
            },
            None => print!("soniox-mock CA certificate:\n{}", server.ca_pem()),
        }
    }
    eprintln!("soniox-mock: api key {}", server.api_key());
    loop {
        std::thread::park();
    }
}

/// The parsed command line: the server's configuration and where to write the CA.
struct Options {
    config: MockConfig,
    ca_out: Option<PathBuf>,
}

impl std::ops::Deref for Options {
    type Target = MockConfig;
    fn deref(&self) -> &MockConfig {
        &self.config
    }
}

/// Parses the arguments; `Ok(None)` for `--help`.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut config = MockConfig::default();
    let mut ca_out = None;
    let mut host: IpAddr = [127, 0, 0, 1].into();
    let mut port: Option<u16> = None;
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => port = Some(number(&flag, &value()?)?),
            "--host" => host = value()?.parse().map_err(|e| format!("--host: {e}"))?,
            "--api-key" => config = config.api_key(value()?),
            "--rpm" => config = config.requests_per_minute(number::<u32>(&flag, &value()?)?),
            "--job-timing" => config = config.job_timing(timing(&value()?)?),
            "--max-pending" => config = config.max_pending_jobs(number(&flag, &value()?)?),
            "--max-upload-bytes" => config = config.max_upload_bytes(number(&flag, &value()?)?),
            "--tts-audio" => {
                let v = value()?;
                let (per_char, max) = v
                    .split_once(',')
                    .ok_or_else(|| format!("--tts-audio: expected MS_PER_CHAR,MAX_MS, got {v:?}"))?;
                let ms = |s: &str| number::<u64>("--tts-audio", s).map(std::time::Duration::from_millis);
                config = config.tts_audio(ms(per_char)?, ms(max)?);
            }
            "--seed" => config = config.seed(number(&flag, &value()?)?),
            "--ws-idle-timeout" => config = config.ws_idle_timeout(seconds(&flag, &value()?)?),
            "--max-streams" => config = config.max_concurrent_streams(number(&flag, &value()?)?),
            "--tls" => config = config.tls(MockTls::new()),
            "--ca-out" => ca_out = Some(PathBuf::from(value()?)),
            "--ws-bad-header-key" => {
                let refuse = match value()?.as_str() {
                    "refuse" => true,
                    "in-band" => false,
                    other => {
                        return Err(format!(
                            "--ws-bad-header-key: expected refuse or in-band, got {other:?}"
                        ))
                    }
                };
                config = config.ws_refuse_bad_header_key(refuse);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let port = port.ok_or("--port is required (0 picks a free port)")?;
    if ca_out.is_some() && config.tls.is_none() {
        return Err("--ca-out needs --tls".to_owned());
    }
    Ok(Some(Options {
        config: config.addr(SocketAddr::new(host, port)),
        ca_out,
    }))
}

fn number<T: std::str::FromStr>(flag: &str, s: &str) -> Result<T, String> {
    s.parse().map_err(|_| format!("{flag}: not a valid number: {s:?}"))
}

/// Positive seconds, fractions allowed (`20`, `0.5`).
fn seconds(flag: &str, s: &str) -> Result<Duration, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(Duration::from_secs_f64(v)),
        _ => Err(format!("{flag}: expected positive seconds (at most 86400), got {s:?}")),
    }
}

/// `immediate`, `polls:Q,P` or `ms:Q,P`.
fn timing(s: &str) -> Result<JobTiming, String> {
    if s == "immediate" {
        return Ok(JobTiming::Immediate);
    }
    let bad = || format!("--job-timing: expected immediate, polls:Q,P or ms:Q,P, got {s:?}");
    let (kind, pair) = s.split_once(':').ok_or_else(bad)?;
    let (q, p) = pair.split_once(',').ok_or_else(bad)?;
    let q: u32 = q.trim().parse().map_err(|_| bad())?;
    let p: u32 = p.trim().parse().map_err(|_| bad())?;
    match kind {
        "polls" => Ok(JobTiming::Polls {
            queued: q,
            processing: p,
        }),
        "ms" => Ok(JobTiming::Elapsed {
            queued: Duration::from_millis(q.into()),
            processing: Duration::from_millis(p.into()),
        }),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> impl Iterator<Item = String> + '_ {
        s.split_whitespace().map(String::from)
    }

    #[test]
    fn parses_flags() {
        let c = parse(args(
            "--port 8888 --api-key a --api-key b --rpm 60 --job-timing polls:1,2",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(c.addr, "127.0.0.1:8888".parse().unwrap());
        assert_eq!(c.api_keys, ["a", "b"]);
        assert_eq!(c.requests_per_minute, Some(60));
        assert_eq!(
            c.job_timing,
            JobTiming::Polls {
                queued: 1,
                processing: 2
            }
        );
        assert_eq!(timing("immediate"), Ok(JobTiming::Immediate));
        let c = parse(args("--port 0 --ws-idle-timeout 0.5 --max-streams 3"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.ws_idle_timeout, c.max_concurrent_streams),
            (Duration::from_millis(500), 3)
        );
        assert!(c.ws_refuse_bad_header_key);
        let c = parse(args("--port 0 --ws-bad-header-key in-band")).unwrap().unwrap();
        assert!(!c.ws_refuse_bad_header_key);
        assert!(parse(args("--port 0 --ws-bad-header-key maybe")).is_err());
        assert!(parse(args("--port 0 --ws-idle-timeout 0")).is_err());
        assert!(parse(args("--port 0 --max-streams x")).is_err());
        assert!(timing("ms:5").is_err());
        assert!(parse(args("--rpm 5")).is_err());
        assert!(parse(args("--port")).is_err());
        assert!(parse(args("--help")).unwrap().is_none());
        let c = parse(args("--port 0 --tls --ca-out /tmp/ca.pem")).unwrap().unwrap();
        assert_eq!(
            (c.tls.clone(), c.ca_out.clone()),
            (Some(MockTls::new()), Some("/tmp/ca.pem".into()))
        );
        assert!(parse(args("--port 0")).unwrap().unwrap().tls.is_none());
        assert!(parse(args("--port 0 --ca-out x.pem")).is_err());
    }
}
