"""pytest wiring of the generated requests: options, the schema behind ``@generated_requests``, markers, fixtures.

The schema is chosen when the test is collected (not when its module is imported), so one
process can run the suite several times with different ``--spec`` or filters. Each operation of
the document is one test item, marked with its reference section and the capability it needs, so
profiles skip and select generated items like any case.

PYTEST_DONT_REWRITE: conformance.spending imports this module before pytest loads it as a plugin,
too late to rewrite its (absent) asserts; without this marker an editable install warns about that
in every pytest run of the environment, a project's own included.
"""

from __future__ import annotations

import functools
import secrets
import sys
from collections.abc import Callable

import pytest
import schemathesis
from schemathesis.pytest.plugin import SchemaHandleMark, SchemathesisFunction

from conformance import operations
from conformance.config import ConfigError, dest
from conformance.fuzzing import sequences
from conformance.budget import Budget, Spend
from conformance.fuzzing.runner import Runner, report_stopped, stopped_by
from conformance.missing_route import UnknownRoute, no_such_route
from conformance.fuzzing.settings import DEFAULT_SEED, OPTIONS, RANDOM_SEED, Generation, resolve
from conformance.selection import selects_cases

_GENERATED = "_openai_conformance_generated"
_SETTINGS = pytest.StashKey[Generation]()
# Replaced at collection by the configured document; only here because parametrize() needs a schema.
_PLACEHOLDER = schemathesis.openapi.from_dict({"openapi": "3.1.0", "info": {"title": "placeholder", "version": "0"}, "paths": {}})


def generated_requests(test: Callable) -> Callable:
    """Make ``test(case, generator)`` one test per operation of the configured OpenAPI document."""
    wrapped = _PLACEHOLDER.parametrize()(test)
    setattr(wrapped, _GENERATED, True)
    return wrapped


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("openai-conformance-generated", "OpenAI API conformance: generated requests (schemathesis)")
    for option in OPTIONS:
        default = f" [default: {option.default}]" if option.default is not None and option.type is not bool else ""
        if option.type is bool:
            group.addoption(option.flag, dest=dest(option), action="store_true", default=None, help=option.help)
        else:
            group.addoption(option.flag, dest=dest(option), default=None, help=option.help + default)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """A bad generation option or an unusable --spec is one line and exit code 2, before collection."""
    if not selects_cases(config) or any(config.getoption(o) for o in ("help", "version")):
        return None
    _fix_seed(config)
    _without_local_constants()
    try:
        settings(config)
    except ConfigError as error:
        sys.stderr.write(f"openai-conformance: {error}\n")
        return 2
    return None


def _fix_seed(config: pytest.Config) -> None:
    """The run's seed as a number, before Hypothesis's plugin reads it and results.json records it: DEFAULT_SEED
    unless one is given, and ``random`` drawn here, once per run (an xdist worker takes its controller's)."""
    seed = getattr(config.option, "hypothesis_seed", None)
    if hasattr(config, "workerinput"):
        seed = config.workerinput.get("conformance_seed", seed)
    if seed is None:
        seed = str(DEFAULT_SEED)
    elif seed == RANDOM_SEED:
        seed = str(secrets.randbelow(2**32))
    config.option.hypothesis_seed = seed


def _without_local_constants() -> None:
    """Hypothesis also draws strings and numbers from the source of the "local" modules imported so far (those not
    in site-packages): which they are depends on how the suite was started (a checkout or an installed package, the
    CLI, plain pytest, an xdist worker, the user's own modules), so one seed sent other requests (measured: a worker
    and a serial run differed). Generation draws Hypothesis's own constants only. Through a private hook: a
    Hypothesis without it is left as it is."""
    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.constants_ast import Constants

    if hasattr(providers, "_get_local_constants"):
        none = Constants()
        providers._get_local_constants = lambda: none
        getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", {}).clear()  # what was drawn from the modules before


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist: each worker parses the command line again, and must not draw a random seed of its own."""
    node.workerinput["conformance_seed"] = node.config.option.hypothesis_seed


def settings(config: pytest.Config) -> Generation:
    if _SETTINGS not in config.stash:
        seed = config.getoption("hypothesis_seed", None)
        config.stash[_SETTINGS] = resolve({dest(o): config.getoption(dest(o)) for o in OPTIONS}, DEFAULT_SEED if seed is None else seed)
    return config.stash[_SETTINGS]


def pytest_report_header(config: pytest.Config) -> str | None:
    if not selects_cases(config):
        return None
    seed = config.getoption("hypothesis_seed", None)
    return f"openai-conformance generated requests: seed {seed} (replay with --hypothesis-seed={seed}; a new one with --hypothesis-seed={RANDOM_SEED})"


@pytest.hookimpl(hookwrapper=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object):
    if getattr(obj, _GENERATED, False):
        SchemaHandleMark.set(obj, settings(collector.config).schema().clone(test_function=obj))
    yield


def pytest_itemcollected(item: pytest.Item) -> None:
    if not (isinstance(item, SchemathesisFunction) and getattr(item.test_function, _GENERATED, False) and item.operation_label):
        return
    if item.nodeid != f"{item.parent.nodeid}::{item.name}":
        # pytest 9.2 builds a Function's node id from its originalname, which schemathesis sets to the bare
        # function name: every operation would share one id (xdist and results.json need them distinct).
        item._id = item.parent.id.child(item.name)
    method, _, path = item.operation_label.partition(" ")
    operation, _ = operations.match(method, path)
    item.add_marker(pytest.mark.reference(operation.section if operation else f"OpenAPI document: {item.operation_label}"))
    item.add_marker(pytest.mark.capability("generated"))
    if operation is not None and operation.capability:
        item.add_marker(pytest.mark.capability(operation.capability))


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    """A generation stopped after a failure (a budget spent, the target silent, shrinking bounded) fails with that failure."""
    try:
        return (yield)
    except BaseException as error:
        if (stop := stopped_by(error)) is None:
            raise
        report_stopped(pyfuncitem, stop)


@pytest.fixture(scope="session")
def generation_budget(pytestconfig: pytest.Config, spend: Spend) -> Budget:
    """The run's request and token budget (every request counts, conformance/spending.py), and the
    generated requests' own time budget (this process's: each xdist worker counts from its first)."""
    chosen = settings(pytestconfig)
    return Budget(spend, chosen.budget_requests, chosen.budget_tokens, chosen.budget_seconds)


@pytest.fixture(scope="session")
def unknown_route(conformance_client) -> Callable[[], UnknownRoute]:
    """The target's answer to a route that cannot exist, which tells a 404 for a missing route from one for a missing
    object (conformance/missing_route.py): asked for once per session, and only when a generated request meets a 404."""

    @functools.cache
    def answer() -> UnknownRoute:
        exchange = conformance_client.request("GET", no_such_route())
        return UnknownRoute(exchange.status, exchange.data)

    return answer


@pytest.fixture
def generator(target, conformance_client, resources, generation_budget: Budget, unknown_route, request: pytest.FixtureRequest) -> Runner:
    checkpoint = resources.checkpoint()
    yield Runner(target, conformance_client.base_url, generation_budget, request.node, resources, unknown_route)
    resources.release(checkpoint)  # what this operation's requests created


@pytest.fixture
def generated_sequences(pytestconfig: pytest.Config, generator: Runner) -> Callable[[], None]:
    """Run the stateful sequences (conformance.fuzzing.sequences) with this test's runner."""
    chosen = settings(pytestconfig)
    if chosen.spec:
        pytest.skip("sequences run on the suite's own document: a --spec document's transitions are not known to be safe")
    schema = chosen.sequence_schema()
    if not any(True for _ in schema.get_all_operations()):
        pytest.skip("--operations selects none of the operations sequences use")
    return lambda: sequences.run(schema, generator, chosen.max_examples)
