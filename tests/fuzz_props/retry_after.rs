//! `Retry-After` parsing and the retry loop over arbitrary outcome sequences.
//!
//! Invariants: no panic; `Seconds(n)` exactly when the trimmed value is a `u64`;
//! a `Date` re-formats and re-parses to itself; a delay is never negative or past a
//! date (zero for the past); the loop grants at most `max_retries` retries, never
//! retries POST after 500/502/504 or a sent-then-lost request, and every delay stays
//! under its cap (`max_retry_after` with `Retry-After`, the backoff without).

use std::time::{Duration, SystemTime};

use arbitrary::Arbitrary;
use soniox::core::http::Method;
use soniox::core::retry::{exponential_backoff, Decision, Outcome, Retry, RetryAfter, RetryPolicy};

#[derive(Arbitrary, Debug)]
enum Value {
    Raw(String),
    Seconds(u64, bool),
    Date(u32),
}

#[derive(Arbitrary, Debug)]
enum Out {
    Status(u16, Option<Value>),
    NotSent,
    Sent,
}

#[derive(Arbitrary, Debug)]
struct Input {
    value: Value,
    now_secs: u32,
    max_retries: u8,
    base_ms: u32,
    max_ms: u32,
    cap_ms: u64,
    jitter: bool,
    seed: u64,
    post: bool,
    outcomes: Vec<Out>,
}

fn text(v: &Value) -> String {
    match v {
        Value::Raw(s) => s.clone(),
        Value::Seconds(n, pad) if *pad => format!("  {n} "),
        Value::Seconds(n, _) => n.to_string(),
        Value::Date(s) => httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(*s))),
    }
}

/// The property.
pub fn property(data: &[u8]) {
    let Some(input) = super::input::<Input>(data) else {
        return;
    };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(input.now_secs));
    let v = text(&input.value);
    let parsed = RetryAfter::parse(&v);
    match parsed {
        Some(RetryAfter::Seconds(n)) => {
            assert_eq!(v.trim().parse::<u64>().ok(), Some(n), "{v:?}");
            assert_eq!(RetryAfter::Seconds(n).delay(now), Duration::from_secs(n));
        }
        Some(RetryAfter::Date(t)) => {
            assert!(v.trim().parse::<u64>().is_err());
            assert_eq!(
                RetryAfter::parse(&httpdate::fmt_http_date(t)),
                Some(RetryAfter::Date(t))
            );
            let d = RetryAfter::Date(t).delay(now);
            assert_eq!(d, t.duration_since(now).unwrap_or(Duration::ZERO));
        }
        None => assert!(v.trim().parse::<u64>().is_err(), "{v:?} is a number"),
    }
    match input.value {
        Value::Seconds(n, _) => assert_eq!(parsed, Some(RetryAfter::Seconds(n))),
        Value::Date(s) => assert_eq!(
            parsed,
            Some(RetryAfter::Date(
                SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(s))
            ))
        ),
        Value::Raw(_) => {}
    }

    let policy = RetryPolicy::default()
        .max_retries(u32::from(input.max_retries))
        .delays(
            Duration::from_millis(u64::from(input.base_ms)),
            Duration::from_millis(u64::from(input.max_ms)),
        )
        .max_retry_after(Duration::from_millis(input.cap_ms))
        .jitter(input.jitter);
    if policy.validate().is_err() {
        assert!(policy.base_delay > policy.max_delay || policy.max_retries > 100);
        return;
    }
    let method = if input.post { Method::Post } else { Method::Get };
    let mut retry = Retry::new(policy.clone(), input.seed);
    let mut granted = 0u32;
    for out in input.outcomes.iter().take(200) {
        let outcome = match out {
            Out::Status(s, v) => Outcome::Status {
                status: *s,
                retry_after: v.as_ref().and_then(|v| RetryAfter::parse(&text(v))),
            },
            Out::NotSent => Outcome::NotSent,
            Out::Sent => Outcome::Sent,
        };
        match retry.decide(method, &outcome, now) {
            Decision::RetryAfter(d) => {
                assert!(granted < policy.max_retries, "over the retry budget");
                assert!(Retry::is_retryable(method, &outcome));
                if method == Method::Post {
                    assert!(
                        !matches!(
                            outcome,
                            Outcome::Sent
                                | Outcome::Status {
                                    status: 500 | 502 | 504,
                                    ..
                                }
                        ),
                        "POST retried after {outcome:?}"
                    );
                }
                let cap = match outcome {
                    Outcome::Status {
                        retry_after: Some(_), ..
                    } => policy.max_retry_after,
                    _ => exponential_backoff(granted, &policy),
                };
                assert!(d <= cap, "delay {d:?} over {cap:?}");
                if !policy.jitter
                    && !matches!(
                        outcome,
                        Outcome::Status {
                            retry_after: Some(_),
                            ..
                        }
                    )
                {
                    assert_eq!(d, cap, "without jitter the delay is the backoff");
                }
                granted += 1;
            }
            Decision::GiveUp => {
                assert!(granted >= policy.max_retries || !Retry::is_retryable(method, &outcome));
            }
        }
        assert_eq!(retry.retries(), granted);
    }
}
