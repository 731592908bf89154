//! `soniox files|jobs list|delete`, `soniox models`, `soniox key --temporary`.

use std::io::Write;

use serde_json::{json, Value};
use soniox::blocking::Client;
use soniox::types::{SharedVoice, SharedVoiceQuery, TemporaryKey};

use crate::args::{DeleteArgs, KeyArgs, ListDelete, VoicesArgs};
use crate::cleanup::{delete_file, delete_job};
use crate::errors::CliError;

/// Prints `s` to standard output (a closed pipe is an error, never a panic).
fn print(s: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::io("writing to standard output"))
}

fn pretty(v: &impl serde::Serialize) -> Result<String, CliError> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| CliError::Usage(format!("cannot encode JSON: {e}")))
}

/// `files list` / `files delete`.
pub(crate) fn files(client: &Client, cmd: &ListDelete, json: bool) -> Result<(), CliError> {
    let all = || -> Result<Vec<soniox::types::File>, CliError> {
        client
            .files()
            .list()
            .limit(100)
            .all()
            .collect::<Result<_, _>>()
            .map_err(CliError::sdk("listing files"))
    };
    match cmd {
        ListDelete::List => {
            let files = all()?;
            if json {
                return print(&pretty(&files)?);
            }
            let mut s = String::new();
            for f in &files {
                s.push_str(&format!("{}  {:>12}  {}  {}\n", f.id, f.size, f.created_at, f.filename));
            }
            print(&s)?;
            eprintln!("{} file{}", files.len(), if files.len() == 1 { "" } else { "s" });
            Ok(())
        }
        ListDelete::Delete(args) => {
            let ids = ids(args, || Ok(all()?.into_iter().map(|f| f.id).collect()))?;
            delete_each(&ids, args.all, json, "file", |id| delete_file(client, id))
        }
    }
}

/// `jobs list` / `jobs delete`.
pub(crate) fn jobs(client: &Client, cmd: &ListDelete, json: bool) -> Result<(), CliError> {
    let all = || -> Result<Vec<soniox::types::Transcription>, CliError> {
        client
            .transcriptions()
            .list()
            .limit(100)
            .all()
            .collect::<Result<_, _>>()
            .map_err(CliError::sdk("listing jobs"))
    };
    match cmd {
        ListDelete::List => {
            let jobs = all()?;
            if json {
                return print(&pretty(&jobs)?);
            }
            let mut s = String::new();
            for j in &jobs {
                s.push_str(&format!(
                    "{}  {:<10}  {}  {}\n",
                    j.id,
                    j.status.as_str(),
                    j.created_at,
                    j.filename
                ));
            }
            print(&s)?;
            eprintln!("{} job{}", jobs.len(), if jobs.len() == 1 { "" } else { "s" });
            Ok(())
        }
        ListDelete::Delete(args) => {
            let ids = ids(args, || Ok(all()?.into_iter().map(|j| j.id).collect()))?;
            delete_each(&ids, args.all, json, "job", |id| delete_job(client, id))
        }
    }
}

fn ids(args: &DeleteArgs, all: impl FnOnce() -> Result<Vec<String>, CliError>) -> Result<Vec<String>, CliError> {
    if args.all {
        all()
    } else {
        Ok(args.ids.clone())
    }
}

/// Deletes every id (a failure does not stop the others). An id named on the command line
/// that does not exist is reported as "not found" and counts against success: a typo never
/// reads as done. With `--all` (`listed`), an id that vanished between the listing and its
/// deletion (someone else deleted it) is gone all the same and counts as done.
/// `Err(Partial)` if any id was not deleted.
fn delete_each(
    ids: &[String],
    listed: bool,
    json: bool,
    what: &str,
    delete: impl Fn(&str) -> Result<bool, String>,
) -> Result<(), CliError> {
    let mut report = Vec::new();
    let (mut deleted, mut missing) = (0, 0);
    for id in ids {
        let r = delete(id);
        let gone = matches!(r, Ok(true)) || (listed && matches!(r, Ok(false)));
        let error = match &r {
            Ok(_) if gone => None,
            Ok(_) => Some(format!("{what} {id} not found")),
            Err(e) => Some(e.clone()),
        };
        match (&r, &error) {
            (Ok(true), _) if !json => eprintln!("deleted {what} {id}"),
            (Ok(false), None) if !json => eprintln!("{what} {id} was already gone"),
            (_, Some(e)) if !json => eprintln!("soniox: {e}"),
            _ => {}
        }
        deleted += usize::from(gone);
        missing += usize::from(!gone && matches!(r, Ok(false)));
        // `found` is known only when the API answered: null after a failure.
        let found = match &r {
            Ok(existed) => json!(existed),
            Err(_) => Value::Null,
        };
        report.push(json!({"id": id, "deleted": gone, "found": found, "error": error}));
    }
    let failed = ids.len() - deleted - missing;
    if json {
        print(&pretty(&report)?)?;
    } else {
        eprintln!(
            "{deleted} {what}{} deleted, {missing} not found, {failed} failed",
            if deleted == 1 { "" } else { "s" }
        );
    }
    if deleted < ids.len() {
        return Err(CliError::Partial {
            failed: ids.len() - deleted,
            total: ids.len(),
            outcome: "not deleted",
        });
    }
    Ok(())
}

/// `models`.
pub(crate) fn models(client: &Client, json: bool) -> Result<(), CliError> {
    let models = client.models().list().map_err(CliError::sdk("listing models"))?;
    if json {
        return print(&pretty(&models)?);
    }
    let mut s = String::new();
    for m in &models {
        let mode = m.transcription_mode.as_deref().unwrap_or("?");
        s.push_str(&format!("{:<24} {:<10} {}", m.id, mode, m.name));
        if let Some(target) = &m.aliased_model_id {
            s.push_str(&format!(" (alias of {target})"));
        }
        s.push_str(&format!(" [{} languages]\n", m.languages.len()));
    }
    print(&s)
}

/// `models --tts`: the text-to-speech models, a line each.
pub(crate) fn tts_models(client: &Client, json: bool) -> Result<(), CliError> {
    let models = client
        .tts()
        .models()
        .map_err(CliError::sdk("listing text-to-speech models"))?;
    if json {
        return print(&pretty(&models)?);
    }
    let mut s = String::new();
    for m in &models {
        s.push_str(&format!("{:<24} {}", m.id, m.name));
        if let Some(target) = &m.aliased_model_id {
            s.push_str(&format!(" (alias of {target})"));
        }
        s.push_str(&format!(
            " [{} languages, {} voices]\n",
            m.languages.len(),
            m.voices.len()
        ));
    }
    print(&s)
}

/// `voices --shared`: a model's built-in voices that match every filter, every page.
pub(crate) fn shared_voices(client: &Client, args: &VoicesArgs, json: bool) -> Result<(), CliError> {
    let mut query = SharedVoiceQuery::new(&args.model);
    if let Some(g) = &args.gender {
        query = query.gender(g);
    }
    if let Some(a) = &args.age {
        query = query.age(a);
    }
    if let Some(a) = &args.accent {
        query = query.accent(a);
    }
    query = args.use_cases.iter().fold(query, |q, u| q.use_case(u));
    query = args.styles.iter().fold(query, |q, s| q.style(s));
    let voices: Vec<SharedVoice> = client
        .voices()
        .list_shared(query)
        .all()
        .collect::<soniox::Result<_>>()
        .map_err(CliError::sdk("listing shared voices"))?;
    if json {
        return print(&pretty(&voices)?);
    }
    let mut s = String::new();
    for v in &voices {
        s.push_str(&format!(
            "{:<12} {:<8} {:<12} {:<10} {} | {}\n",
            v.id,
            v.gender,
            v.age,
            v.accent,
            v.use_case.join(","),
            v.style.join(",")
        ));
    }
    print(&s)
}

/// `key --temporary`: prints the minted temporary key (never the main key).
pub(crate) fn key(client: &Client, args: &KeyArgs, json: bool) -> Result<(), CliError> {
    if !args.temporary {
        return Err(CliError::Usage(
            "only temporary keys can be minted: pass --temporary".into(),
        ));
    }
    let key = client
        .auth()
        .temporary_api_key(TemporaryKey::transcribe_websocket(args.expires))
        .map_err(CliError::sdk("minting a temporary key"))?;
    if json {
        let v = json!({"api_key": key.api_key.expose(), "expires_at": key.expires_at});
        return print(&pretty(&v)?);
    }
    print(&format!("{}\n", key.api_key.expose()))?;
    eprintln!("expires at {}", key.expires_at);
    Ok(())
}
