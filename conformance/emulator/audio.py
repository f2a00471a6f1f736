"""POST /audio/speech and /audio/transcriptions: tiny audio per format, transcripts in every format."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request

from conformance import samples
from conformance.emulator import models
from conformance.emulator.errors import APIError, invalid
from conformance.emulator.faults import active, declare
from conformance.emulator.replies import raw, reply
from conformance.emulator.validation import Number, json_object, require

SPEECH_CONTENT_TYPE = declare("speech-content-type", "media.content-type", "test_speech_formats", "speech always labelled audio/mpeg, whatever the format")
SPEECH_WRONG_AUDIO = declare("speech-wrong-audio", "speech.audio", "test_speech_formats", "speech answers WAV bytes for every response_format")
SPEECH_UNVALIDATED = declare("speech-unvalidated", "http.status", "test_invalid_request and speech", "voice, speed and response_format not validated")
TEXT_AS_JSON = declare("transcription-text-as-json", "transcription.format", "test_transcription_formats", 'response_format text answered as JSON {"text": ...}')
SRT_MALFORMED = declare("srt-malformed", "transcription.format", "test_transcription_formats", "srt cue times written with a dot (the WebVTT way)")
VTT_NO_HEADER = declare("vtt-no-header", "transcription.format", "test_transcription_formats", "vtt without its WEBVTT header")
TRANSCRIPTION_UNVALIDATED = declare("transcription-unvalidated", "http.status", "test_invalid_transcription", "transcription file, format and temperature not validated")

VOICES = {"alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse", "marin", "cedar"}
MAX_INPUT = 4096
TRANSCRIPT = "This is a deterministic transcript from the openai-conformance reference emulator."
AUDIO_EXTENSIONS = {"flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm"}

# A few bytes that start like each format (what a player sniffs), plus silence.
_SILENCE = samples.wav(0.1)
AUDIO = {
    "mp3": (b"\xff\xfb\x90\x64" + bytes(413), "audio/mpeg"),
    "opus": (b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x01" + bytes(10), "audio/opus"),
    "aac": (b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(9), "audio/aac"),
    "flac": (b"fLaC\x80\x00\x00\x22" + bytes(34), "audio/flac"),
    "wav": (_SILENCE, "audio/wav"),
    "pcm": (_SILENCE[44:], "audio/pcm"),  # raw 16-bit samples: the WAV without its header
}


async def speech(request: Request):
    body = await json_object(request)
    require(body, "model", str)
    require(body, "input", str)
    require(body, "voice", object)
    models.find(body["model"], "speech", request)
    fmt = body.get("response_format", "mp3")
    if not active(request, SPEECH_UNVALIDATED):
        if not body["input"] or len(body["input"]) > MAX_INPUT:
            raise invalid("input", f"Invalid 'input': expected between 1 and {MAX_INPUT} characters.")
        if not isinstance(body["voice"], str) or body["voice"] not in VOICES:
            raise invalid("voice", f"Invalid 'voice': expected one of {sorted(VOICES)}.")
        Number("speed", False, 0.25, 4.0).validate(body)
        if not isinstance(fmt, str) or fmt not in AUDIO:
            raise invalid("response_format", f"Invalid 'response_format': expected one of {list(AUDIO)}.")
    audio, media_type = AUDIO.get(fmt, AUDIO["mp3"])
    if active(request, SPEECH_WRONG_AUDIO):
        audio = AUDIO["wav"][0]
    if active(request, SPEECH_CONTENT_TYPE):
        media_type = "audio/mpeg"
    return raw(request, audio, media_type)


def _timestamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    return f"{millis // 3_600_000:02d}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}{separator}{millis % 1000:03d}"


def _subtitles(fmt: str, seconds: float, request: Request) -> str:
    dot = fmt == "vtt" or active(request, SRT_MALFORMED)
    cue = f"{_timestamp(0, '.' if dot else ',')} --> {_timestamp(seconds, '.' if dot else ',')}\n{TRANSCRIPT}\n"
    if fmt == "srt":
        return f"1\n{cue}\n"
    return ("" if active(request, VTT_NO_HEADER) else "WEBVTT\n\n") + cue


async def transcription(request: Request):
    form = await request.form()
    upload, fields = form.get("file"), {k: v for k, v in form.items() if isinstance(v, str)}
    if not isinstance(upload, UploadFile):
        raise APIError(400, "Missing required parameter: 'file'.", param="file", code="missing_required_parameter")
    require(fields, "model", str)
    models.find(fields["model"], "transcription", request)
    fmt = fields.get("response_format", "json")
    data = await upload.read()
    if not active(request, TRANSCRIPTION_UNVALIDATED):
        extension = (upload.filename or "").rsplit(".", 1)[-1].lower()
        if extension not in AUDIO_EXTENSIONS or not data:
            raise invalid("file", f"Invalid file format. Supported formats: {sorted(AUDIO_EXTENSIONS)}", "invalid_file_format")
        if fmt not in ("json", "text", "srt", "verbose_json", "vtt"):
            raise invalid("response_format", "Invalid 'response_format': expected one of json, text, srt, verbose_json, vtt.")
        try:
            Number("temperature", False, 0, 1).validate({"temperature": float(fields.get("temperature", 0))})
        except ValueError:
            raise invalid("temperature", "Invalid 'temperature': expected a number.", "invalid_type") from None
    seconds = samples.wav_seconds(data) or 1.0
    if fmt == "text":
        if active(request, TEXT_AS_JSON):
            return reply(request, 200, {"text": TRANSCRIPT})
        return raw(request, TRANSCRIPT + "\n", "text/plain")
    if fmt in ("srt", "vtt"):
        return raw(request, _subtitles(fmt, seconds, request), "text/vtt" if fmt == "vtt" else "text/plain")
    if fmt == "verbose_json":
        segment = {"id": 0, "seek": 0, "start": 0.0, "end": seconds, "text": " " + TRANSCRIPT, "tokens": [50364, 50414],
                   "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.0, "no_speech_prob": 0.01}
        return reply(request, 200, {"task": "transcribe", "language": fields.get("language", "english"), "duration": seconds,
                                    "text": TRANSCRIPT, "segments": [segment], "usage": {"type": "duration", "seconds": round(seconds)}})
    return reply(request, 200, {"text": TRANSCRIPT, "usage": {"type": "duration", "seconds": round(seconds)}})


ROUTES = [("speech", "POST", "/audio/speech", speech), ("transcriptions", "POST", "/audio/transcriptions", transcription)]
