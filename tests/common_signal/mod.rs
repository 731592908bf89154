//! Ctrl-C for a child process in tests: send SIGINT, then wait (bounded) for it to exit.
#![allow(dead_code)]

use std::process::{Child, Command, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

/// Sends SIGINT to `child`, as Ctrl-C in a terminal would.
pub fn interrupt(child: &Child) {
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -INT {}", child.id());
}

/// Waits at most `bound` for `child` to exit; kills it and panics (naming `what`) if not.
pub fn exit_within(child: &mut Child, bound: Duration, what: &str) -> ExitStatus {
    let deadline = Instant::now() + bound;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} did not exit within {bound:?} of Ctrl-C");
        }
        thread::sleep(Duration::from_millis(20));
    }
}
