"""openai-conformance judge's readers: the ten raw recordings of ../shared/recorded/raw, and small recordings
written here for each format variant (never copies of other public recordings)."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
from pathlib import Path

import pytest

from conformance import recordings
from conformance.api import judge
from conformance.checks import Expect, Finding
from conformance.history import History
from conformance.recordings import lost

RAW = Path(__file__).resolve().parents[1].parent / "shared" / "recorded" / "raw"
CHAT_URL = "https://api.openai.com/v1/chat/completions"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1767225600, "model": "gpt-4o-mini-2024-07-18",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi", "refusal": None, "annotations": []},
                           "logprobs": None, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}
REQUEST = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


# (file, format, exchanges in the file, OpenAI exchanges, what the first one's response body starts with)
RAW_FILES = [
    ("crewai-responses-stream-redacted.yaml", "VCR.py cassette", 1, 1, b"event: response.created\ndata: {"),
    ("ddtrace-responses-function-call-stream-2025.yaml", "VCR.py cassette", 1, 1, b"event: response.created\ndata: {"),
    ("ddtrace-responses-stream.json", "request-response JSON", 1, 1, b"event: response.created\ndata: {"),
    ("mirascope-chat-401.yaml", "VCR.py cassette", 1, 1, b'{\n    "error": {\n'),
    ("mirascope-responses-stream.har", "HAR", 1, 1, b"event: response.created\ndata: {"),
    ("mirascope-responses-stream.yaml", "VCR.py cassette", 2, 2, b"event: response.created\ndata: {"),
    ("mirascope-responses.har", "HAR", 1, 1, b'{\n  "id": "resp_'),
    ("openinference-responses-reasoning-stream.yaml", "VCR.py cassette", 2, 1, b"event: response.created\ndata: {"),
    ("openllmetry-chat-stream-gzip.yaml", "VCR.py cassette", 2, 1, b'data: {"id":"chatcmpl-'),
    ("otel-chat-stream-n2-pretty.yaml", "VCR.py cassette", 1, 1, b'data: {"id":"chatcmpl-'),
]


@pytest.mark.parametrize(("name", "kind", "count", "openai", "start"), RAW_FILES, ids=[f[0] for f in RAW_FILES])
def test_raw_recordings_are_read(name, kind, count, openai, start):
    found, exchanges = recordings.read(str(RAW / name))
    assert (found, len(exchanges)) == (kind, count)
    kept = [r for r in exchanges if recordings.api_path(r.url, None)]
    assert len(kept) == openai and kept[0].response_body.startswith(start)
    assert kept[0].status in (200, 401) and kept[0].method == "POST" and json.loads(kept[0].request_body)["model"]


def test_raw_recordings_decode_their_bodies_right():
    """YAML folded strings, HAR text, and the recorders' alterations (pretty JSON, redaction) come through as sent."""
    _, [cassette] = recordings.read(str(RAW / "mirascope-chat-401.yaml"))
    assert json.loads(cassette.response_body)["error"]["code"] == "invalid_api_key"
    _, [pretty] = recordings.read(str(RAW / "otel-chat-stream-n2-pretty.yaml"))
    assert json.loads(pretty.request_body)["n"] == 2 and pretty.response_body.count(b"data: ") > 10
    _, [har] = recordings.read(str(RAW / "mirascope-responses.har"))
    assert json.loads(har.response_body)["object"] == "response"
    judged = lost.judged(har, "/responses", History())
    assert judged.exchange.data["object"] == "response"  # br kept on a decoded body: not decoded again
    assert "br kept on a body the recorder decoded" in judged.not_judged["content-encoding"]
    _, [crewai] = recordings.read(str(RAW / "crewai-responses-stream-redacted.yaml"))
    judged = lost.judged(crewai, "/responses", History())
    assert {"x-request-id", "openai-organization", "x-content-type-options"} <= judged.lost_headers
    assert judged.exchange.request_id is None and judged.exchange.stream.events[0].type == "response.created"


def _vcr(tmp_path: Path, response: str, name: str = "cassette.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"""interactions:
- request:
    body: '{json.dumps(REQUEST)}'
    headers:
      authorization:
      - Bearer sk-test-0123456789abcdef
    method: POST
    uri: {CHAT_URL}
  response:
{response}
version: 1
""")
    return path


def test_vcr_gzip_bytes_as_binary(tmp_path):
    packed = base64.b64encode(gzip.compress(json.dumps(COMPLETION).encode())).decode()
    path = _vcr(tmp_path, f"""    body:
      string: !!binary |
        {packed}
    headers:
      Content-Encoding:
      - gzip
      Content-Type:
      - application/json
      x-request-id:
      - req_1
    status:
      code: 200
      message: OK""")
    _, [recorded] = recordings.read(str(path))
    assert recorded.response_body[:2] == b"\x1f\x8b"
    judged = lost.judged(recorded, "/chat/completions", History())
    assert judged.exchange.data == COMPLETION and "content-encoding" not in judged.not_judged
    assert judged.exchange.secrets == ("sk-test-0123456789abcdef",)  # a key a recording kept never reaches a report


def test_a_body_that_does_not_decode_is_not_judged(tmp_path):
    path = _vcr(tmp_path, """    body:
      string: !!binary |
        H4sIAAAAAAAAA0tMSgYA
    headers:
      Content-Encoding:
      - gzip
    status:
      code: 200
      message: OK""")
    _, [recorded] = recordings.read(str(path))
    with pytest.raises(lost.UnreadableBody, match="does not decode as its Content-Encoding 'gzip' says"):
        lost.judged(recorded, "/chat/completions", History())


def test_vcr_older_layout_and_base64_string(tmp_path):
    path = _vcr(tmp_path, f"""    content: '{json.dumps(COMPLETION)}'
    headers:
      content-type:
      - application/json
    http_version: HTTP/1.1
    status_code: 200""")
    _, [recorded] = recordings.read(str(path))
    assert (recorded.status, json.loads(recorded.response_body)) == (200, COMPLETION)
    packed = base64.b64encode(json.dumps(COMPLETION).encode()).decode()
    path = _vcr(tmp_path, f"""    body:
      base64_string: {packed}
    headers: {{}}
    status:
      code: 200
      message: OK""", "b64.yaml")
    _, [recorded] = recordings.read(str(path))
    assert json.loads(recorded.response_body) == COMPLETION and recorded.response_headers == ()


def test_vcr_cassette_in_json(tmp_path):
    interaction = {"request": {"method": "POST", "uri": CHAT_URL, "headers": {}, "body": json.dumps(REQUEST)},
                   "response": {"status": {"code": 200, "message": "OK"}, "headers": {"Content-Type": ["application/json"]},
                                "body": {"string": json.dumps(COMPLETION)}}}
    path = tmp_path / "cassette.json"
    path.write_text(json.dumps({"interactions": [interaction], "version": 1}))
    kind, [recorded] = recordings.read(str(path))
    assert kind == "VCR.py cassette" and json.loads(recorded.response_body) == COMPLETION


def test_har_base64_body(tmp_path):
    entry = {"request": {"method": "POST", "url": CHAT_URL, "headers": [{"name": "content-type", "value": "application/json"}],
                         "postData": {"mimeType": "application/json", "text": json.dumps(REQUEST)}},
             "response": {"status": 200, "headers": [{"name": "content-type", "value": "application/json"}],
                          "content": {"mimeType": "application/json", "encoding": "base64",
                                      "text": base64.b64encode(json.dumps(COMPLETION).encode()).decode()}}}
    path = tmp_path / "browser.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}))
    assert recordings.read(str(path))[0] == "HAR"
    assert json.loads(recordings.read(str(path))[1][0].response_body) == COMPLETION


def _row(**response) -> dict:
    return {"request": {"method": "POST", "url": CHAT_URL, "headers": {"content-type": "application/json"}, "body": json.dumps(REQUEST)},
            "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(COMPLETION), **response}}


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_json_lines(tmp_path, packed):
    text = "\n".join(json.dumps(_row()) for _ in range(3)) + "\n"
    path = tmp_path / ("x.jsonl.gz" if packed else "x.jsonl")
    path.write_bytes(gzip.compress(text.encode()) if packed else text.encode())
    kind, exchanges = recordings.read(str(path))
    assert (kind, [r.index for r in exchanges]) == ("JSON Lines", [0, 1, 2])
    assert json.loads(exchanges[2].response_body) == COMPLETION


@pytest.mark.parametrize(("url", "base_url", "path"), [
    ("https://api.openai.com/v1/chat/completions", None, "/chat/completions"),
    ("http://gateway.local/openai/v1/responses/resp_1?stream=true", None, "/responses/resp_1"),
    ("https://api.openai.com/v2/things", None, None),
    ("http://gateway.local/openai/models", "http://gateway.local/openai", "/models"),
    ("http://gateway.local/openai-other/models", "http://gateway.local/openai", None),
    ("https://api.openai.com/v1/models", "http://gateway.local/openai", None),
])
def test_which_exchanges_are_the_apis(url, base_url, path):
    assert recordings.api_path(url, base_url) == path


def test_what_a_recorder_lost_is_not_judged(tmp_path):
    """Redacted, merged and absent headers leave no finding: the checks about them are not judged, and say why."""
    row = _row(headers={"content-type": "application/json", "x-request-id": "X-REQUEST-ID-XXX", "openai-processing-ms": ["12", "proj_1"],
                        "openai-version": "[REDACTED]", "x-ratelimit-limit-tokens": "<filtered>"})
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(row) + "\n" + json.dumps(_row(headers={})) + "\n")
    _, (redacted, headerless) = recordings.read(str(path))
    judged = lost.judged(redacted, "/chat/completions", History())
    assert judged.lost_headers == {"x-request-id", "openai-processing-ms", "openai-version", "x-ratelimit-limit-tokens"}
    assert not judged.evidence(Finding("an x-request-id header", "(absent)", "header:x-request-id"))
    assert judged.evidence(Finding("application/json", "text/plain", "header:content-type"))
    outcomes = {o.check.id: o for o, _ in judge(judged.exchange, Expect(200), {}, judged.skip, judged.evidence)}
    assert "headers.request-id" not in outcomes and "headers.meta-present" not in outcomes  # every finding about a lost header
    assert outcomes["body.schema"].passed
    partly = lost.judged(dataclasses.replace(redacted, response_headers=(("content-type", "application/json"), ("openai-version", "[REDACTED]"))),
                         "/chat/completions", History())
    outcomes = {o.check.id: o for o, _ in judge(partly.exchange, Expect(200), {}, partly.skip, partly.evidence)}
    # openai-version redacted: not evidence; openai-processing-ms not sent at all: still a finding
    assert [v.finding.pointer for v in outcomes["headers.meta-present"].violations] == ["header:openai-processing-ms"]
    judged = lost.judged(headerless, "/chat/completions", History())
    assert judged.exchange.response.headers["content-type"] == "application/json"  # from its body
    assert "headers.request-id" in judged.skip and "http.content-type" in judged.skip
    assert "the recording keeps none" in judged.not_judged["response headers"]


@pytest.mark.parametrize(("content", "error"), [
    (None, "cannot read"),
    (b"just some text\n", "not a recording this suite reads"),
    (b"interactions: [\n\t- {", "not a recording this suite reads"),
    (b'{"log": {"entries": [{"request": {"url": "https://example.com/x"}, "response": {"status": 200}}]}}', "no OpenAI API exchange"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, error):
    from conformance.cli import main

    path = tmp_path / "recording.har"
    if content is not None:
        path.write_bytes(content)
    assert main(["judge", str(path), "--report-dir", str(tmp_path / "out")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert error in line


def test_judge_writes_the_run_reports_with_sources(tmp_path):
    """A cassette judged like a run: results.json with each exchange's source and what was not judged, JUnit, HTML."""
    from conformance.cli import main
    from conformance.reporting import document

    out = tmp_path / "out"
    code = main(["judge", str(RAW / "crewai-responses-stream-redacted.yaml"), str(RAW / "mirascope-chat-401.yaml"),
                 "--report-dir", str(out), "--", "-q", "-p", "no:warnings"])
    results = document.load(str(out / "results.json"))  # valid against the results schema
    assert code in (0, 1) and results["summary"]["error"] == 0
    assert results["target"]["recordings"] == [str(RAW / "crewai-responses-stream-redacted.yaml"), str(RAW / "mirascope-chat-401.yaml")]
    by_id = {case["id"]: case for case in results["cases"]}
    crewai = by_id["cases.py::test_recorded[crewai-responses-stream-redacted.yaml#0]"]
    [exchange] = crewai["exchanges"]
    assert exchange["source"]["file"].endswith("crewai-responses-stream-redacted.yaml") and exchange["source"]["index"] == 0
    assert "x-request-id" in exchange["source"]["not_judged"]["redacted headers"]
    assert "headers.request-id" not in exchange["checks"]  # x-request-id redacted: not judged, neither passed nor failed
    assert by_id["cases.py::test_recorded[mirascope-chat-401.yaml#0]"]["section"] == "Chat > Create chat completion"
    assert "test_recorded[mirascope-chat-401.yaml#0]" in (out / "junit.xml").read_text()
    assert "not judged: redacted headers: " in (out / "report.html").read_text()


def test_checks_across_the_exchanges_of_a_recording(tmp_path):
    """A stored response's GET is judged against the create recorded before it; an x-request-id repeated
    with another Date is a finding, with the same Date a recorder's copy, skipped."""
    from conformance.cli import main

    created = {"id": "resp_1", "object": "response", "created_at": 1767225600, "status": "completed", "model": "gpt-4o-mini",
               "output": [{"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
                           "content": [{"type": "output_text", "text": "Hi", "annotations": []}]}]}
    changed = {**created, "output": [{**created["output"][0], "content": [{"type": "output_text", "text": "Bye", "annotations": []}]}]}

    def row(method, path, body, answer, request_id, date="Thu, 01 Jan 2026 00:00:00 GMT"):
        return {"request": {"method": method, "url": f"https://api.openai.com/v1{path}", "headers": {}, "body": body and json.dumps(body)},
                "response": {"status": 200, "headers": {"content-type": "application/json", "x-request-id": request_id, "date": date},
                             "body": json.dumps(answer)}}

    rows = [row("POST", "/responses", {"model": "gpt-4o-mini", "input": "Hi"}, created, "req_1"),
            row("GET", "/responses/resp_1", None, changed, "req_2"),
            row("GET", "/responses/resp_1", None, changed, "req_2"),
            row("GET", "/responses/resp_1", None, created, "req_2", "Thu, 01 Jan 2026 00:00:09 GMT")]
    path = tmp_path / "session.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out"
    assert main(["judge", str(path), "--report-dir", str(out), "--", "-q", "-p", "no:warnings"]) == 1
    cases = {c["id"].split("#")[1].rstrip("]"): c for c in json.loads((out / "results.json").read_text())["cases"]}
    failed = {index: {c["id"] for c in case["checks"] if c["status"] == "fail"} for index, case in cases.items()}
    assert "responses.retrieved" in failed["1"] and "headers.request-id-unique" not in failed["1"]
    assert cases["2"]["status"] == "skip" and "a recorder's copy" in cases["2"]["reason"]
    assert "headers.request-id-unique" in failed["3"] and "responses.retrieved" not in failed["3"]
