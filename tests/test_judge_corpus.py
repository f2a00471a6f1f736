"""openai-conformance judge over the development corpus: 3,019 real exchanges with api.openai.com
(../shared/recorded/exchanges.jsonl.gz), judged once for the module: no suite error, nothing reported
from what a recorder lost, its time, and the must findings on the answers of 2026."""

from __future__ import annotations

import collections
import gzip
import json
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conformance.recordings.lost import HEADER_CHECKS, TIMING_CHECKS

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "recorded" / "exchanges.jsonl.gz"
EXCHANGES = 3019
CPU_SECONDS = 60
"""The budget: under a minute on 2 cores. Measured as CPU time, which other work on a shared machine does not inflate as it does wall time."""


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> tuple[int, dict]:
    out = tmp_path_factory.mktemp("corpus")
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "judge", str(CORPUS), "--report-dir", str(out), "--", "-q", "-p", "no:warnings"],
                          capture_output=True, text=True, timeout=900, check=False)
    after, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter() - started
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    print(f"\nopenai-conformance judge on {EXCHANGES} exchanges: {wall:.1f} s wall, {cpu:.1f} s CPU (exit {done.returncode})")
    assert (out / "results.json").exists(), done.stdout[-2000:] + done.stderr[-2000:]
    return done.returncode, json.loads((out / "results.json").read_text()), cpu


def test_every_exchange_is_judged_without_a_suite_error(judged):
    code, results, _ = judged
    assert code in (0, 1), f"exit {code}"
    summary = results["summary"]
    assert summary["error"] == 0 and summary["pass"] + summary["fail"] + summary["skip"] == EXCHANGES
    assert all(c["reason"].startswith("not judged: ") for c in results["cases"] if c["status"] == "skip")


def test_nothing_is_reported_from_what_a_recorder_lost(judged):
    """No finding about a header the recorder redacted or merged; no header check where it kept none; no timing check."""
    _, results, _ = judged
    for case in results["cases"]:
        for exchange in case["exchanges"]:
            not_judged = exchange["source"]["not_judged"]
            lost = {name for key in ("redacted headers", "merged headers") if key in not_judged for name in not_judged[key].split(":")[0].split(", ")}
            for check in case["checks"]:
                assert not [f for f in check["failures"] if f["pointer"].removeprefix("header:") in lost], (case["id"], check["id"])
            ran = set(exchange["checks"])
            assert not {c for c in ran if c.startswith(TIMING_CHECKS)}, case["id"]
            if "response headers" in not_judged:
                assert not {c for c in ran if c.startswith(HEADER_CHECKS)}, case["id"]


def test_judged_within_a_minute_of_cpu(judged):
    assert judged[2] < CPU_SECONDS


def test_no_must_finding_on_an_answer_of_2026(judged):
    """Prints the exchanges with a must finding by year, check and endpoint; 2026's must be none."""
    _, results, _ = judged
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        meta = [json.loads(line)["meta"] for line in lines]
    found: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for case in results["cases"]:
        if case["level"] != "must":
            continue
        row = meta[case["exchanges"][0]["source"]["index"]]
        year = _year(row)
        found[year]["exchanges"] += 1
        found[year].update(f"endpoint {row['endpoint']}" for _ in [0])
        found[year].update(f"check {c['id']}" for c in case["checks"] if c["status"] == "fail" and c["level"] == "must")
    for year in sorted(found):
        print(f"{year}: " + ", ".join(f"{what} {count}" for what, count in found[year].most_common()))
    assert not found["2026"]


def _year(meta: dict) -> str:
    if meta.get("date"):
        return meta["date"][:4]
    created = meta.get("created")
    return str(datetime.fromtimestamp(created, timezone.utc).year) if isinstance(created, (int, float)) else "unknown"
