"""Wall time and cost of a whole run against the embedded emulator, per depth, with -n 1 and -n 2.

    python bench/run_cost.py [--repeat 3] [--workers 1,2] [--depths quick,deep] [--markdown docs/measured.md]

Each configuration is ``openai-conformance run --depth D -- -n N``, a fresh process as a user runs it
(its own emulator per xdist worker). The configurations take turns, repeat by repeat, so machine load
falls on all alike; printed are the median wall time, the requests and tokens results.json counts,
the speed-up of the most workers over one (goal: at least 1.6x with -n 2 on 2 cores) and whether the
default run meets its goals (at most 30 s with -n 2, 300 requests, 5,000 tokens). The start-up a
worker pays before its first case (imports and collection, ``--collect-only``) is measured alongside:
it is what parallel workers cannot share. ``--markdown`` also writes the figures as the page the README
quotes (docs/measured.md), stamped with the date, the commit, the machine and its load, so the README
never carries a figure older than its code without saying when it was measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from conformance.depth import DEFAULT

GOAL_SECONDS, GOAL_SPEEDUP, GOAL_REQUESTS, GOAL_TOKENS = 30.0, 1.6, 300, 5000
COMMAND = [sys.executable, "-m", "conformance.cli"]


def run(depth: str, workers: int, report_dir: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    completed = subprocess.run([*COMMAND, "run", "--depth", depth, "--report-dir", str(report_dir), "--", "-n", str(workers), "-q"],
                               capture_output=True, text=True)
    wall = time.perf_counter() - started
    results = report_dir / "results.json"
    if not results.exists():
        sys.exit(f"the run failed (exit {completed.returncode}):\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return wall, json.loads(results.read_text())


def startup() -> float:
    """Imports and collection of one process: what each xdist worker pays before its first case."""
    from importlib.util import find_spec

    cases = Path(find_spec("conformance.cases").origin).parent
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", str(cases), "--rootdir", str(cases), "-p", "no:cacheprovider", "--collect-only", "-q"],
                   capture_output=True, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default="1,2", help="xdist worker counts, comma-separated")
    parser.add_argument("--depths", default="quick,deep")
    parser.add_argument("--markdown", type=Path, help="also write the figures as a markdown page (docs/measured.md)")
    args = parser.parse_args()
    workers = [int(n) for n in args.workers.split(",")]
    configurations = [(depth, n) for depth in args.depths.split(",") for n in workers]
    walls: dict[tuple[str, int], list[float]] = {c: [] for c in configurations}
    documents: dict[tuple[str, int], dict] = {}
    startups: list[float] = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-run-cost-"))
    try:
        for repeat in range(args.repeat):
            startups.append(startup())
            for depth, n in configurations:
                wall, document = run(depth, n, scratch / f"{depth}-{n}-{repeat}")
                walls[(depth, n)].append(wall)
                documents[(depth, n)] = document
                print(f"  repeat {repeat + 1}: --depth {depth} -n {n}: {wall:.1f} s", file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    rows = []
    for depth, n in configurations:
        document, wall = documents[(depth, n)], statistics.median(walls[(depth, n)])
        cost, summary = document["cost"], document["summary"]
        cases = sum(summary[s] for s in ("pass", "fail", "skip", "error"))
        in_cases = sum(c["duration"] for c in document["cases"])
        rows.append((depth, n, wall, in_cases, cases, summary["pass"], cost["requests"], cost["tokens"], cost["requests"] / wall))
    print(f"\nWhole runs against the embedded emulator ({os.cpu_count()} CPUs, median of {args.repeat}):")
    print(f"{'depth':<7}{'-n':>4}{'wall s':>9}{'in cases s':>12}{'cases':>7}{'pass':>6}{'requests':>10}{'tokens':>8}{'req/s':>8}")
    for depth, n, wall, in_cases, cases, passed, requests, spent, rate in rows:
        print(f"{depth:<7}{n:>4}{wall:>9.1f}{in_cases:>12.1f}{cases:>7}{passed:>6}{requests:>10}{spent:>8}{rate:>8.0f}")
    print("(in cases: the cases' own durations summed over the workers; about equal for -n 1 and -n 2 when workers do not wait on each other)")
    print(f"\nstart-up of one process (imports, collection): {statistics.median(startups):.1f} s")
    most = max(workers)
    for depth in args.depths.split(","):
        if 1 in workers and most > 1:
            speedup = statistics.median(walls[(depth, 1)]) / statistics.median(walls[(depth, most)])
            print(f"--depth {depth}: -n {most} is {speedup:.2f}x as fast as -n 1 (goal with -n 2: at least {GOAL_SPEEDUP}x)")
    if (DEFAULT, 2) in walls:
        wall, cost = statistics.median(walls[(DEFAULT, 2)]), documents[(DEFAULT, 2)]["cost"]
        verdicts = [(f"wall {wall:.1f} s with -n 2", wall <= GOAL_SECONDS, f"{GOAL_SECONDS:g} s"),
                    (f"{cost['requests']} requests", cost["requests"] <= GOAL_REQUESTS, str(GOAL_REQUESTS)),
                    (f"{cost['tokens']} tokens", cost["tokens"] <= GOAL_TOKENS, str(GOAL_TOKENS))]
        print(f"default run (--depth {DEFAULT}): " + "; ".join(f"{what} ({'met' if ok else 'NOT met'}: at most {goal})" for what, ok, goal in verdicts))
    if args.markdown:
        args.markdown.write_text(_markdown(rows, statistics.median(startups), args.repeat), encoding="utf-8")
        print(f"written: {args.markdown}", file=sys.stderr)
    return 0


def _markdown(rows: list[tuple], startup_seconds: float, repeat: int) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "unknown"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# Measured: whole runs against the embedded emulator",
        "",
        "Generated by `python bench/run_cost.py --markdown docs/measured.md`; do not edit by hand.",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC at commit `{commit}`, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average at the end {load} (median of {repeat}).",
        "",
        "| depth | -n | wall s | inside cases s | cases | passed | requests | tokens |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *(f"| {d} | {n} | {w:.1f} | {i:.1f} | {c} | {p} | {r} | {t} |" for d, n, w, i, c, p, r, t, _ in rows),
        "",
        f"Start-up of one process (imports and collection, paid by every xdist worker): {startup_seconds:.1f} s.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
