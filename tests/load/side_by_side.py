#!/usr/bin/env python3
"""Side by side: soniox-load and Locust against a fresh soniox-mock process per run.

Usage: side_by_side.py TARGET_DIR SECONDS USERS TOOL...
  TOOL: blocking | async (soniox-load's clients) | http | fast (Locust's HttpUser / FastHttpUser)
Needs `cargo build --release --features load --bin soniox-load --bin soniox-mock` and Locust.
Prints one JSON line per run: requests, requests/s, p99, client CPU seconds (user+system,
start-up included), requests per client CPU second, and the mock's CPU (from /proc).
"""
import csv, json, os, resource, subprocess, sys, tempfile, time

tgt, secs, users = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
TICK = os.sysconf("SC_CLK_TCK")
LOCUSTFILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locustfile.py")
OUT = tempfile.mkdtemp(prefix="soniox-sbs-")

def cpu_of(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK  # utime + stime

def run(label, cmd, env_extra, parse):
    mock = subprocess.Popen([f"{tgt}/release/soniox-mock", "--port", "0", "--job-timing", "immediate",
                             "--max-pending", "100000000"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    host = mock.stdout.readline().split()[-1]
    m0 = cpu_of(mock.pid)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = dict(os.environ, SONIOX_API_KEY="mock-api-key", **env_extra)
    t0 = time.monotonic()
    subprocess.run([c.replace("HOST", host) for c in cmd], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    m1 = cpu_of(mock.pid)
    mock.kill(); mock.wait()
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    reqs, rps, p99 = parse()
    print(json.dumps(dict(tool=label, requests=reqs, rps=round(rps), p99_ms=p99, wall_s=round(wall, 1),
        client_cpu_s=round(client_cpu, 2), client_cores=round(client_cpu / wall, 2),
        rps_per_client_core=round(reqs / client_cpu), mock_cpu_s=round(m1 - m0, 2),
        mock_cores=round((m1 - m0) / wall, 2))), flush=True)

def sl_parse():
    d = json.load(open(os.path.join(OUT, "sl.json")))
    return d["total"]["requests"], d["total"]["requests_per_s"], d["total"]["p99_ms"]

def lc_parse():
    for row in csv.DictReader(open(os.path.join(OUT, "lc_stats.csv"))):
        if row["Name"] == "Aggregated":
            return int(row["Request Count"]), float(row["Requests/s"]), float(row["99%"])

for which in sys.argv[4:]:
    if which in ("blocking", "async"):
        run(f"soniox-load {which}", [f"{tgt}/release/soniox-load", "--host", "HOST", "-u", str(users), "-r", "1000",
             "-t", f"{secs}s", "--wait", "0", "--client", which, "-q", "--json", os.path.join(OUT, "sl.json")], {}, sl_parse)
    else:
        run(f"locust {which}", ["locust", "-f", LOCUSTFILE, "--headless", "-u", str(users), "-r", "1000", "-t", f"{secs}s",
             "--host", "HOST", "--only-summary", "--csv", os.path.join(OUT, "lc")],
            {"SONIOX_LOAD_WAIT": "0", "SONIOX_LOAD_CLIENT": which}, lc_parse)
