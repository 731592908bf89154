//! Runs a case through one client against a fresh recording mock and checks the one
//! response it produced against the document.

use soniox::mock::{Fault, FaultAction, MockServer};

use super::cases::{Case, Ctx, How};
use super::client::Kind;
use super::spec::{Checked, Spec};

/// What a run of the whole table produced through one client.
#[derive(Debug, Default)]
pub struct Tally {
    /// Responses whose JSON body validated.
    pub bodies: usize,
    /// Documented-empty responses (204) that were empty.
    pub empty: usize,
    /// Rows reached through a real condition / an injected fault.
    pub real: usize,
    pub injected: usize,
    /// One line per problem found.
    pub problems: Vec<String>,
}

/// Runs every case through `kind`.
pub fn run_all(spec: &Spec, cases: &[Case], kind: Kind) -> Tally {
    let mut tally = Tally::default();
    for case in cases {
        let label = format!("[{}] {} {} ({:?})", kind.name(), case.op, case.status, case.how);
        match run_one(spec, case, kind) {
            Ok(Checked::Body) => tally.bodies += 1,
            Ok(Checked::Empty) => tally.empty += 1,
            Err(e) => tally.problems.push(format!("{label}: {e}")),
        }
        match case.how {
            How::Real(_) => tally.real += 1,
            How::Injected(_) => tally.injected += 1,
        }
    }
    tally
}

fn run_one(spec: &Spec, case: &Case, kind: Kind) -> Result<Checked, String> {
    let op = spec.op(case.op);
    let mock = MockServer::start_with((case.config)().record_responses(true)).map_err(|e| e.to_string())?;
    let sdk = kind.client(&mock, &mock.api_key());
    let bad = kind.client(&mock, "not-the-mock-key");
    let cx = Ctx {
        mock: &mock,
        sdk: &*sdk,
        bad: &*bad,
    };
    let id = (case.prepare)(&cx);
    mock.clear_response_log();
    mock.clear_request_log();
    if let How::Injected(_) = case.how {
        let action = FaultAction::Status {
            status: case.status,
            retry_after: None,
        };
        mock.add_fault(Fault::new(action).on(&op.method, op.prefix()).times(1));
    }
    let result = (case.call)(&cx, &id);

    let responses = mock.response_log();
    let requests = mock.request_log();
    let [rec] = responses.as_slice() else {
        return Err(format!(
            "expected one response, the mock wrote {}: {responses:?}",
            responses.len()
        ));
    };
    let [req] = requests.as_slice() else {
        return Err(format!("expected one request, the mock saw {}", requests.len()));
    };
    // A real row must not have met a fault, an injected one must have.
    let injected = matches!(case.how, How::Injected(_));
    if req.fault.is_some() != injected {
        return Err(format!("fault applied: {:?}", req.fault));
    }
    let routed = spec.route(&rec.method, &rec.path).map(|o| o.id.as_str());
    if routed != Some(case.op) {
        return Err(format!("{} {} is operation {routed:?}", rec.method, rec.path));
    }
    if rec.status != case.status {
        let body = String::from_utf8_lossy(&rec.body);
        let body: String = body.chars().take(300).collect();
        return Err(format!("status {}, expected {}; body {body}", rec.status, case.status));
    }
    // The client surfaces the status it was given.
    match (&result, rec.status) {
        (Ok(()), 200..=299) => {}
        (Err(e), s) if s >= 400 && e.status() == Some(s) => {}
        (r, s) => return Err(format!("client returned {r:?} for a {s}")),
    }
    spec.check(op, rec)
}
