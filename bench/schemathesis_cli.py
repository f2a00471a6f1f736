"""Generated requests per second: the suite's generated cases against schemathesis's own command line.

    python bench/schemathesis_cli.py [--repeat 3] [--max-examples 5]

One emulator (in a thread of this process, counting the requests it serves) answers both:
- the suite: ``pytest cases/test_generated.py --depth deep`` (boundary phase, random examples,
  stateful sequences), every answer through all of the suite's checks and recorded for the reports;
- ``st run`` over the suite's OpenAPI document (``openai-conformance openapi``), restricted to the
  operations the suite generates for, with the same phases, example count, seed and schemathesis checks,
  one worker.
They take turns, repeat by repeat. Printed: requests (as the emulator counted them), wall time of
the command, time testing (without start-up: the suite's case durations, schemathesis's own summary),
requests per second of each, and the suite's rates as a share of schemathesis's.

Not the same requests: schemathesis sends the models the document's examples allow (mostly unknown
ones, answered 404 early), where the suite sends the configured model, so its valid requests are served.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib.util import find_spec
from pathlib import Path

import uvicorn

from conformance import openapi
from conformance.emulator.app import create_app
from conformance.fuzzing.settings import CHECKS

KEY = "bench-key"
SEED = 1


class CountingEmulator:
    """The emulator on a free loopback port, counting the HTTP requests it receives."""

    def __init__(self) -> None:
        self.requests = 0
        app = create_app(KEY)

        async def counted(scope, receive, send):
            if scope["type"] == "http":
                self.requests += 1
            await app(scope, receive, send)

        self._server = uvicorn.Server(uvicorn.Config(counted, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> str:
        self._thread.start()
        while not self._server.started:
            time.sleep(0.01)
        return f"http://127.0.0.1:{self._server.servers[0].sockets[0].getsockname()[1]}/v1"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def generated_document() -> dict:
    """The suite's document with only the operations it generates requests for (see generated/settings.py)."""
    document = openapi.document()
    for path, item in document["paths"].items():
        for method in [m for m in item if m in ("get", "post", "put", "patch", "delete")]:
            if f"{method.upper()} {path}" in openapi.NOT_GENERATED or (method != "get" and "{" in path):
                del item[method]
    document["paths"] = {p: i for p, i in document["paths"].items() if any(m in i for m in ("get", "post", "delete"))}
    return document


def ours(base_url: str, max_examples: int, scratch: Path) -> subprocess.CompletedProcess:
    cases = Path(find_spec("conformance.cases").origin).parent
    return subprocess.run([
        sys.executable, "-m", "pytest", str(cases / "test_generated.py"), "--rootdir", str(cases), "-p", "no:cacheprovider", "-q",
        f"--base-url={base_url}", f"--api-key={KEY}", "--depth=deep", f"--max-examples={max_examples}", f"--hypothesis-seed={SEED}",
        f"--conformance-results={scratch / 'results.json'}",
    ], capture_output=True, text=True, cwd=scratch)


def theirs(base_url: str, max_examples: int, document: Path) -> subprocess.CompletedProcess:
    st = Path(sys.executable).with_name("st")
    return subprocess.run([
        str(st), "run", str(document), "--url", base_url, "-H", f"Authorization: Bearer {KEY}", "--workers", "1",
        "--phases", "coverage,fuzzing,stateful", "--max-examples", str(max_examples), "--seed", str(SEED),
        "--checks", ",".join(CHECKS), "--suppress-health-check", "all", "--generation-database", "none", "--no-color",
    ], capture_output=True, text=True, cwd=document.parent)  # it keeps a .schemathesis/ cache in its working directory


def testing_time(name: str, completed: subprocess.CompletedProcess, scratch: Path) -> float:
    if name == "st run":
        return float(re.findall(r" in ([0-9.]+)s", completed.stdout)[-1])
    return sum(case["duration"] for case in json.loads((scratch / "results.json").read_text())["cases"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-examples", type=int, default=5)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-schemathesis-"))
    document = scratch / "openapi.json"
    document.write_text(json.dumps(generated_document()))
    emulator = CountingEmulator()
    base_url = emulator.start()
    measured: dict[str, list[tuple[int, float, float]]] = {"openai-conformance": [], "st run": []}
    try:
        for repeat in range(args.repeat):
            for name, command in (("openai-conformance", lambda: ours(base_url, args.max_examples, scratch)),
                                  ("st run", lambda: theirs(base_url, args.max_examples, document))):
                before, started = emulator.requests, time.perf_counter()
                completed = command()
                wall = time.perf_counter() - started
                measured[name].append((emulator.requests - before, wall, testing_time(name, completed, scratch)))
                print(f"  repeat {repeat + 1}: {name}: {emulator.requests - before} requests in {wall:.1f} s (exit {completed.returncode})", file=sys.stderr)
                if completed.returncode not in (0, 1):
                    print(completed.stdout[-2000:], completed.stderr[-2000:], file=sys.stderr)
    finally:
        emulator.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"\nGenerated requests against one emulator, --max-examples {args.max_examples}, seed {SEED}, one process each (median of {args.repeat}):")
    print(f"{'runner':<20}{'requests':>10}{'wall s':>9}{'req/s':>8}{'testing s':>11}{'req/s':>8}")
    rates, testing_rates = {}, {}
    for name, runs in measured.items():
        requests, wall, testing = (statistics.median(run[k] for run in runs) for k in range(3))
        rates[name] = statistics.median(r / w for r, w, _ in runs)
        testing_rates[name] = statistics.median(r / t for r, _, t in runs)
        print(f"{name:<20}{requests:>10.0f}{wall:>9.1f}{rates[name]:>8.0f}{testing:>11.1f}{testing_rates[name]:>8.0f}")
    print(f"\nthe suite sends {rates['openai-conformance'] / rates['st run']:.2f}x schemathesis's requests per second over the whole command, "
          f"{testing_rates['openai-conformance'] / testing_rates['st run']:.2f}x while testing "
          "(with the suite's checks and records on every answer)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
