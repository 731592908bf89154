//! Users as async-std tasks driving one shared `soniox::nonblocking::Client`.

use std::sync::Arc;
use std::time::Instant;

use async_std::task;
use soniox::nonblocking::Client;

use crate::tasks::TaskKind;
use crate::user::{Ctx, UserState, LIST_LIMIT};

/// Spawns the users at the spawn rate and waits until every one has stopped.
pub(crate) fn run(ctx: Arc<Ctx>, client: Client) {
    task::block_on(async move {
        let start = ctx.collector.start();
        let mut handles = Vec::with_capacity(ctx.plan.users as usize);
        for i in 0..ctx.plan.users {
            let at = ctx.spawn_at(start, i);
            if at >= ctx.deadline {
                break;
            }
            sleep_until(&ctx, at).await;
            if !ctx.running() {
                break;
            }
            let (ctx, client) = (ctx.clone(), client.clone());
            handles.push(task::spawn(async move { user(i, &ctx, &client).await }));
        }
        for h in handles {
            h.await;
        }
    });
}

async fn user(i: u32, ctx: &Ctx, client: &Client) {
    ctx.collector.user_started();
    let mut st = UserState::new(ctx.plan.seed, i);
    let t = Instant::now();
    let r = client.files().upload(&ctx.wav).await;
    ctx.record(TaskKind::Upload, t.elapsed(), &r);
    if let Ok(f) = r {
        st.file_ids.push(f.id);
    }
    while ctx.running() {
        run_task(ctx.plan.mix.pick(&mut st.rng), ctx, client, &mut st).await;
        let pause = st.pause(ctx.plan.wait, ctx.deadline);
        if pause.is_zero() {
            // `--wait 0`: still let the other users on this executor thread run.
            task::yield_now().await;
        } else {
            sleep_until(ctx, Instant::now() + pause).await;
        }
    }
    ctx.collector.user_stopped();
}

/// Sleeps until `at` in short naps, returning early once the run is over.
async fn sleep_until(ctx: &Ctx, at: Instant) {
    loop {
        let nap = ctx.nap(at);
        if nap.is_zero() {
            return;
        }
        task::sleep(nap).await;
    }
}

async fn run_task(kind: TaskKind, ctx: &Ctx, client: &Client, st: &mut UserState) {
    let t = Instant::now();
    match kind {
        TaskKind::ListFiles => {
            let r = client.files().list().limit(LIST_LIMIT).send().await;
            ctx.record(kind, t.elapsed(), &r);
            if let Ok(page) = r {
                st.file_ids = page.items.into_iter().map(|f| f.id).collect();
            }
        }
        TaskKind::CreateTranscription => {
            // As in the plan: without file ids there is nothing to transcribe.
            let Some(id) = st.choose_file() else { return };
            let t = Instant::now();
            let r = client.transcriptions().create(ctx.create_request(&id)).await;
            ctx.record(kind, t.elapsed(), &r);
        }
        TaskKind::ListModels => {
            let r = client.models().list().await;
            ctx.record(kind, t.elapsed(), &r);
        }
        TaskKind::Upload => {
            let r = client.files().upload(&ctx.wav).await;
            ctx.record(kind, t.elapsed(), &r);
        }
    }
}
