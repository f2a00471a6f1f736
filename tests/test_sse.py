"""The strict SSE reader: what the standard allows is read as a lenient client reads it; what it drops is reported."""

from __future__ import annotations

import pytest

from conformance.sse import DONE, NOT_JSON, Reader, Stream


def read(*chunks: bytes) -> Reader:
    reader = Reader()
    for arrival, chunk in enumerate(chunks):
        reader.feed(chunk, float(arrival))
    reader.close()
    return reader


def datas(reader: Reader) -> list[str]:
    return [event.data for event in reader.events]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_line_endings(newline):
    body = b"data: 1" + newline + newline + b"data: [DONE]" + newline + newline
    reader = read(body)
    assert datas(reader) == ["1", "[DONE]"] and reader.violations == []


def test_crlf_split_between_reads_is_one_line_break():
    reader = read(b"data: 1\r", b"\n\r", b"\ndata: 2\r\n\r\n")
    assert datas(reader) == ["1", "2"] and reader.violations == []
    assert [e.arrival for e in reader.events] == [1.0, 2.0]


def test_comments_fields_and_multiline_data():
    body = b": keep-alive\n\nevent: chunk\nid: 7\nretry: 3000\ndata: {\n: inside\ndata:  \"a\": 1}\nunknown: x\n\ndata: [DONE]\n\n"
    reader = read(body)
    assert datas(reader) == ['{\n "a": 1}', "[DONE]"]
    assert (reader.events[0].type, reader.events[0].id) == ("chunk", "7")
    assert (reader.events[1].type, reader.events[1].id) == ("message", "7")  # the last event id carries over
    assert reader.violations == []


def test_data_without_space_bom_and_empty_data():
    reader = read("\ufeffdata:{}\n\ndata\n\n".encode())
    assert datas(reader) == ["{}", ""] and reader.violations == []


def test_event_split_anywhere_across_reads():
    body = b'data: {"x": "\xc3\xa9"}\n\ndata: [DONE]\n\n'
    for cut in range(1, len(body)):
        reader = read(body[:cut], body[cut:])
        assert datas(reader) == ['{"x": "é"}', DONE] and reader.violations == [], cut


@pytest.mark.parametrize("body", [b"data: 1\n\ndata: [DONE]\n", b"data: 1\n\ndata: [DONE]"], ids=["one-newline", "no-newline"])
def test_unterminated_last_event_is_not_dispatched_and_is_reported(body):
    reader = read(body)
    assert datas(reader) == ["1"]
    assert reader.violations and "blank line" in reader.violations[0]


def test_invalid_utf8_is_reported():
    reader = read(b"data: \xff\n\n")
    assert datas(reader) == ["\ufffd"] and "UTF-8" in reader.violations[0]


def test_stream_record_parses_payloads_and_skips_close_when_interrupted():
    stream = Stream(((0.1, b'data: {"a": 1}\n\ndata: nope\n\n'), (0.2, b"data: [DONE]\n\ndata: {")), interrupted=None)
    assert stream.payloads == [{"a": 1}, NOT_JSON, DONE]
    assert len(stream.violations) == 1
    cut = Stream(((0.1, b"data: {"),), interrupted="stalled")
    assert cut.events == [] and cut.violations == []  # an interrupted stream is reported as such, not as framing
