//! Users as OS threads driving one shared `soniox::blocking::Client`.

use std::sync::Arc;
use std::thread;
use std::time::Instant;

use soniox::blocking::Client;

use crate::tasks::TaskKind;
use crate::user::{Ctx, UserState, LIST_LIMIT};

/// Spawns the users at the spawn rate and waits until every one has stopped.
pub(crate) fn run(ctx: Arc<Ctx>, client: Client) -> std::io::Result<()> {
    let start = ctx.collector.start();
    let mut handles = Vec::with_capacity(ctx.plan.users as usize);
    for i in 0..ctx.plan.users {
        let at = ctx.spawn_at(start, i);
        if at >= ctx.deadline {
            break;
        }
        sleep_until(&ctx, at);
        if !ctx.running() {
            break;
        }
        let (ctx, client) = (ctx.clone(), client.clone());
        let h = thread::Builder::new()
            .name(format!("user-{i}"))
            .stack_size(512 * 1024)
            .spawn(move || user(i, &ctx, &client))?;
        handles.push(h);
    }
    for h in handles {
        // A user that panicked has already printed its message; the others' records stand.
        let _ = h.join();
    }
    Ok(())
}

fn user(i: u32, ctx: &Ctx, client: &Client) {
    ctx.collector.user_started();
    let mut st = UserState::new(ctx.plan.seed, i);
    let t = Instant::now();
    let r = client.files().upload(&ctx.wav);
    ctx.record(TaskKind::Upload, t.elapsed(), &r);
    if let Ok(f) = r {
        st.file_ids.push(f.id);
    }
    while ctx.running() {
        task(ctx.plan.mix.pick(&mut st.rng), ctx, client, &mut st);
        let pause = st.pause(ctx.plan.wait, ctx.deadline);
        sleep_until(ctx, Instant::now() + pause);
    }
    ctx.collector.user_stopped();
}

/// Sleeps until `at` in short naps, returning early once the run is over.
fn sleep_until(ctx: &Ctx, at: Instant) {
    loop {
        let nap = ctx.nap(at);
        if nap.is_zero() {
            return;
        }
        thread::sleep(nap);
    }
}

fn task(kind: TaskKind, ctx: &Ctx, client: &Client, st: &mut UserState) {
    let t = Instant::now();
    match kind {
        TaskKind::ListFiles => {
            let r = client.files().list().limit(LIST_LIMIT).send();
            ctx.record(kind, t.elapsed(), &r);
            if let Ok(page) = r {
                st.file_ids = page.items.into_iter().map(|f| f.id).collect();
            }
        }
        TaskKind::CreateTranscription => {
            // As in the plan: without file ids there is nothing to transcribe.
            let Some(id) = st.choose_file() else { return };
            let t = Instant::now();
            let r = client.transcriptions().create(ctx.create_request(&id));
            ctx.record(kind, t.elapsed(), &r);
        }
        TaskKind::ListModels => {
            let r = client.models().list();
            ctx.record(kind, t.elapsed(), &r);
        }
        TaskKind::Upload => {
            let r = client.files().upload(&ctx.wav);
            ctx.record(kind, t.elapsed(), &r);
        }
    }
}
