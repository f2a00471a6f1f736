"""What the suite adds to each exchange: its checks, validation and recording, against the bare request.

    python bench/exchange_overhead.py [--rounds 200] [--profile]

One embedded emulator (in a thread of this process, as in a run). For each kind of exchange in
EXCHANGES, the same request is sent, interleaved round by round so both see the same machine load:
- bare: a plain httpx request (the time a user waits without the suite), wall time;
- transport: the suite's Client (request id header, bounded reading, the Exchange), wall time;
- checks: ``Api.verify`` on that exchange (every applicable check, JSON Schema validation, the
  redacted record for the reports), CPU time of this thread.
Printed per kind and overall (medians, in ms): the checks' CPU time as a share of the bare request
(goal: at most 30%) and the whole suite's wall time over the bare request. ``--profile``: where the
checks' time goes (cProfile, top functions).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
import warnings
from types import SimpleNamespace

import httpx
import pytest

from conformance.api import Api, ConformanceWarning
from conformance.checks import Expect
from conformance.config import Target
from conformance.emulator.server import EmbeddedServer
from conformance.transport import Client

KEY = "bench-key"
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello"}], "max_tokens": 16}
EXCHANGES = {
    "list models": ("GET", "/models", None, 200),
    "retrieve model": ("GET", "/models/gpt-4o-mini", None, 200),
    "chat completion": ("POST", "/chat/completions", CHAT, 200),
    "chat, n=3": ("POST", "/chat/completions", {**CHAT, "n": 3}, 200),
    "embeddings": ("POST", "/embeddings", {"model": "text-embedding-3-small", "input": ["a", "b"]}, 200),
    "invalid body (400)": ("POST", "/chat/completions", {"model": "gpt-4o-mini", "messages": "no"}, 400),
    "chat, streamed": ("STREAM", "/chat/completions", {**CHAT, "stream": True, "stream_options": {"include_usage": True}}, 200),
}


def node() -> SimpleNamespace:
    """What Api needs of a pytest item: properties, a stash, options (no allure directory)."""
    return SimpleNamespace(user_properties=[], stash=pytest.Stash(), config=SimpleNamespace(option=SimpleNamespace()))


def bare(http: httpx.Client, method: str, path: str, body: object) -> None:
    if method == "STREAM":
        with http.stream("POST", path, json=body) as response:
            for _ in response.iter_bytes():
                pass
    else:
        http.request(method, path, json=body).read()


def suite_exchange(client: Client, method: str, path: str, body: object):
    if method == "STREAM":
        return client.stream("POST", path, json=body)
    return client.request(method, path, **({} if body is None else {"json": body}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="profile the checks and print the top functions")
    parser.add_argument("--sort", default="tottime", help="cProfile order of --profile: tottime (own time) or cumulative")
    args = parser.parse_args()

    server = EmbeddedServer(api_key=KEY)
    base_url = server.start()
    client = Client(Target(None, api_key=KEY), base_url)
    http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {KEY}"})
    warnings.simplefilter("ignore", ConformanceWarning)
    times = {name: {"bare": [], "transport": [], "checks": []} for name in EXCHANGES}
    profiler = cProfile.Profile() if args.profile else None
    try:
        for round_ in range(args.rounds + 5):
            for name, (method, path, body, status) in EXCHANGES.items():
                api = Api(client, node())
                started = time.perf_counter()
                bare(http, method, path, body)
                bare_wall = time.perf_counter() - started
                started = time.perf_counter()
                exchange = suite_exchange(client, method, path, body)
                transport_wall = time.perf_counter() - started
                cpu = time.thread_time()
                if profiler:
                    profiler.enable()
                api.verify(exchange, Expect(status))
                if profiler:
                    profiler.disable()
                checks_cpu = time.thread_time() - cpu
                if round_ >= 5:  # warm-up rounds: imports, compiled validators, connection
                    for key, value in (("bare", bare_wall), ("transport", transport_wall), ("checks", checks_cpu)):
                        times[name][key].append(value)
    finally:
        http.close()
        client.close()
        server.stop()

    print(f"Per exchange, median of {args.rounds} interleaved rounds on the embedded emulator (ms):")
    print(f"{'exchange':<22}{'bare':>8}{'transport':>11}{'checks':>9}{'checks/bare':>13}{'suite/bare':>12}")
    ratios, totals = [], []
    for name, measured in times.items():
        bare_ms, transport_ms, checks_ms = (statistics.median(measured[k]) * 1000 for k in ("bare", "transport", "checks"))
        ratios.append(checks_ms / bare_ms)
        totals.append((transport_ms + checks_ms) / bare_ms)
        print(f"{name:<22}{bare_ms:>8.2f}{transport_ms:>11.2f}{checks_ms:>9.2f}{checks_ms / bare_ms:>12.0%}{totals[-1]:>12.2f}x")
    print(f"\nchecks and validation add {statistics.mean(ratios):.0%} of the bare request's time on average "
          f"(goal: at most 30%); the suite's whole exchange takes {statistics.mean(totals):.2f}x the bare request")
    if profiler:
        print(f"\nWhere the checks' time goes (cProfile, by {args.sort}):")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(args.sort).print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
