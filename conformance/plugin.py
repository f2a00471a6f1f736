"""The pytest plugin (entry point ``pytest11``): options, the target, the ``api`` fixture, results.

It does nothing to a project's own tests: the target is resolved and the emulator started only
when a conformance case asks for them, and the target is validated only when cases are selected.
"""

from __future__ import annotations

import dataclasses
import io
import secrets
import sys
import time

import pytest

from conformance import config as cfg
from conformance import depth, spending, steps, tls
from conformance.api import Api
from conformance.budget import Spend
from conformance.emulator.models import CATALOGUE
from conformance.emulator.server import EmbeddedServer
from conformance.fuzzing import plugin as fuzzing_plugin
from conformance.preflight import check_models, preflight
from conformance.reporting import record, results
from conformance.resources import Resources, terminate_as_interrupt
from conformance.selection import selects_cases
from conformance.transport import Client


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Generated requests (schemathesis): their options, collection and fixtures. Registered as the module
    this plugin has already imported (through spending): named in ``pytest_plugins``, pytest would warn
    in every run that it cannot rewrite its asserts."""
    pluginmanager.register(fuzzing_plugin, "conformance.fuzzing.plugin")

_RUN_STARTED = pytest.StashKey[float]()
_RUN_DEADLINE = pytest.StashKey[tuple[float, float]]()
"""(monotonic time, --run-timeout) after which no further case starts."""

RESULTS_OPTION = "--conformance-results"
HTML_OPTION = "--conformance-html"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("openai-conformance", "OpenAI API conformance target")
    for option in cfg.OPTIONS:
        env = f" [env: {option.env}]" if option.env else ""
        if option.type is bool:
            group.addoption(option.flag, dest=cfg.dest(option), action="store_true", default=None, help=option.help)
            continue
        default = f" [default: {option.default}]" if option.default is not None else ""
        group.addoption(option.flag, dest=cfg.dest(option), default=None, help=option.help + env + default)
    group.addoption(RESULTS_OPTION, dest="conformance_results", default=None, metavar="PATH", help="Write per-case results as JSON to PATH")
    group.addoption(HTML_OPTION, dest="conformance_html", default=None, metavar="PATH", help="Write the HTML report to PATH")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "reference(section): the section of the API reference a case verifies")
    config.addinivalue_line("markers", "capability(name): the target capability a case needs (models, chat, ...)")
    config.addinivalue_line("markers", "openresponses(test_id, ...): the Open Responses acceptance tests a case covers")
    # A should finding is in the departures table and the reports; pytest's warnings summary would print
    # each again in ~9 lines (thousands for a few faults). -W default::conformance.api.ConformanceWarning shows them.
    config.addinivalue_line("filterwarnings", "ignore::conformance.api.ConformanceWarning")
    config.stash[_RUN_STARTED] = time.monotonic()
    config.pluginmanager.register(record, "conformance-record")
    config.pluginmanager.register(steps, "conformance-steps")  # a case's must failures fail it once, at its end
    config.pluginmanager.register(spending, "conformance-spending")  # what the run spends, and its budget
    config.pluginmanager.register(depth, "conformance-depth")
    reports = config.getoption("conformance_results") or config.getoption("conformance_html")
    if not hasattr(config, "workerinput") and (reports or selects_cases(config)):
        # The departures table ends every run of the cases; the files are written when asked for.
        config.pluginmanager.register(results.Collector(config, _described(config)), "conformance-results")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """Reject bad configuration in one line (exit 2) before collecting anything."""
    if not selects_cases(config) or any(config.getoption(o) for o in ("help", "version", "collectonly")):
        return None
    if hasattr(config, "workerinput"):
        return None  # a pytest-xdist worker: the controller checked the configuration, and sent the one request
    try:
        target = target_from(config)
        if target.embedded:
            check_models(target, list(CATALOGUE))  # what the embedded emulator lists, without a request
        else:
            preflight(target)
    except cfg.ConfigError as error:
        sys.stderr.write(f"openai-conformance: {error}\n")
        return 2
    return None


class NothingSelected(pytest.exit.Exception):
    """No case is selected: one line and exit 2, the run stops before a session's worth of output and reports."""


NOTHING_SELECTED = "openai-conformance: no case selected (check -k, the paths after --, and the profile)"


_HELD = pytest.StashKey[object]()
"""The terminal's real output while the header waits for the collection (see pytest_sessionstart)."""
_COLLECTED = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Hold the terminal's output until the collection is known: a selection of no case is then one line.

    Not under pytest-xdist, whose controller collects nothing itself (its workers do)."""
    config = session.config
    writer = getattr(config.pluginmanager.get_plugin("terminalreporter"), "_tw", None)
    if selects_cases(config) and hasattr(writer, "_file") and not config.pluginmanager.has_plugin("dsession") and not hasattr(config, "workerinput"):
        config.stash[_HELD], writer._file = writer._file, io.StringIO()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    held = session.config.stash.get(_HELD, None)
    if held is None:
        return
    writer = session.config.pluginmanager.get_plugin("terminalreporter")._tw
    if session.config.stash.get(_COLLECTED, False) and not session.items and not session.testsfailed and not session.config.getoption("collectonly"):
        sys.stderr.write(NOTHING_SELECTED + "\n")
        raise NothingSelected("no case selected", returncode=2)  # the terminal's remaining output stays held, unseen
    held.write(writer._file.getvalue())
    writer._file = held


_TARGET = pytest.StashKey[cfg.Target]()


def target_from(config: pytest.Config) -> cfg.Target:
    """The run's target, resolved (profile file read, values checked) once per pytest config."""
    if _TARGET not in config.stash:
        config.stash[_TARGET] = cfg.resolve({cfg.dest(o): config.getoption(cfg.dest(o)) for o in cfg.OPTIONS})
    return config.stash[_TARGET]


def _described(config: pytest.Config) -> dict:
    """The target as results.json describes it, without credentials."""
    try:
        target = target_from(config)
    except cfg.ConfigError as error:  # --help or --collect-only with a bad configuration: nothing will run
        return {"base_url": f"(not resolved: {error})", "profile": "default", "capabilities": [], "models": {}}
    return {
        "base_url": results.public_url(target.base_url, target.api_key) if target.base_url else "embedded emulator",
        "profile": target.profile.name,
        "capabilities": sorted(target.profile.capabilities),
        "unsupported": target.profile.lacking(),
        "models": target.models.__dict__,
        "tls": tls.describe(target.ca_bundle, target.insecure),
    }


def pytest_report_header(config: pytest.Config) -> str | None:
    if selects_cases(config):
        target = target_from(config)
        insecure = "  (TLS certificate not verified: --insecure)" if target.insecure else ""
        return f"openai-conformance target: {target.described}{insecure}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[_COLLECTED] = True  # the collection ended normally (not by an error or an interrupt)
    cases = [item for item in items if item.get_closest_marker("reference")]
    if not cases:
        return  # another project's tests: leave them alone
    target = target_from(config)
    profile = target.profile
    if target.run_timeout:
        config.stash[_RUN_DEADLINE] = (config.stash[_RUN_STARTED] + target.run_timeout, target.run_timeout)
    for item in cases:
        item.user_properties.append(("reference", item.get_closest_marker("reference").args[0]))
        needed = {m.args[0] for m in item.iter_markers("capability")}
        item.user_properties.append(("capability", " ".join(sorted(needed))))
        if skipped := profile.skip_reason(needed):
            item.add_marker(pytest.mark.skip(reason=skipped))
        elif reason := profile.known_failure(item.nodeid):
            item.user_properties.append((results.KNOWN_FAILURE_PROPERTY, reason))
            # Strict: a known failure that starts passing fails the run, so the fix is noticed.
            item.add_marker(pytest.mark.xfail(reason=f"known failure: {reason}", strict=True, raises=pytest.fail.Exception))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """--run-timeout, --max-unanswered: a case that would start after the run's deadline, or once the target
    stopped answering, is not run, and says why (conformance/completeness.py: the verdict is then incomplete).

    The case in progress at the deadline finishes (its requests are bounded by their own timeouts).
    """
    if not item.get_closest_marker("reference"):
        return
    deadline = item.config.stash.get(_RUN_DEADLINE, None)
    if deadline and time.monotonic() > deadline[0]:
        pytest.skip(f"not run: the run's deadline passed (--run-timeout {deadline[1]:g} s)")
    if stopped := spending.process_spend(item.config).stopped_answering(target_from(item.config).max_unanswered):
        pytest.skip(f"not run: {stopped}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    # A pytest.fail from a check is the target's failure, also in a fixture (e.g. one creating a file
    # to work on); any other exception is the suite's own error. The phase tells this report's apart.
    if call.excinfo is not None and _is_verdict(call.excinfo.value):
        report.user_properties.append(("verdict", f"fail/{call.when}"))
        if report.failed:  # the messages alone: no exception a generated case's verdict was chained to, no group
            report.longrepr = verdict_text(call.excinfo.value)
    return report


def verdict_text(error: BaseException) -> str:
    """The checks' messages of a verdict (or a group of them), without the chained exceptions and tracebacks pytest would print."""
    messages = list(dict.fromkeys(str(e) for e in _leaves(error)))
    if len(messages) == 1:
        return messages[0]
    return f"{len(messages)} distinct failures:\n\n" + "\n\n".join(f"{i}. {m}" for i, m in enumerate(messages, 1))


def _leaves(error: BaseException) -> list[BaseException]:
    return [leaf for e in error.exceptions for leaf in _leaves(e)] if isinstance(error, BaseExceptionGroup) else [error]


def _is_verdict(error: BaseException) -> bool:
    """A check's pytest.fail, or a group of them (Hypothesis raises one per distinct failing example)."""
    if isinstance(error, BaseExceptionGroup):
        return all(_is_verdict(e) for e in error.exceptions)
    return isinstance(error, pytest.fail.Exception)


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> cfg.Target:
    target = target_from(pytestconfig)
    if target.embedded:
        target = dataclasses.replace(target, api_key=f"emulator-{secrets.token_hex(8)}")
    return target


@pytest.fixture(scope="session")
def models(target: cfg.Target) -> cfg.Models:
    return target.models


@pytest.fixture(scope="session")
def conformance_client(target: cfg.Target, spend: Spend):
    if target.embedded:
        # One emulator per process (per xdist worker): workers never share a port or an event loop.
        server = EmbeddedServer(api_key=target.api_key)
        client = Client(target, server.start(), spend)
        yield client
        client.close()
        server.stop()
    else:
        client = Client(target, target.base_url, spend)
        yield client
        client.close()


@pytest.fixture(scope="session")
def resources(conformance_client: Client) -> Resources:
    """What the run creates on the target; anything its cases left is removed at the end of the session."""
    tracked = Resources(conformance_client)
    with terminate_as_interrupt():
        yield tracked
    tracked.sweep()


@pytest.fixture
def api(conformance_client: Client, resources: Resources, request: pytest.FixtureRequest) -> Api:
    checkpoint = resources.checkpoint()
    yield Api(conformance_client, request.node, resources)
    resources.release(checkpoint)  # what this case created, even when it failed
