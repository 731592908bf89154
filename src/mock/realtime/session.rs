//! One realtime session on an upgraded connection: a single task reading client frames and
//! answering per [`protocol`](super::protocol), with the idle timer, the realtime faults
//! and a bounded close.
//!
//! Every wait is bounded: reads by the idle timeout (or 10 minutes for the stall and
//! never-finish faults), writes by [`SEND_TIMEOUT`], the close handshake by [`CLOSE_GRACE`],
//! and all of them end at once when the server shuts down.

use std::net::Shutdown;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use async_std::net::TcpStream;
use async_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use async_tungstenite::tungstenite::protocol::CloseFrame;
use async_tungstenite::tungstenite::{Error as WsErr, Message};
use async_tungstenite::WebSocketStream;
use futures_lite::{future, StreamExt};
use serde_json::Value;

use super::protocol::{
    parse_control, parse_object, start_api_key, validate_start, AudioMeter, Control, Start, WordStream, WsError,
    MAX_STREAM_MS,
};
use crate::config::time::later;
use crate::mock::faults::FaultAction;
use crate::mock::state::shared::Shared;
use crate::mock::state::stats::{GaugeGuard, Stats};

type Ws = WebSocketStream<crate::mock::net::tls::Io>;

/// How long the close handshake (our close frame, the client's answer) may take.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// Longest a single message write may block (a client that stopped reading).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest the stall and never-finish faults hold a connection.
const MAX_HOLD: Duration = Duration::from_secs(600);
/// How often a stalled session pings to notice a client that went away.
const STALL_PING: Duration = Duration::from_millis(500);
/// What the `MalformedBody` fault sends instead of the first message.
const MALFORMED: &str = "{\"tokens\": [<html>this is not JSON</html>";

/// The session is over: the connection was closed (or abandoned); nothing more to do.
struct Ended;

type Step<T = ()> = Result<T, Ended>;

/// What woke a wait.
enum Event {
    Frame(Option<Result<Message, WsErr>>),
    Timer,
    Shutdown,
}

/// What a key grants.
#[derive(Debug)]
pub(crate) struct Grant {
    /// `max_session_duration_seconds` of a temporary key.
    max_session_secs: Option<u64>,
}

/// What the upgrade said about the key.
#[derive(Debug)]
pub(crate) enum Auth {
    /// No key came with the upgrade: the start message's `api_key` decides.
    InStartMessage,
    /// A good key came with the upgrade.
    Granted(Grant),
    /// A bad key came with the upgrade and
    /// [`ws_refuse_bad_header_key`](crate::mock::MockConfig::ws_refuse_bad_header_key) is off: the
    /// session opens and refuses in-band.
    Refused,
}

/// A regular key of the server, or a usable `transcribe_websocket` temporary key (a
/// single-use one is used up by this check).
pub(crate) fn check_key(shared: &Shared, key: &str) -> Option<Grant> {
    if key.is_empty() {
        return None;
    }
    if shared.config.api_keys.iter().any(|k| k == key) {
        return Some(Grant { max_session_secs: None });
    }
    let max = shared.state.use_realtime_temp_key(key, SystemTime::now())?;
    Some(Grant { max_session_secs: max })
}

/// Runs a session on an upgraded connection until it ends. `opened` is the open-session gauge
/// (held until the end) and the number of sessions open when this one was counted.
pub(crate) async fn run(
    shared: &Arc<Shared>,
    ws: Ws,
    tcp: TcpStream,
    auth: Auth,
    opened: (GaugeGuard, u64),
    fault: Option<FaultAction>,
) {
    let (_open, open_now) = opened;
    let now = Instant::now();
    let mut session = Session {
        shared,
        ws,
        tcp,
        fault,
        sent: 0,
        opened: now,
        idle_deadline: later(now, shared.config.ws_idle_timeout),
        session_deadline: None,
    };
    let _ = session.run(auth, open_now).await;
}

struct Session<'a> {
    shared: &'a Arc<Shared>,
    ws: Ws,
    /// The socket under `ws`, for the abrupt close.
    tcp: TcpStream,
    fault: Option<FaultAction>,
    /// JSON messages sent so far.
    sent: u32,
    opened: Instant,
    idle_deadline: Instant,
    /// End of a temporary key's `max_session_duration_seconds`.
    session_deadline: Option<Instant>,
}

impl Session<'_> {
    /// Errors known at the upgrade (a refused key, too many streams) are sent once the start
    /// message has arrived: a client that sends its start message right after the socket opens
    /// (as the official SDKs do) would otherwise find the socket closing under its first send
    /// and never read the error.
    async fn run(&mut self, auth: Auth, open_now: u64) -> Step {
        let first = self.next_frame().await?;
        let over_limit = open_now > self.shared.config.max_concurrent_streams as u64;
        let mut grant = match auth {
            Auth::Refused => return self.auth_failed().await,
            Auth::Granted(grant) => Some(grant),
            Auth::InStartMessage => None,
        };
        let Message::Text(text) = first else {
            let e = WsError::invalid_request("The first message must be the JSON start message (a text frame).");
            return self.fail(e).await;
        };
        let map = match parse_object(&text) {
            Ok(map) => map,
            Err(e) => return self.fail(e).await,
        };
        // Over the limit: refused before a start-message key is checked, so a single-use
        // temporary key is not used up by a session that never runs.
        if over_limit {
            return self.fail(WsError::too_many_streams()).await;
        }
        if grant.is_none() {
            grant = start_api_key(&map).and_then(|k| check_key(self.shared, k));
        }
        let Some(grant) = grant else {
            return self.auth_failed().await;
        };
        let start = match validate_start(&map) {
            Ok(start) => start,
            Err(e) => return self.fail(e).await,
        };
        if let Some(secs) = grant.max_session_secs {
            self.session_deadline = Some(later(self.opened, Duration::from_secs(secs)));
        }
        self.touch();
        match &self.fault {
            Some(FaultAction::WsDropAfter { messages: 0 }) => return self.abort(),
            Some(FaultAction::WsErrorAfter {
                messages: 0,
                code,
                error_type,
            }) => return self.fail(WsError::injected(*code, error_type)).await,
            Some(FaultAction::WsStall) => return self.stall().await,
            _ => {}
        }
        self.stream(start).await
    }

    /// After a valid start message: audio, keepalive, finalize, end of audio.
    async fn stream(&mut self, start: Start) -> Step {
        let shared = self.shared;
        let stats = &shared.stats;
        let mut meter = AudioMeter::new(start.format);
        let mut words = WordStream::new(&start);
        loop {
            let control = match self.next_frame().await? {
                Message::Binary(audio) if !audio.is_empty() => {
                    Stats::add(&stats.ws_audio_bytes, audio.len() as u64);
                    Stats::add(&stats.ws_audio_frames, 1);
                    self.touch();
                    meter.push(&audio);
                    let total = meter.total_ms();
                    if total > MAX_STREAM_MS {
                        return self.fail(WsError::max_duration()).await;
                    }
                    self.send(&words.result(total)).await?;
                    continue;
                }
                Message::Binary(_) => Control::EndOfAudio,
                Message::Text(text) => match parse_control(&text) {
                    Ok(c) => c,
                    Err(e) => return self.fail(e).await,
                },
                _ => continue,
            };
            match control {
                Control::Keepalive => {
                    Stats::add(&stats.ws_keepalives, 1);
                    self.touch();
                }
                Control::Finalize => {
                    Stats::add(&stats.ws_finalizes, 1);
                    self.send(&words.finalize(meter.total_ms())).await?;
                }
                Control::EndOfAudio => {
                    if matches!(self.fault, Some(FaultAction::WsNeverFinish)) {
                        return self.never_finish().await;
                    }
                    self.send(&words.finish(meter.total_ms())).await?;
                    Stats::add(&stats.ws_finished, 1);
                    self.close().await;
                    return Ok(());
                }
            }
        }
    }

    /// The next text or binary frame. Ends the session on close, error, shutdown, the idle
    /// timeout (`408`) and the end of a temporary key's session (`403`).
    async fn next_frame(&mut self) -> Step<Message> {
        loop {
            let deadline = match self.session_deadline {
                Some(d) => d.min(self.idle_deadline),
                None => self.idle_deadline,
            };
            match self.next_event(deadline).await {
                Event::Frame(Some(Ok(m @ (Message::Text(_) | Message::Binary(_))))) => return Ok(m),
                Event::Frame(Some(Ok(Message::Close(_)))) => {
                    self.drain(Instant::now() + CLOSE_GRACE).await;
                    return Err(Ended);
                }
                // Ping (answered by tungstenite), pong, raw frame.
                Event::Frame(Some(Ok(_))) => {}
                Event::Frame(None | Some(Err(_))) | Event::Shutdown => return Err(Ended),
                Event::Timer => {
                    let expired = self.session_deadline.is_some_and(|d| Instant::now() >= d);
                    let e = if expired {
                        WsError::session_expired()
                    } else {
                        WsError::idle_timeout()
                    };
                    return self.fail(e).await;
                }
            }
        }
    }

    /// Waits for a frame, `deadline` or the server's shutdown, whichever comes first.
    async fn next_event(&mut self, deadline: Instant) -> Event {
        let stop = &self.shared.shutdown;
        let ws = &mut self.ws;
        future::or(async { Event::Frame(ws.next().await) }, async {
            future::or(
                async {
                    async_std::task::sleep(deadline.saturating_duration_since(Instant::now())).await;
                    Event::Timer
                },
                async {
                    let _ = stop.recv().await;
                    Event::Shutdown
                },
            )
            .await
        })
        .await
    }

    /// Sends a message, applying the session's fault.
    async fn send(&mut self, message: &Value) -> Step {
        if matches!(self.fault, Some(FaultAction::MalformedBody)) && self.sent == 0 {
            self.write(MALFORMED.to_string()).await?;
            self.close().await;
            return Err(Ended);
        }
        self.write(message.to_string()).await?;
        match &self.fault {
            Some(FaultAction::WsDropAfter { messages }) if self.sent >= *messages => self.abort(),
            Some(FaultAction::WsErrorAfter {
                messages,
                code,
                error_type,
            }) if self.sent >= *messages => {
                let e = WsError::injected(*code, error_type);
                self.fail(e).await
            }
            _ => Ok(()),
        }
    }

    /// Writes one text frame (one write, one flush), after the `WsDelay` fault's delay.
    async fn write(&mut self, text: String) -> Step {
        if let Some(FaultAction::WsDelay(d)) = self.fault {
            self.sleep(d).await?;
        }
        let stop = &self.shared.shutdown;
        let ws = &mut self.ws;
        let sent = future::or(async { Some(ws.send(Message::text(text)).await) }, async {
            future::or(async_std::task::sleep(SEND_TIMEOUT), async {
                let _ = stop.recv().await;
            })
            .await;
            None
        })
        .await;
        match sent {
            Some(Ok(())) => {
                self.sent += 1;
                Stats::add(&self.shared.stats.ws_messages_sent, 1);
                Ok(())
            }
            _ => self.abort(),
        }
    }

    /// Sends the in-band error message and closes; always ends the session.
    async fn fail<T>(&mut self, e: WsError) -> Step<T> {
        let message = e.to_json(&self.shared.rng.uuid());
        if self.write(message.to_string()).await.is_ok() {
            self.close().await;
        }
        Err(Ended)
    }

    async fn auth_failed<T>(&mut self) -> Step<T> {
        Stats::add(&self.shared.stats.ws_auth_failures, 1);
        self.fail(WsError::unauthenticated()).await
    }

    /// Sends a close frame (1000) and reads (discarding) until the client answers, for at
    /// most [`CLOSE_GRACE`], so that what was sent is not lost to a reset.
    async fn close(&mut self) {
        let deadline = Instant::now() + CLOSE_GRACE;
        let frame = CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        };
        let stop = &self.shared.shutdown;
        let ws = &mut self.ws;
        let closed = future::or(async { ws.close(Some(frame)).await.is_ok() }, async {
            future::or(async_std::task::sleep(CLOSE_GRACE), async {
                let _ = stop.recv().await;
            })
            .await;
            false
        })
        .await;
        if closed {
            self.drain(deadline).await;
        }
    }

    /// Reads and discards frames until the stream ends or `deadline`.
    async fn drain(&mut self, deadline: Instant) {
        while let Event::Frame(Some(Ok(_))) = self.next_event(deadline).await {}
    }

    /// Closes the TCP connection without a WebSocket close frame.
    fn abort<T>(&mut self) -> Step<T> {
        let _ = self.tcp.shutdown(Shutdown::Both);
        Err(Ended)
    }

    /// `WsStall`: reads nothing more; pings every [`STALL_PING`] until a ping fails (the
    /// client is gone), the server shuts down, or [`MAX_HOLD`] passes.
    async fn stall(&mut self) -> Step {
        let end = Instant::now() + MAX_HOLD;
        while Instant::now() < end {
            self.sleep(STALL_PING).await?;
            let ws = &mut self.ws;
            let ping = future::or(
                async { ws.send(Message::Ping(Default::default())).await.is_ok() },
                async {
                    async_std::task::sleep(STALL_PING).await;
                    false
                },
            );
            if !ping.await {
                break;
            }
        }
        self.abort()
    }

    /// `WsNeverFinish`: after the end-of-audio frame, reads and discards until the client
    /// closes, the server shuts down, or [`MAX_HOLD`] passes; never answers.
    async fn never_finish(&mut self) -> Step {
        let end = Instant::now() + MAX_HOLD;
        loop {
            match self.next_event(end).await {
                Event::Frame(Some(Ok(Message::Close(_)))) => {
                    self.drain(Instant::now() + CLOSE_GRACE).await;
                    return Err(Ended);
                }
                Event::Frame(Some(Ok(_))) => {}
                _ => return self.abort(),
            }
        }
    }

    /// Waits `d`; ends the session when the server shuts down meanwhile.
    async fn sleep(&self, d: Duration) -> Step {
        let stop = &self.shared.shutdown;
        let slept = future::or(
            async {
                async_std::task::sleep(d).await;
                true
            },
            async {
                let _ = stop.recv().await;
                false
            },
        )
        .await;
        if slept {
            Ok(())
        } else {
            Err(Ended)
        }
    }

    /// Restarts the idle timer.
    fn touch(&mut self) {
        self.idle_deadline = later(Instant::now(), self.shared.config.ws_idle_timeout);
    }
}
