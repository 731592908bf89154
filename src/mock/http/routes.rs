//! Route table: templated paths, allowed methods and the stats keys built from them.

use http_types::Method;

/// A known route of the mock (its index is its row in [`ROUTES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Files,
    FilesCount,
    File,
    Transcriptions,
    TranscriptionsCount,
    Transcription,
    Transcript,
    Models,
    TemporaryKey,
    Websocket,
    TtsModels,
    SharedVoices,
    /// `POST /tts`, on the text-to-speech listener.
    Tts,
}

/// Every route with its path template (as used in stats keys) and its methods.
pub(crate) const ROUTES: [(Route, &str, &[&str]); 13] = [
    (Route::Files, "/v1/files", &["GET", "POST"]),
    (Route::FilesCount, "/v1/files/count", &["GET"]),
    (Route::File, "/v1/files/{id}", &["GET", "DELETE"]),
    (Route::Transcriptions, "/v1/transcriptions", &["GET", "POST"]),
    (Route::TranscriptionsCount, "/v1/transcriptions/count", &["GET"]),
    (Route::Transcription, "/v1/transcriptions/{id}", &["GET", "DELETE"]),
    (Route::Transcript, "/v1/transcriptions/{id}/transcript", &["GET"]),
    (Route::Models, "/v1/models", &["GET"]),
    (Route::TemporaryKey, "/v1/auth/temporary-api-key", &["POST"]),
    (Route::Websocket, "/transcribe-websocket", &["GET"]),
    (Route::TtsModels, "/v1/tts-models", &["GET"]),
    (Route::SharedVoices, "/v1/shared-voices", &["GET"]),
    (Route::Tts, "/tts", &["POST"]),
];

/// Methods counted separately in stats; anything else counts as `OTHER`.
pub(crate) const METHODS: [&str; 8] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "OTHER"];

/// Row of `method` in [`METHODS`].
pub(crate) fn method_index(method: Method) -> usize {
    let name = method.to_string();
    METHODS.iter().position(|m| *m == name).unwrap_or(METHODS.len() - 1)
}

impl Route {
    /// Whether `method` is served on this route.
    pub(crate) fn allows(self, method: &str) -> bool {
        ROUTES[self as usize].2.contains(&method)
    }

    /// The `Allow` header value.
    pub(crate) fn allow_header(self) -> String {
        ROUTES[self as usize].2.join(", ")
    }
}

/// Matches a request path; returns the route and its `{id}` segment, if any.
pub(crate) fn match_path(path: &str) -> Option<(Route, Option<&str>)> {
    if path == "/transcribe-websocket" {
        return Some((Route::Websocket, None));
    }
    let rest = path.strip_prefix("/v1/")?;
    let segs: Vec<&str> = rest.split('/').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return None;
    }
    let r = match segs.as_slice() {
        ["files"] => (Route::Files, None),
        ["files", "count"] => (Route::FilesCount, None),
        ["files", id] => (Route::File, Some(*id)),
        ["transcriptions"] => (Route::Transcriptions, None),
        ["transcriptions", "count"] => (Route::TranscriptionsCount, None),
        ["transcriptions", id] => (Route::Transcription, Some(*id)),
        ["transcriptions", id, "transcript"] => (Route::Transcript, Some(*id)),
        ["models"] => (Route::Models, None),
        ["auth", "temporary-api-key"] => (Route::TemporaryKey, None),
        ["tts-models"] => (Route::TtsModels, None),
        ["shared-voices"] => (Route::SharedVoices, None),
        _ => return None,
    };
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_route() {
        for (i, (route, _, _)) in ROUTES.iter().enumerate() {
            assert_eq!(*route as usize, i);
        }
    }

    #[test]
    fn matching() {
        assert_eq!(match_path("/v1/files"), Some((Route::Files, None)));
        assert_eq!(match_path("/v1/files/count"), Some((Route::FilesCount, None)));
        assert_eq!(match_path("/v1/files/abc"), Some((Route::File, Some("abc"))));
        assert_eq!(
            match_path("/v1/transcriptions/x/transcript"),
            Some((Route::Transcript, Some("x")))
        );
        assert_eq!(match_path("/v1/files/"), None);
        assert_eq!(match_path("/v1/nope"), None);
        assert_eq!(match_path("/files"), None);
        assert!(Route::File.allows("DELETE"));
        assert!(!Route::Models.allows("POST"));
        assert_eq!(method_index(Method::Get), 0);
        assert_eq!(method_index(Method::Trace), 7);
    }
}
