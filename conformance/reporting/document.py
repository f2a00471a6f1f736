"""Reading a results.json back: the commands that compare or reprint runs (diff, departures, compare) share this."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema

from conformance.case_ids import canonical
from conformance.checks.base import shorten

FORMAT_VERSION = 2
SCHEMA = Path(__file__).with_name("results.schema.json")


class ResultsFileError(Exception):
    """A file that is not a results.json of this format: one line, exit code 2."""


def load(path: str) -> dict:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ResultsFileError(f"cannot read {path}: {error.strerror or error}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ResultsFileError(f"{path} is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_VERSION:
        raise ResultsFileError(f"{path} is not a results.json of format {FORMAT_VERSION} (written by openai-conformance run)")
    if error := jsonschema.exceptions.best_match(_validator().iter_errors(document)):
        where = "/".join(str(p) for p in error.absolute_path)
        raise ResultsFileError(f"{path} does not follow the results schema at /{where}: {shorten(error.message, 120)}")
    return with_canonical_ids(document)


def with_canonical_ids(document: dict) -> dict:
    """Case ids in the form every run now writes, so that a file written before (``cases/test_x.py::…``,
    by ``pytest --pyargs`` from a checkout) compares with any other (conformance/case_ids.py). The
    readers fold departures again from the cases (older files have none), so only the cases change."""
    for case in document["cases"]:
        case["id"] = canonical(case["id"])
    return document


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
