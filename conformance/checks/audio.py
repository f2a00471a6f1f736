"""Audio semantics beyond the media type: speech is audio of the format asked for, transcripts have its shape."""

import json

from conformance import samples, subtitles
from conformance.checks.base import Finding, Level, check, shorten


def _answered(operation_key: str):
    return lambda ex: ex.ok and ex.operation is not None and ex.operation.key == operation_key and ex.media is not None


@check("speech.audio", Level.MUST, "Audio > Create speech", applies=_answered("POST /audio/speech"))
def speech_is_audio(ex, expect):
    """The speech body is audio in the response_format asked for (by its signature; pcm: whole 16-bit samples)."""
    wanted, body = ex.params.get("response_format") or "mp3", ex.response.content
    if wanted == "pcm":
        seen = "pcm" if body and len(body) % 2 == 0 and samples.audio_kind(body) is None else samples.audio_kind(body)
    else:
        seen = samples.audio_kind(body)
    if seen != wanted:
        yield Finding(f"{wanted} audio", f"{seen or 'unrecognised'} ({len(body)} bytes starting {body[:8]!r})", "body")


_TRANSCRIPT_FORMATS = ("text", "srt", "vtt")


@check("transcription.format", Level.MUST, "Audio > Create transcription",
       applies=lambda ex: _answered("POST /audio/transcriptions")(ex) and ex.params.get("response_format") in _TRANSCRIPT_FORMATS)
def transcript_shape(ex, expect):
    """response_format text is plain text (not JSON); srt parses as SubRip; vtt parses as WebVTT."""
    wanted, text = ex.params["response_format"], ex.response.text
    if wanted == "text":
        try:
            document = json.loads(text)
        except ValueError:
            return
        if isinstance(document, (dict, list)):
            yield Finding("the transcript as plain text", f"a JSON document: {shorten(text, 120)}", "body")
        return
    problem = subtitles.srt_problem(text) if wanted == "srt" else subtitles.vtt_problem(text)
    if problem:
        yield Finding(f"a {'SubRip' if wanted == 'srt' else 'WebVTT'} document", problem, "body")
