"""Endpoint checks on hand-made exchanges: legal variations pass (principle 2), the violations they exist for fail."""

from __future__ import annotations

import base64
import hashlib
import json
import struct

import httpx
import pytest

from conformance import samples
from conformance.checks import REGISTRY, Expect
from conformance.exchange import Exchange, Upload

KEY = "a-secret-key-for-these-tests"


def _exchange(method: str, path: str, *, body: object = None, form: dict | None = None, uploads=(), status: int = 200,
              content: bytes | None = None, content_type: str = "application/json") -> Exchange:
    request = httpx.Request(method, f"http://127.0.0.1:1/v1{path}", json=body, headers={"Authorization": f"Bearer {KEY}"})
    data = content if content is not None else b""
    response = httpx.Response(status, headers={"content-type": content_type}, content=data)
    return Exchange(request=request, path=path.split("?")[0], response=response, secrets=(KEY,), form=form or {}, uploads=tuple(uploads))


def _json(method: str, path: str, request: object, answer: object, **kwargs) -> Exchange:
    return _exchange(method, path, body=request, content=json.dumps(answer).encode(), **kwargs)


def findings(check_id: str, ex: Exchange) -> list:
    check = REGISTRY[check_id]
    assert check.applies(ex), f"{check_id} does not apply"
    return list(check.run(ex, Expect(200)))


def _b64(values, order="<") -> str:
    return base64.b64encode(struct.pack(f"{order}{len(values)}f", *values)).decode()


EMBEDDING_REQUEST = {"model": "m", "input": ["a", "b"], "encoding_format": "base64", "dimensions": 3}


def _embeddings(vectors) -> dict:
    return {"object": "list", "model": "m", "usage": {"prompt_tokens": 2, "total_tokens": 2},
            "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]}


def test_base64_little_endian_embeddings_pass():
    ex = _json("POST", "/embeddings", EMBEDDING_REQUEST, _embeddings([_b64([0.1, -0.2, 0.3]), _b64([0.5, 0.5, -0.7])]))
    assert findings("embeddings.encoding", ex) == findings("embeddings.dimensions", ex) == findings("embeddings.count", ex) == []


@pytest.mark.parametrize(
    ("vectors", "check"),
    [
        ([[0.1, -0.2, 0.3], [0.5, 0.5, -0.7]], "embeddings.encoding"),  # base64 ignored
        ([_b64([0.1, -0.2, 0.3], ">"), _b64([0.5, 0.5, -0.7], ">")], "embeddings.encoding"),  # big-endian
        (["not base64!", "AAA="], "embeddings.encoding"),
        ([_b64([0.1, -0.2, 0.3, 0.4]), _b64([0.5, 0.5, -0.7, 0.1])], "embeddings.dimensions"),
        ([_b64([0.1, -0.2, 0.3])], "embeddings.count"),
    ],
    ids=["floats", "big-endian", "not-base64", "dimensions-ignored", "one-missing"],
)
def test_embedding_violations_fail(vectors, check):
    assert findings(check, _json("POST", "/embeddings", EMBEDDING_REQUEST, _embeddings(vectors)))


@pytest.mark.parametrize(
    ("fmt", "content_type", "text"),
    [
        ("srt", "text/plain; charset=utf-8", "1\r\n00:00:00,000 --> 00:00:01,500\r\nHello.\r\n\r\n2\r\n00:00:01,500 --> 00:00:02,000\r\nTwo lines\r\nof text.\r\n"),
        ("srt", "text/plain; charset=utf-8", ""),
        ("srt", "text/plain; charset=utf-8", "\ufeff1\n00:00:00,000 --> 00:00:01,000\nHi.\n"),
        ("vtt", "text/vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nHi.\n"),
        ("vtt", "text/vtt", "WEBVTT - a title\nKind: captions\n\nNOTE made by a test\n\ncue-1\n00:00:00.000 --> 00:00:01.000 align:start\nHi.\n"),
        ("vtt", "text/vtt", "WEBVTT\r\n\r\n00:00:00.000 --> 00:00:01.000\r\nHi.\r\n"),
    ],
    ids=["srt-crlf-two-cues", "srt-no-speech", "srt-bom", "vtt-short-times", "vtt-title-note-id-settings", "vtt-crlf"],
)
def test_legal_subtitles_pass(fmt, content_type, text):
    ex = _exchange("POST", "/audio/transcriptions", form={"model": "whisper-1", "response_format": fmt}, content=text.encode(), content_type=content_type)
    assert findings("transcription.format", ex) == findings("media.content-type", ex) == []


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("text", '{"text": "Hello."}'),
        ("srt", "1\n00:00:00.000 --> 00:00:01.000\nHi.\n"),
        ("srt", "00:00:00,000 --> 00:00:01,000\nHi.\n"),
        ("vtt", "00:00:00.000 --> 00:00:01.000\nHi.\n"),
        ("vtt", "WEBVTT\n\n00:00:00,000 --> 00:00:01,000\nHi.\n"),
    ],
    ids=["text-as-json", "srt-dot", "srt-no-number", "vtt-no-header", "vtt-comma"],
)
def test_transcript_violations_fail(fmt, text):
    ex = _exchange("POST", "/audio/transcriptions", form={"model": "whisper-1", "response_format": fmt}, content=text.encode(), content_type="text/plain")
    assert findings("transcription.format", ex)


def test_plain_text_that_happens_to_parse_as_a_json_scalar_passes():
    ex = _exchange("POST", "/audio/transcriptions", form={"model": "whisper-1", "response_format": "text"}, content=b"42\n", content_type="text/plain")
    assert findings("transcription.format", ex) == []


@pytest.mark.parametrize(
    ("fmt", "content", "content_type"),
    [("mp3", b"ID3\x04\x00" + bytes(20), "Audio/MPEG"), ("mp3", b"\xff\xf3\x90\x64" + bytes(20), "audio/mpeg; charset=binary"),
     ("pcm", bytes(64), "audio/pcm"), ("wav", samples.wav(0.01), "audio/x-wav"), ("opus", b"OggS" + bytes(20), "audio/ogg")],
    ids=["mp3-id3-upper-case-type", "mp3-mpeg2-frame-with-parameter", "pcm", "wav-x-wav", "opus-in-ogg"],
)
def test_legal_speech_passes(fmt, content, content_type):
    ex = _exchange("POST", "/audio/speech", body={"model": "tts-1", "input": "Hi", "voice": "alloy", "response_format": fmt}, content=content, content_type=content_type)
    assert findings("speech.audio", ex) == findings("media.content-type", ex) == []


def test_speech_of_another_format_fails():
    ex = _exchange("POST", "/audio/speech", body={"model": "tts-1", "input": "Hi", "voice": "alloy"}, content=samples.wav(0.01), content_type="audio/mpeg")
    assert findings("speech.audio", ex) and findings("media.content-type", ex) == []


def test_images_as_data_url_or_jpeg_pass():
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(16)).decode()
    url = _json("POST", "/images/generations", {"prompt": "x"}, {"created": 1, "data": [{"url": "data:image/png;base64,AAAA"}]})
    b64 = _json("POST", "/images/generations", {"prompt": "x", "response_format": "b64_json"}, {"created": 1, "data": [{"b64_json": jpeg}]})
    assert findings("images.response-format", url) == findings("images.response-format", b64) == []


def test_moderation_with_null_categories_and_extra_fields_passes():
    result = {"flagged": False, "categories": {"illicit": None, "hate": False}, "category_scores": {"illicit": 0.0, "hate": 0.1}, "x_new": 1}
    ex = _json("POST", "/moderations", {"input": ["a"]}, {"id": "modr-1", "model": "m", "results": [result]})
    assert findings("moderation.flagged", ex) == findings("moderation.category-keys", ex) == findings("moderation.results-count", ex) == []


def test_delete_answer_with_new_fields_passes_and_deleted_false_fails():
    ok = _json("DELETE", "/files/file-1", None, {"id": "file-1", "object": "file", "deleted": True, "x_new": {}})
    bad = _json("DELETE", "/files/file-1", None, {"id": "file-1", "object": "file", "deleted": False})
    assert findings("resource.deleted", ok) == [] and findings("resource.deleted", bad)


def test_upload_described_with_new_fields_passes():
    answer = {"id": "file-1", "object": "file", "bytes": 5, "created_at": 1, "filename": "a.txt", "purpose": "assistants", "x_new": True}
    ex = _exchange("POST", "/files", form={"purpose": "assistants"}, uploads=[Upload("file", "a.txt", 5)], content=json.dumps(answer).encode())
    assert findings("files.upload", ex) == []


def test_multipart_curl_names_fields_and_file_without_the_key():
    request = httpx.Request("POST", "http://127.0.0.1:1/v1/files", data={"purpose": "fine-tune"}, files={"file": ("train.jsonl", b"{}")},
                            headers={"Authorization": f"Bearer {KEY}"})
    request.read()
    ex = Exchange(request=request, path="/files", response=None, secrets=(KEY,), form={"purpose": "fine-tune"}, uploads=(Upload("file", "train.jsonl", 2),))
    curl = ex.curl()
    assert "-F purpose=fine-tune -F file=@train.jsonl" in curl
    assert KEY not in curl and "content-type" not in curl.lower() and "--data-raw" not in curl


@pytest.mark.parametrize(("served", "ok"), [(b"line 1\nline 2\n", True), (b"line 1\r\nline 2\r\n", False), (b"line 1\n", False)])
def test_file_content_must_be_the_uploaded_bytes(served, ok):
    sent = b"line 1\nline 2\n"
    upload = _exchange("POST", "/files", form={"purpose": "assistants"}, uploads=[Upload("file", "a.txt", len(sent), hashlib.sha256(sent).hexdigest())],
                       content=b"{}")
    content = _exchange("GET", "/files/file-1/content", content=served, content_type="application/octet-stream")
    check = REGISTRY["files.content"]
    assert check.applies(content) and check.within(Expect(200, upload))
    assert (list(check.run(content, Expect(200, upload))) == []) is ok
