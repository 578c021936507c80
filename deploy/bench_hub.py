"""Load check for a school server: N simulated students log in at once and run lesson 00.

    sudo .venv/bin/python deploy/bench_hub.py --students 30      (or: make hub-bench)

A benchmark, not a test: it asserts nothing and reports what it measured. It installs the hub
exactly as tests/hub/test_hub.py does (deploy/install.sh into a cached prefix, a temporary
configuration, real Unix accounts that it deletes afterwards), on 127.0.0.1 only. Every
student, at the same moment:

1. asks the hub to start their server (REST API, as the hub's admin would for a class) and
   waits until the hub reports it ready: **time to a ready server**;
2. reads lesson 00 from their own ~/my-course (contents API), starts a kernel and runs every
   code cell in order over the proxy's websocket, as a browser would: **time to the last cell**
   (from the start request).

Meanwhile it samples, every second, the memory of each student's processes (their server and
kernel; RSS and PSS, which shares libraries fairly) and of the hub's own. Bounded: at most
``--deadline`` seconds in all, then everything is stopped. Results go to ``--out`` (JSON) and
the terminal.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "hub"))

import harness as H

LESSON = "my-course/00-welcome.ipynb"


def run_student(hub: H.Hub, account: H.Account, t0: float, deadline: float) -> dict:
    out: dict = {"student": account.name}
    try:
        account.token = hub.user_token(account.name)
        out["ready_s"] = hub.start_server(
            account.name, timeout=max(30, deadline - time.monotonic())
        )
        nb = hub.user_request(account, "GET", f"api/contents/{LESSON}", params={"content": "1"})
        nb.raise_for_status()
        cells = [c for c in nb.json()["content"]["cells"] if c["cell_type"] == "code"]
        kernel = H.start_kernel(hub, account)
        errors = []
        for cell in cells:
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            result = H.execute(
                hub, account, kernel, source, timeout=max(10, deadline - time.monotonic())
            )
            expected = "raises-exception" in cell.get("metadata", {}).get("tags", [])
            if result["error"] and not expected:
                errors.append(result["error"])
        out["last_cell_s"] = time.monotonic() - t0
        out["cells"] = len(cells)
        out["unexpected_errors"] = errors
    except Exception as exc:  # reported, not raised: a benchmark records failures
        out["failed"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    return out


class MemorySampler(threading.Thread):
    """Peak memory per account (sum over its processes) and of the hub's processes."""

    def __init__(self, names: list[str], hub_pid: int, every: float = 1.0):
        super().__init__(daemon=True)
        import pwd

        self.uids = {pwd.getpwnam(n).pw_uid: n for n in names}
        self.hub_pid = hub_pid
        self.every = every
        self.peak_rss = dict.fromkeys(names, 0)
        self.peak_pss = dict.fromkeys(names, 0)
        self.peak_hub = 0
        self.peak_total_used = 0
        self.stop = threading.Event()

    def run(self):
        import psutil

        while not self.stop.is_set():
            rss = dict.fromkeys(self.peak_rss, 0)
            pss = dict.fromkeys(self.peak_pss, 0)
            for proc in psutil.process_iter(["uids"]):
                try:
                    name = self.uids.get(proc.info["uids"].real)
                    if name is None:
                        continue
                    info = proc.memory_full_info()
                    rss[name] += info.rss
                    pss[name] += getattr(info, "pss", info.rss)
                except (psutil.Error, AttributeError):
                    pass
            for name in rss:
                self.peak_rss[name] = max(self.peak_rss[name], rss[name])
                self.peak_pss[name] = max(self.peak_pss[name], pss[name])
            try:
                hub = psutil.Process(self.hub_pid)
                procs = [hub, *[p for p in hub.children(recursive=True) if p.uids().real == 0]]
                self.peak_hub = max(self.peak_hub, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                pass
            vm = psutil.virtual_memory()
            self.peak_total_used = max(self.peak_total_used, vm.total - vm.available)
            self.stop.wait(self.every)


def summary(values: list[float]) -> dict:
    if not values:
        return {}
    values = sorted(values)
    return {
        "median": round(statistics.median(values), 1),
        "p90": round(values[int(0.9 * (len(values) - 1))], 1),
        "max": round(values[-1], 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="N students start servers and run lesson 00.")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--deadline", type=float, default=900, help="seconds in all (bounded)")
    parser.add_argument("--mem-limit", default="2G", help="per student, as the installer sets it")
    parser.add_argument("--out", type=Path, default=Path("hub-bench-results.json"))
    args = parser.parse_args(argv)
    ok, why = H.can_run()
    if not ok:
        print(f"bench_hub: cannot run here: {why}", file=sys.stderr)
        return 2
    import os

    began_install = time.monotonic()
    hub = H.install_and_start(args.students, mem_limit=args.mem_limit)
    install_and_hub_s = time.monotonic() - began_install
    names = [s.name for s in hub.students]
    sampler = MemorySampler(names, hub.process.pid)
    sampler.start()
    try:
        t0 = time.monotonic()
        deadline = t0 + args.deadline
        with ThreadPoolExecutor(max_workers=args.students) as pool:
            results = list(pool.map(lambda a: run_student(hub, a, t0, deadline), hub.students))
        wall = time.monotonic() - t0
    finally:
        sampler.stop.set()
        sampler.join(5)
        log = hub.log_tail(10**8)
        hub.close()
    # what the servers said about kernels that died or were restarted (the hub's log holds
    # every user server's output, LocalProcessSpawner)
    kernel_events = [
        line[:240]
        for line in log.splitlines()
        if any(
            k in line for k in ("restarting kernel", "KernelRestarter", "died", "dead", "Killed")
        )
    ]
    done = [r for r in results if "last_cell_s" in r]
    mib = 1024**2
    report = {
        "students": args.students,
        "cores": os.cpu_count(),
        "mem_limit_per_student": args.mem_limit,
        "install_and_hub_start_s": round(install_and_hub_s, 1),
        "wall_s": round(wall, 1),
        "completed": len(done),
        "failed": [r for r in results if "failed" in r],
        "unexpected_cell_errors": sum(len(r.get("unexpected_errors", [])) for r in results),
        "time_to_ready_server_s": summary([r["ready_s"] for r in results if "ready_s" in r]),
        "time_to_last_cell_s": summary([r["last_cell_s"] for r in done]),
        "peak_rss_per_student_mib": summary([v / mib for v in sampler.peak_rss.values()]),
        "peak_pss_per_student_mib": summary([v / mib for v in sampler.peak_pss.values()]),
        "peak_hub_and_proxy_rss_mib": round(sampler.peak_hub / mib, 1),
        "peak_machine_memory_used_gib": round(sampler.peak_total_used / 1024**3, 2),
        "kernel_events_in_hub_log": kernel_events[:20],
    }
    args.out.write_text(json.dumps({"summary": report, "per_student": results}, indent=1))
    print(json.dumps(report, indent=1))
    return 0 if len(done) == args.students else 1


if __name__ == "__main__":
    sys.exit(main())
