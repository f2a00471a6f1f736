"""The Realtime API's cases and checks (cases/test_realtime.py, conformance/checks/realtime.py) beyond the fault table:
legal variants pass, what the suite sends is valid, vLLM's transcription dialect is named, the audio is generated."""

from __future__ import annotations

import base64
import json
import math
import struct
import subprocess
import sys

import httpx
import pytest

from conformance import samples, validation
from conformance.checks import Expect, evaluate
from conformance.config import Target
from conformance.emulator.faults import FAULTS
from conformance.emulator.variants import VARIANTS
from conformance.exchange import Exchange
from conformance.transport import Client
from conformance.websocket import Frame, Session
from tests.conftest import KEY, failed_checks, run_cases, with_fault

REALTIME_VARIANTS = sorted(name for name in VARIANTS if name.startswith("realtime-"))
SEEN = {
    # What each variant changes, so that a variant that silently did nothing cannot pass.
    "realtime-vendor-events": lambda frames: any('"vendor.trace"' in f for f in frames),
    "realtime-extra-fields": lambda frames: any('"x_vendor"' in f for f in frames),
    "realtime-reordered-keys": lambda frames: any(f.startswith('{"event_id"') for f in frames),
    "realtime-delta-sizes": lambda frames: {len(json.loads(f)["delta"]) == 1 for f in frames if '.delta"' in f and "audio.delta" not in f} == {True, False},
    "realtime-refusal-event": lambda frames: any('"invalid_api_key"' in f for f in frames),
}


def frames(results: dict, sent: bool = False) -> list[str]:
    return [frame["data"] for case in results["cases"] for exchange in case["exchanges"]
            for frame in (exchange.get("socket") or {}).get("frames", ()) if frame["sent"] is sent]


@pytest.mark.parametrize("variant", REALTIME_VARIANTS)
def test_legal_realtime_variants_pass(variant, emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator.replace("/v1", f"/variant/{variant}/v1"), "-k", "test_realtime")
    assert (code, failed_checks(results)) == (0, set())
    assert SEEN[variant](frames(results)), f"the variant {variant} changed nothing the cases saw"


def test_every_event_the_cases_send_is_a_valid_client_event_but_the_deliberately_invalid_ones(emulator, tmp_path):
    code, results = run_cases(tmp_path, emulator, "-k", "test_realtime")
    assert code == 0 and KEY not in json.dumps(results)
    validator = validation.validator("realtime.client.event")
    invalid = []
    for case in results["cases"]:
        for exchange in case["exchanges"]:
            for frame in (exchange.get("socket") or {}).get("frames", ()):
                if frame["sent"] and '"input_audio_buffer.append"' not in frame["data"]:  # cut in the report: judged below
                    try:
                        event = json.loads(frame["data"])
                    except ValueError:
                        event = None
                    if event is None or list(validator.iter_errors(event)) or event["type"].startswith("openai_conformance."):
                        invalid.append((case["id"].split("::")[-1], frame["data"][:60]))
    append = {"type": "input_audio_buffer.append", "event_id": "evt_suite_1", "audio": base64.b64encode(samples.tone(0.25, 24000)).decode()}
    assert not list(validator.iter_errors(append))
    assert invalid == [("test_realtime_invalid_events", "{not json"),
                       ("test_realtime_invalid_events", '{"type": "openai_conformance.no_such_event", "event_id": "ev'),
                       ("test_realtime_invalid_events", '{"type": "conversation.item.create", "event_id": "evt_suite_')]


def test_vllm_transcription_dialect_is_named_as_such(emulator, tmp_path):
    _, results = run_cases(tmp_path, with_fault(emulator, "vllm-transcription-dialect"), "-k", "test_realtime_transcription")
    failure = next(f for case in results["cases"] for c in case["checks"] if c["id"] == "realtime.transcription" for f in c["failures"])
    assert "vLLM's dialect: transcription.delta, transcription.done (docs/realtime.md)" in json.dumps(failure)


def test_the_tone_is_pcm16_at_the_rate_asked():
    pcm = samples.tone(0.01, 24000)
    values = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    assert len(values) == 240 and 16000 < max(values) <= 16383
    assert values[6] == int(16383 * math.sin(2 * math.pi * 440 * 6 / 24000))
    assert base64.b64decode(base64.b64encode(pcm)) == pcm


def _recorded(base_url: str) -> dict:
    """A text response's session against ``base_url``, as a JSON Lines row of docs/judge.md (every frame whole)."""
    client = Client(Target(base_url=base_url, api_key=KEY, request_timeout=3), base_url)
    with client.socket("/realtime", params={"model": "gpt-realtime"}) as socket:
        socket.receive(lambda p: p.get("type") == "session.created")
        socket.send({"type": "response.create", "event_id": "evt_1", "response": {"output_modalities": ["text"]}})
        socket.receive(lambda p: p.get("type") == "response.done")
    ex = socket.exchange
    return {"request": {"method": "GET", "url": str(ex.request.url).replace("http://", "wss://"), "headers": {"authorization": "Bearer sk-REDACTED"}},
            "response": {"status": ex.status, "headers": dict(ex.response.headers)},
            "socket": {"frames": [{"sent": f.sent, "at": f.at, "data": f.data} for f in ex.socket.frames],
                       "close_code": ex.socket.close_code, "closed_by": ex.socket.closed_by}}


def test_judge_reads_a_recorded_session_and_runs_the_realtime_checks(emulator, tmp_path):
    recording = tmp_path / "sessions.jsonl"
    recording.write_text("\n".join(json.dumps(_recorded(url)) for url in (emulator, with_fault(emulator, "realtime-delta-lost"))) + "\n")
    done = subprocess.run([sys.executable, "-m", "conformance.cli", "judge", str(recording), "--report-dir", str(tmp_path / "out"), "--", "-q"],
                          capture_output=True, text=True, timeout=120)
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert done.returncode == 1, done.stdout[-2000:]
    verdicts = [{c["id"]: c["status"] for c in case["checks"]} for case in results["cases"]]
    assert verdicts[0]["realtime.text-integrity"] == verdicts[0]["realtime.event-schema"] == "pass"
    assert verdicts[1]["realtime.text-integrity"] == "fail" and [v for v in verdicts[0].values() if v == "fail"] == []


def test_the_fault_gateway_serves_sockets_and_refuses_an_unknown_fault_before_the_upgrade(emulator):
    client = Client(Target(base_url=with_fault(emulator, "no-such-fault"), api_key=KEY, request_timeout=3), with_fault(emulator, "no-such-fault"))
    with client.socket("/realtime") as socket:
        assert not socket.opened
    assert socket.exchange.status == 404 and socket.exchange.data["error"]["code"] == "unknown_fault"


@pytest.mark.parametrize("selection, faults", [
    ("test_realtime_text_response", ("realtime-delta-lost", "realtime-response-id-mismatch", "realtime-binary-frame", "realtime-session-update-ignored")),
    ("test_realtime_invalid_events", ("realtime-error-unnamed", "realtime-event-id-repeated")),
    ("test_realtime_audio_input or test_realtime_transcription", ("realtime-commit-without-item", "vllm-transcription-dialect")),
])
def test_combined_realtime_faults_each_fail_their_check(selection, faults, emulator, tmp_path):
    _, results = run_cases(tmp_path, with_fault(emulator, "+".join(faults)), "-k", selection)
    assert {FAULTS[f].kills for f in faults} <= failed_checks(results)


def _exchange(*frames: tuple[bool, dict]) -> Exchange:
    """A Realtime session made by hand: (sent, event) frames."""
    request = httpx.Request("GET", "wss://api.example.invalid/v1/realtime?model=m", headers={"authorization": "Bearer sk-test"})
    session = Session(frames=tuple(Frame(sent, json.dumps(event), k / 100) for k, (sent, event) in enumerate(frames)))
    return Exchange(request, "/realtime", httpx.Response(101, request=request), socket=session)


def test_an_event_at_another_output_index_than_its_item_s_is_found():
    response = {"id": "resp_1", "object": "realtime.response", "status": "in_progress", "output": []}
    item = {"id": "item_1", "type": "message", "role": "assistant", "content": []}
    where = {"response_id": "resp_1", "item_id": "item_1", "content_index": 0}
    exchange = _exchange(
        (False, {"type": "session.created", "event_id": "e1", "session": {"type": "realtime", "id": "s", "object": "realtime.session"}}),
        (True, {"type": "response.create", "event_id": "c1"}),
        (False, {"type": "response.created", "event_id": "e2", "response": response}),
        (False, {"type": "response.output_item.added", "event_id": "e3", "response_id": "resp_1", "output_index": 0, "item": item}),
        (False, {"type": "response.content_part.added", "event_id": "e4", **where, "output_index": 1, "part": {"type": "text", "text": ""}}),
    )
    found = {v.finding.pointer: v.finding.seen for o in evaluate(exchange, Expect(101)) if o.check.id == "realtime.response-events" for v in o.violations}
    assert found == {"/frames/1": "no response.done came", "/frames/3/output_index": "1"}
