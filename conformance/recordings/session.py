"""The pytest plugin of ``openai-conformance judge`` (``-p conformance.recordings.session``): reads the
recordings, makes one case per OpenAI exchange of them (conformance/recordings/cases.py), and describes
them as the run's target, so every report of a run (results.json, report.html, JUnit, the departures) follows.

Exchanges are judged in the order recorded. The checks across exchanges see the earlier exchanges of the
same recording (a file, or for a JSON Lines row the file it was first recorded in): x-request-id repeated
within it (headers.request-id-unique), and a stored response's GET, input items or next turn against the
create it names (responses.stored, responses.retrieved, responses.input-items, responses.previous-context).
Under pytest-xdist every recording stays on one worker (``--dist loadgroup``), so they still see them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import PurePath

import pytest

from conformance import recordings
from conformance.checks import Expect
from conformance.exchange import Exchange
from conformance.history import History
from conformance.operations import match
from conformance.recordings import lost
from conformance.recordings.recorded import Recorded

RECORDING_OPTION = "--judge-recording"
BASE_URL_OPTION = "--judge-base-url"
_READ = pytest.StashKey[list[tuple[Recorded, str]]]()
_RECORDINGS = pytest.StashKey[dict]()
_CREATE = "POST /responses"
_BY_CREATED_ID = ("GET /responses/{response_id}", "GET /responses/{response_id}/input_items")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("openai-conformance judge", "judging recorded exchanges")
    group.addoption(RECORDING_OPTION, dest="judge_recordings", action="append", default=[], metavar="FILE",
                    help=f"a recording to judge ({recordings.FORMATS})")
    group.addoption(BASE_URL_OPTION, dest="judge_base_url", default=None, metavar="URL",
                    help="judge the exchanges whose URL starts with this (default: any host, paths with /v1/)")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """Bad input (a file missing or of no known format, no OpenAI exchange in them) in one line, exit 2."""
    if not config.getoption("judge_recordings"):
        return None
    try:
        found = _read(config)
    except recordings.RecordingError as error:
        sys.stderr.write(f"openai-conformance: {error}\n")
        return 2
    if not found:
        where = config.getoption("judge_base_url") or "any host, a path with /v1/"
        sys.stderr.write(f"openai-conformance: no OpenAI API exchange ({where}) in {', '.join(config.getoption('judge_recordings'))}\n")
        return 2
    return None


def _read(config: pytest.Config) -> list[tuple[Recorded, str]]:
    """Every OpenAI exchange of the recordings, with its path relative to the API's base (read once per process)."""
    if _READ not in config.stash:
        found, base_url = [], config.getoption("judge_base_url")
        for file in config.getoption("judge_recordings"):
            _, exchanges = recordings.read(file)
            found += [(r, path) for r in exchanges if (path := recordings.api_path(r.url, base_url)) is not None]
        config.stash[_READ] = found
    return config.stash[_READ]


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """The run's target, as results.json and the reports name it: the recordings."""
    collector = session.config.pluginmanager.get_plugin("conformance-results")
    if collector is not None:
        files = session.config.getoption("judge_recordings")
        names = [PurePath(file).name for file in files]
        shown = ", ".join(names) if len(names) <= 3 else f"{names[0]}, {names[1]} and {len(names) - 2} more"
        collector.target = {"base_url": f"recordings: {shown}", "profile": "default", "capabilities": [], "models": {}, "recordings": files}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.function.__module__ != "conformance.recordings.cases":
        return
    metafunc.parametrize("recorded", [pytest.param((recorded, path), id=recorded.label, marks=pytest.mark.xdist_group(_recording(recorded)))
                                      for recorded, path in _read(metafunc.config)])


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The reference section and capability of each case (the operation's), as a run's cases carry them."""
    for item in items:
        if not (hasattr(item, "callspec") and "recorded" in item.callspec.params):
            continue
        recorded, path = item.callspec.params["recorded"]
        operation, _ = match(recorded.method, path)
        item.user_properties.append(("reference", operation.section if operation else f"{recorded.method} {path} (not in the reference)"))
        item.user_properties.append(("capability", (operation.capability or "") if operation else ""))


@pytest.fixture
def recording(pytestconfig: pytest.Config) -> Callable[[Recorded], Recording]:
    """The recording a recorded exchange belongs to, as judged so far in this process."""
    recordings_ = pytestconfig.stash.setdefault(_RECORDINGS, {})
    return lambda recorded: recordings_.setdefault(_recording(recorded), Recording())


class NotJudged(Exception):
    """An exchange with nothing to judge (a recorder's copy, a body that does not decode): the message says why."""


class Recording:
    """What the checks across exchanges need of a recording's earlier exchanges."""

    def __init__(self, keep: int | None = None) -> None:
        """``keep``: how many of the latest creates a later GET or next turn is compared with (all by default;
        the proxy, which runs for as long as its user wants, keeps a bounded number)."""
        self.history = History()
        self._keep = keep
        self._created: dict[str, Exchange] = {}
        self._answers: dict[tuple[str, str], str] = {}

    def prepare(self, recorded: Recorded, path: str) -> tuple[lost.Judged, Expect]:
        """The next exchange of the recording as the checks see it, and what they expect of it (``judge`` and
        ``proxy`` both judge through here); raises NotJudged. ``path``: relative to the API's base."""
        if original := self.copy_of(recorded):
            raise NotJudged(f"the answer of {original} again (same x-request-id and Date): a recorder's copy, not a second answer")
        try:
            judged = lost.judged(recorded, path, self.history)
        except lost.UnreadableBody as error:
            raise NotJudged(str(error)) from None
        # The recorded status is the expectation: a recording shows what was answered, not what was asked for.
        return judged, Expect(recorded.status, same_as=self.earlier(judged.exchange))

    def earlier(self, exchange: Exchange) -> Exchange | None:
        """The create a stored response's GET, input items or next turn names (``same_as``), if recorded before it."""
        key = exchange.operation.key if exchange.operation else None
        if key == _CREATE and exchange.ok and isinstance(exchange.data, dict):
            found = self._created.get(exchange.params.get("previous_response_id"))
            self._created[exchange.data.get("id")] = exchange
            if self._keep is not None and len(self._created) > self._keep:
                del self._created[next(iter(self._created))]  # the oldest
            return found
        return self._created.get(exchange.path_params.get("response_id")) if key in _BY_CREATED_ID else None

    def copy_of(self, recorded: Recorded) -> str | None:
        """The earlier exchange whose answer this one repeats (same x-request-id and Date): a recorder's copy, not an answer."""
        headers = {name.lower(): value for name, value in recorded.response_headers}
        if not headers.get("x-request-id") or lost.redacted_value(headers["x-request-id"]) or "x-request-id" in recorded.redacted:
            return None
        first = self._answers.setdefault((headers["x-request-id"], headers.get("date", "")), recorded.label)
        return None if first == recorded.label else first


def _recording(recorded: Recorded) -> str:
    """The recording an exchange belongs to: where it was first recorded when the file says, else the file."""
    origin = recorded.origin or {}
    return f"{origin.get('repo')}/{origin.get('path')}" if origin.get("path") else recorded.file
