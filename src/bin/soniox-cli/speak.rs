//! `soniox speak`: text to speech over REST, the audio written as it arrives (to a file,
//! which a failed run removes, or to standard output).

use std::io::{IsTerminal, Read, Write};

use soniox::blocking::Client;
use soniox::types::{Speech, TtsFormat};

use crate::args::SpeakArgs;
use crate::errors::CliError;

pub(crate) fn run(client: &Client, args: &SpeakArgs, json: bool) -> Result<(), CliError> {
    let text = match args.text.as_deref() {
        None | Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| CliError::Usage(format!("reading the text from standard input: {e}")))?;
            s
        }
        Some(t) => match t.strip_prefix('@') {
            Some(path) => {
                std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("cannot read {path}: {e}")))?
            }
            None => t.to_owned(),
        },
    };
    let format = TtsFormat::parse(&args.format).ok_or_else(|| {
        let known: Vec<&str> = TtsFormat::ALL.iter().map(|f| f.as_str()).collect();
        CliError::Usage(format!("--format {:?}: one of {}", args.format, known.join(", ")))
    })?;
    let mut speech = Speech::new(text.trim(), &args.voice)
        .model(&args.model)
        .language(&args.language)
        .format(format);
    if let Some(rate) = args.sample_rate {
        speech = speech.sample_rate(rate);
    }
    if let Some(speed) = args.speed {
        speech = speech.speed(speed);
    }
    let bytes = if args.output == "-" {
        if json {
            return Err(CliError::Usage(
                "--json needs --output FILE (the audio goes to standard output)".into(),
            ));
        }
        if std::io::stdout().is_terminal() {
            return Err(CliError::Usage(
                "the audio would go to a terminal: pass --output FILE (or redirect standard output)".into(),
            ));
        }
        let mut out = std::io::stdout().lock();
        let n = client
            .tts()
            .generate_to(&speech, &mut out)
            .map_err(CliError::sdk("speaking"))?;
        out.flush()
            .map_err(|e| CliError::Usage(format!("writing the audio: {e}")))?;
        n
    } else {
        client
            .tts()
            .generate_to_file(&speech, &args.output)
            .map_err(CliError::sdk("speaking"))?
    };
    if json {
        println!(
            "{}",
            serde_json::json!({"bytes": bytes, "format": format.as_str(), "output": args.output})
        );
    } else if args.output != "-" {
        eprintln!(
            "soniox: {bytes} bytes of {} audio written to {}",
            format.as_str(),
            args.output
        );
    }
    Ok(())
}
