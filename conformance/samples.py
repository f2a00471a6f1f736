"""Tiny samples made in code (no fixtures on disk, no dependencies): audio to upload, images to answer with, token ids."""

from __future__ import annotations

import array
import io
import math
import struct
import sys
import wave
import zlib

SAMPLE_RATE = 16000
TOKEN_IDS = 256
"""Token ids below this are in every model's vocabulary (byte-level ones start with 256 byte tokens; a tiny model
has a few hundred). Ids are the model's business: llama.cpp's server answers one its vocabulary lacks with 400
"Prompt contains invalid tokens", so the suite sends no larger id where it means a valid request."""


def wav(seconds: float = 0.5) -> bytes:
    """A mono 16-bit PCM WAV file of silence (16 kB for half a second)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(b"\0\0" * int(SAMPLE_RATE * seconds))
    return buffer.getvalue()


def tone(seconds: float, rate: int, hertz: float = 440.0) -> bytes:
    """Raw mono 16-bit little-endian PCM of a sine tone at half amplitude (the Realtime API's audio/pcm)."""
    samples = array.array("h", (int(16383 * math.sin(2 * math.pi * hertz * n / rate)) for n in range(int(rate * seconds))))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def wav_seconds(data: bytes) -> float | None:
    """The duration of a WAV file, or ``None`` when it is not one."""
    try:
        with wave.open(io.BytesIO(data)) as read:
            return read.getnframes() / read.getframerate()
    except (wave.Error, EOFError):
        return None


def png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (16, 163, 127)) -> bytes:
    """A valid PNG of one colour (a few dozen bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


IMAGE_SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),  # followed by the size and "WEBP" at offset 8
}


def image_kind(data: bytes) -> str | None:
    """Which image format the bytes are, by their signature."""
    for kind, signatures in IMAGE_SIGNATURES.items():
        if data.startswith(signatures) and (kind != "webp" or data[8:12] == b"WEBP"):
            return kind
    return None


def audio_kind(data: bytes) -> str | None:
    """Which container or codec the bytes are, by their signature (``None``: none we know)."""
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE6 == 0xE2):
        return "mp3"  # an ID3 tag, or an MPEG audio layer III frame sync
    if len(data) > 1 and data[0] == 0xFF and data[1] & 0xF6 == 0xF0:
        return "aac"  # ADTS frame sync (layer bits 00)
    if data.startswith(b"ADIF"):
        return "aac"
    if data.startswith(b"OggS"):
        return "opus"
    if data.startswith(b"fLaC"):
        return "flac"
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "wav"
    return None
