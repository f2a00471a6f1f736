"""Strict enough SubRip and WebVTT readers for transcripts: a problem as a string, or ``None`` when valid.

Written here rather than depending on a subtitle library: the suite needs only the structure
(cue numbers, timing lines, the WEBVTT header) and a precise reason when it is wrong.
"""

from __future__ import annotations

import re

_SRT_TIME = r"\d{2,}:\d{2}:\d{2},\d{3}"
_SRT_TIMING = re.compile(rf"^{_SRT_TIME} --> {_SRT_TIME}$")
_VTT_TIME = r"(?:\d{2,}:)?\d{2}:\d{2}\.\d{3}"
_VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?$")


def _blocks(text: str) -> list[list[str]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    return blocks + ([current] if current else [])


def srt_problem(text: str) -> str | None:
    """Why ``text`` is not SubRip: numbered cues (1, 2, ...), each a ``00:00:01,000 --> 00:00:02,500`` line then text."""
    for number, block in enumerate(_blocks(text.lstrip("\ufeff")), start=1):
        if block[0].strip() != str(number):
            return f"cue {number} starts with {block[0]!r}, not its number {number}"
        if len(block) < 2 or not _SRT_TIMING.match(block[1].strip()):
            return f"cue {number} has no 'HH:MM:SS,mmm --> HH:MM:SS,mmm' line (saw {block[1] if len(block) > 1 else '(nothing)'!r})"
    return None


def vtt_problem(text: str) -> str | None:
    """Why ``text`` is not WebVTT: a ``WEBVTT`` header line, then cues whose timing line uses ``HH:MM:SS.mmm``."""
    blocks = _blocks(text.lstrip("\ufeff"))
    if not blocks or not re.match(r"^WEBVTT(?:[ \t].*)?$", blocks[0][0]):
        return f"the first line is {blocks[0][0] if blocks else '(empty)'!r}, not 'WEBVTT'"
    for number, block in enumerate(blocks[1:], start=1):
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing = block[0] if "-->" in block[0] else (block[1] if len(block) > 1 else "")
        if not _VTT_TIMING.match(timing.strip()):
            return f"block {number} has no 'HH:MM:SS.mmm --> HH:MM:SS.mmm' timing line (saw {timing or block[0]!r})"
    return None
