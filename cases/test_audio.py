"""Audio: speech in every format, transcripts in every format, and transcription parameters the reference rejects
(invalid speech requests, which have a request schema: test_invalid_requests.py)."""

import pytest

from conformance import samples

SPEECH = pytest.mark.reference("Audio > Create speech")
TRANSCRIPTION = pytest.mark.reference("Audio > Create transcription")
SAY = "Hi."
"""Short on purpose: speech is billed per character."""
AUDIO = samples.wav(0.5)


def speech(model: str, **parameters) -> dict:
    return {"model": model, "input": SAY, "voice": "alloy", **parameters}


@pytest.mark.capability("speech")
@SPEECH
@pytest.mark.parametrize("response_format", [None, "mp3", "opus", "aac", "flac", "wav", "pcm"])
def test_speech_formats(api, models, response_format):
    parameters = {"response_format": response_format} if response_format else {}
    api.post("/audio/speech", json=speech(models.speech, **parameters), expect=200)


@pytest.mark.capability("speech")
@SPEECH
@pytest.mark.parametrize("speed", [0.25, 4.0])
def test_speech_speed_bounds(api, models, speed):
    api.post("/audio/speech", json=speech(models.speech, speed=speed, response_format="wav"), expect=200)


def transcribe(api, model: str, expect: int, filename: str = "openai-conformance.wav", content: bytes = AUDIO, **fields):
    return api.post("/audio/transcriptions", data={"model": model, **fields}, files={"file": (filename, content)}, expect=expect)


@pytest.mark.capability("transcriptions")
@TRANSCRIPTION
@pytest.mark.parametrize("response_format", [None, "json", "text", "srt", "verbose_json", "vtt"])
def test_transcription_formats(api, models, response_format):
    fields = {"response_format": response_format} if response_format else {}
    transcribe(api, models.transcription, 200, **fields)


@pytest.mark.capability("transcriptions")
@TRANSCRIPTION
def test_transcription_with_language_and_temperature(api, models):
    transcribe(api, models.transcription, 200, language="en", temperature="0")


@pytest.mark.capability("transcriptions")
@TRANSCRIPTION
@pytest.mark.parametrize(
    "change",
    [{"filename": "notes.txt", "content": b"not audio"}, {"response_format": "xml"}, {"temperature": "1.5"}],
    ids=["file_format", "response_format", "temperature"],
)
def test_invalid_transcription(api, models, change):
    transcribe(api, models.transcription, 400, **change)


@pytest.mark.capability("transcriptions")
@TRANSCRIPTION
def test_transcription_without_file(api, models):
    api.post("/audio/transcriptions", data={"model": models.transcription}, files={}, expect=400)
