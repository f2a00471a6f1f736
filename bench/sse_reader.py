"""Throughput of the strict SSE reader against the official SDK's decoder and httpx-sse, on the same bytes.

    python bench/sse_reader.py [--events 50000] [--repeat 5]

The recorded stream is a chat completion streamed as 50,000 chunk events (plus data: [DONE]), fed
in two ways: as 16 KiB network reads, and as one read per event. Each reader turns the bytes into
events (data, type, id); JSON parsing of the data is the same for all and is left out. Printed:
events per second and the strict reader's speed as a multiple of each other reader's.

Needs ``openai`` and ``httpx-sse`` (benchmark only, not project dependencies):
    pip install openai httpx-sse
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import httpx

from conformance.sse import Reader

try:
    from httpx_sse import EventSource
    from openai._streaming import SSEDecoder
except ImportError as error:
    sys.exit(f"bench/sse_reader.py needs the official SDK and httpx-sse to compare against ({error.name} is missing): pip install openai httpx-sse")

READ_SIZE = 16 * 1024


def recorded_stream(events: int) -> bytes:
    """A realistic chat stream: role first, then one word per chunk, the finish chunk, [DONE]."""
    base = {"id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "object": "chat.completion.chunk", "created": 1741570283,
            "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_eb9dce56a8", "service_tier": "default"}
    out = []
    for k in range(events):
        delta = {"role": "assistant", "content": ""} if k == 0 else {} if k == events - 1 else {"content": f" word{k}"}
        finish = "stop" if k == events - 1 else None
        chunk = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}], "obfuscation": "Qx8v"}
        out.append(f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n")
    out.append("data: [DONE]\n\n")
    return "".join(out).encode()


def strict(chunks: list[bytes]) -> list[str]:
    reader = Reader()
    for chunk in chunks:
        reader.feed(chunk)
    reader.close()
    return [event.data for event in reader.events]


def sdk(chunks: list[bytes]) -> list[str]:
    return [event.data for event in SSEDecoder().iter_bytes(iter(chunks))]


def httpx_sse(chunks: list[bytes]) -> list[str]:
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(chunks))
    return [event.data for event in EventSource(response).iter_sse()]


def best(reader, chunks: list[bytes], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        reader(chunks)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    body = recorded_stream(args.events)
    feeds = {
        f"{READ_SIZE // 1024} KiB reads": [body[k:k + READ_SIZE] for k in range(0, len(body), READ_SIZE)],
        "one read per event": [event + b"\n\n" for event in body.split(b"\n\n")[:-1]],
    }
    readers = {"strict reader": strict, "openai SSEDecoder": sdk, "httpx-sse": httpx_sse}
    print(f"{args.events + 1} events, {len(body) / 1e6:.1f} MB; best of {args.repeat}")
    for feed, chunks in feeds.items():
        results = {name: reader(chunks) for name, reader in readers.items()}
        assert all(r == results["strict reader"] for r in results.values()), "the readers disagree on the events"
        seconds = {name: best(reader, chunks, args.repeat) for name, reader in readers.items()}
        print(f"\n{feed} ({len(chunks)} reads)")
        for name, elapsed in seconds.items():
            ratio = "" if name == "strict reader" else f"   strict reader is {elapsed / seconds['strict reader']:.2f}x as fast"
            print(f"  {name:18} {len(results[name]) / elapsed:12,.0f} events/s{ratio}")


if __name__ == "__main__":
    main()
