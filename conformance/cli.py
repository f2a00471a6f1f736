"""The ``openai-conformance`` command: run the suite, serve the emulator, list the checks."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import textwrap
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path

from conformance import completeness
from conformance import config as cfg
from conformance.fuzzing.settings import DEFAULT_SEED, RANDOM_SEED
from conformance.fuzzing.settings import OPTIONS as GENERATION_OPTIONS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="openai-conformance", description="Conformance suite for the OpenAI HTTP API.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the conformance cases against a target (default: the embedded emulator)",
                              formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_run_epilog())
    for option in cfg.OPTIONS:
        kind = {"action": "store_true", "default": None} if option.type is bool else {}
        run.add_argument(option.flag, dest=cfg.dest(option), help=option.help, **kind)
    for option in GENERATION_OPTIONS:
        kind = {"action": "store_true", "default": None} if option.type is bool else {}
        run.add_argument(option.flag, dest=cfg.dest(option), help=option.help, **kind)
    run.add_argument("--hypothesis-seed", help=f"seed of the generated requests: a whole number, or {RANDOM_SEED} for one drawn now (printed and recorded in results.json for replay) [default: {DEFAULT_SEED}]")
    run.add_argument("--report-dir", type=Path, help="where junit.xml, results.json, report.html and allure-results/ go (default: reports/<timestamp>/)")
    run.add_argument("pytest_args", nargs="*", help="after --: further pytest arguments, e.g. -- -n 2 -k chat")

    proxy = commands.add_parser("proxy", help="forward a client's traffic to a server unchanged and judge it as it passes (docs/proxy.md)")
    proxy.add_argument("--upstream", required=True, help="the server's base URL, including /v1; the proxy's root stands for it")
    proxy.add_argument("--host", default="127.0.0.1", help="where to listen (default: 127.0.0.1)")
    proxy.add_argument("--port", type=int, default=8088, help="where to listen (default: 8088; 0: any free port)")
    proxy.add_argument("--report-dir", type=Path, help="where exchanges.jsonl and the reports go (default: reports/<timestamp>/)")
    proxy.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the upstream's answer and between its bytes (default: 600, the official SDKs' own)")
    proxy.add_argument("--connect-timeout", type=float, default=10.0, help="seconds to wait for a connection to the upstream (default: 10)")
    proxy.add_argument("--ca-bundle", help="trust this CA bundle (PEM) for an https upstream (default: the system's trust store)")
    proxy.add_argument("--insecure", action="store_true", help="do not verify the upstream's certificate")

    judge = commands.add_parser("judge", help="judge recorded traffic (HAR, VCR.py cassettes, JSON Lines of exchanges) with the run's checks and reports")
    judge.add_argument("files", nargs="+", metavar="FILE", help="recordings: HAR 1.2, VCR.py cassettes, JSON Lines of exchanges, request-response JSON (docs/judge.md)")
    judge.add_argument("--base-url", help="judge the exchanges whose URL starts with this (default: any host, paths with /v1/)")
    judge.add_argument("--report-dir", type=Path, help="where junit.xml, results.json and report.html go (default: reports/<timestamp>/)")
    judge.epilog = "After --: further pytest arguments, e.g. -- -n 2 -k responses."

    serve = commands.add_parser("serve", help="serve the reference emulator (an OpenAI API test double)",
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_serve_epilog())
    serve.add_argument("--port", type=int, default=8000, help="TCP port to listen on (default: 8000; 0: any free port, printed at start)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for every interface)")
    serve.add_argument("--api-key", help="accept only this key as 'Authorization: Bearer KEY', else 401 (default: any Bearer key)")
    serve.add_argument("--capabilities", help="serve only these capabilities besides models and chat, comma-separated, e.g. embeddings,files "
                                              "(emulates a partial server: the others answer 404)")

    probe = commands.add_parser("probe", help="write a starting target profile (TOML) from what a target answers")
    probe.add_argument("--base-url", required=True, help="base URL of the target, including /v1")
    probe.add_argument("--api-key", help="API key [env: OPENAI_API_KEY]")
    probe.add_argument("--name", help="the profile's name (default: the target's host)")
    probe.add_argument("--output", "-o", type=Path, help="where to write the profile (default: standard output)")

    commands.add_parser("checks", help="print the table of checks and the emulator faults that make each fail")
    commands.add_parser("openapi", help="print the suite's OpenAPI 3.1 document (generated from schemas/ and the operations table)")

    diff = commands.add_parser("diff", help="compare two results.json: new failures, fixed, still failing; exit 1 on a new must failure")
    diff.add_argument("base", help="results.json of the earlier run (e.g. last night's)")
    diff.add_argument("new", help="results.json of the later run")

    departures = commands.add_parser("departures", help="print the departures of a results.json: each way the target differs from the reference, once")
    departures.add_argument("results", help="a results.json (openai-conformance run writes one per run)")
    departures.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                            help="text: one line each (as the run ends); markdown: to paste into an issue on the server's tracker; json")

    compare = commands.add_parser("compare", help="several targets side by side: scores per capability, capability x aspect, every departure with a cell per target")
    compare.add_argument("results", nargs="+", help="results.json files, one per target (a column each)")
    compare.add_argument("--name", action="append", default=[], help="a column's name, in the order of the files (default: the profile's name)")
    compare.add_argument("--format", choices=("html", "markdown"), default="html", help="html: one self-contained page; markdown: tables for a README")
    compare.add_argument("--output", "-o", type=Path, help="where to write it (default: compare.html for html, standard output for markdown)")

    argv = sys.argv[1:] if argv is None else list(argv)
    # judge's files take every positional: what follows -- is told apart here, for pytest.
    pytest_args = argv[argv.index("--") + 1:] if argv[:1] == ["judge"] and "--" in argv else []
    args = parser.parse_args(argv[:len(argv) - len(pytest_args) - bool(pytest_args)])
    if args.command == "judge":
        args.pytest_args = pytest_args
    commands_ = {"run": _run, "judge": _judge, "proxy": _proxy, "serve": _serve, "checks": _checks, "diff": _diff, "probe": _probe, "openapi": _openapi, "departures": _departures, "compare": _compare}
    return commands_[args.command](args)


def _run_epilog() -> str:
    from conformance.depth import DEPTHS

    environment = "\n".join(f"  {o.env:<20}default of {o.flag}" for o in cfg.OPTIONS if o.env)
    budgets = "\n".join(f"  {d.name:<7}{d.budget_requests} requests, {d.budget_tokens} tokens, {d.budget_seconds:g} s of generated requests"
                        for d in DEPTHS.values())
    return f"""environment (an option, or the profile's base_url, wins over it):
{environment}

exit codes:
  0  every must check passed (known failures of the profile aside)
  1  must checks failed: the target departs from the reference (see the departures table)
  2  bad input to the suite: options, profile, files, unreachable target
  3  the suite itself failed on a case (an exception that is not a check's verdict); the reports say where
  4  the verdict is incomplete (cases not run: budget, run timeout, target stopped answering)
  precedence 3 > 4 > 1: a run that broke or stopped early never reads as a plain failure or a pass

budgets by --depth (--budget-requests, --budget-tokens, --budget-seconds override them):
{budgets}
"""


def _serve_epilog() -> str:
    from conformance.emulator.variants import VARIANTS

    return f"""The emulator answers at http://HOST:PORT/v1 (printed when it starts). Prefixes select its behaviour per request:
  /fault/<name>/v1        the API with one named fault injected: a departure some check must report
  /fault/<a>+<b>/v1       several faults at once (joined by +), as one server that departs in several ways
  /variant/<name>/v1      a legal variation every check must accept (combines: /fault/<f>/variant/<v>/v1)
The faults and the check each one fails: openai-conformance checks
{textwrap.fill("Variants: " + ", ".join(VARIANTS), 110, subsequent_indent="  ", break_on_hyphens=False)}
"""


def _run(args: argparse.Namespace) -> int:
    report_dir = _report_dir(args)
    cases = Path(find_spec("conformance.cases").origin).parent
    options = [o.flag if o.type is bool else f"{o.flag}={getattr(args, cfg.dest(o))}" for o in cfg.OPTIONS if getattr(args, cfg.dest(o)) is not None]
    options += [o.flag if o.type is bool else f"{o.flag}={getattr(args, cfg.dest(o))}" for o in GENERATION_OPTIONS if getattr(args, cfg.dest(o))]
    if args.hypothesis_seed is not None:
        options.append(f"--hypothesis-seed={args.hypothesis_seed}")
    return _session(cases, report_dir, [*options, *args.pytest_args])


def _judge(args: argparse.Namespace) -> int:
    from conformance.recordings import session

    cases = Path(find_spec("conformance.recordings.cases").origin)
    recordings = [f"{session.RECORDING_OPTION}={file}" for file in args.files]
    base_url = [f"{session.BASE_URL_OPTION}={args.base_url}"] if args.base_url else []
    # Every recording on one worker under -n: the checks across exchanges see its earlier ones.
    distribution = ["--dist=loadgroup"] if any(a.startswith(("-n", "--numprocesses")) for a in args.pytest_args) else []
    # No Allure results: a day of traffic is thousands of cases, and Allure's files would double the time.
    return _session(cases, _report_dir(args), ["-p", "conformance.recordings.session", *recordings, *base_url, *distribution, *args.pytest_args], allure=False)


def _proxy(args: argparse.Namespace) -> int:
    from conformance.proxy.command import serve

    return serve(args.upstream, args.host, args.port, _report_dir(args), args.timeout, args.connect_timeout, args.ca_bundle, args.insecure)


def _report_dir(args: argparse.Namespace) -> Path:
    return args.report_dir or Path("reports", datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))


def _session(cases: Path, report_dir: Path, arguments: list[str], allure: bool = True) -> int:
    """A pytest session over ``cases`` (the cases folder, or judge's module) writing every report into ``report_dir``."""
    import pytest

    results = report_dir / "results.json"
    existed = report_dir.exists()
    session = _SessionWatch()
    code = pytest.main([
        str(cases), "--rootdir", str(cases if cases.is_dir() else cases.parent), "-p", "no:cacheprovider",
        # This process imported `conformance` before pytest could mark the plugin for assertion
        # rewriting; the plugin asserts nothing, so pytest's warning about it is noise.
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        *_PLUGINS,
        "-o", "junit_suite_name=openai-conformance",
        f"--junitxml={report_dir / 'junit.xml'}", f"--conformance-results={results}",
        f"--conformance-html={report_dir / 'report.html'}", *([f"--alluredir={report_dir / 'allure-results'}"] if allure else []),
        *arguments,
    ], plugins=[session])
    if session.nothing_selected or code == pytest.ExitCode.NO_TESTS_COLLECTED:  # what pytest wrote of a run of nothing goes
        if not existed:
            shutil.rmtree(report_dir, ignore_errors=True)
        if not session.nothing_selected:  # under pytest-xdist; else the plugin said it, in one line
            from conformance.plugin import NOTHING_SELECTED

            print(NOTHING_SELECTED, file=sys.stderr)
        return 2
    document = json.loads(results.read_text()) if results.exists() else None
    summary = document["summary"] if document else None
    if results.exists():
        print(f"openai-conformance: reports in {report_dir}/", file=sys.stderr)
    ours = exit_code(int(code), session.started, summary)
    if document and (incomplete := completeness.verdict_line(document["cases"], ours)):
        print(incomplete, file=sys.stderr)  # the last line: what the verdict does not cover
    return ours


def exit_code(pytest_code: int, session_started: bool, summary: dict | None) -> int:
    """Ours from pytest's: 0 every must check passed, 1 conformance failures, 2 bad configuration, 3 the suite broke,
    4 incomplete: cases not run (a budget spent, --run-timeout passed, the target stopped answering).

    Precedence 3 > 4 > 1: a case in error makes the run 3 even when other cases failed or did not run, and
    cases not run make it 4 even when others failed; either way the verdict is incomplete, never 0, and the
    failures are still in the reports.
    """
    incomplete = bool(summary and summary.get("not_run", {}).get("count"))
    if pytest_code in (0, 1):
        if pytest_code == 1 and (summary is None or summary["error"]):
            return 3
        return completeness.INCOMPLETE if incomplete else pytest_code
    if pytest_code == 2:  # interrupted: by our one-line configuration error (before any session) or during the run
        return 3 if session_started else 2
    if pytest_code in (4, 5):  # a pytest usage error; no case selected
        return 2
    return 3


class _SessionWatch:
    """Tells the configuration error the plugin reports before a session from an interruption during one;
    prints an incomplete verdict's line itself, after the reports' folder (see ``_run``)."""

    started = False
    nothing_selected = False

    def pytest_configure(self, config) -> None:
        config.stash[completeness.SAID_BY_CALLER] = True

    def pytest_sessionstart(self) -> None:
        self.started = True

    def pytest_keyboard_interrupt(self, excinfo) -> None:
        from conformance.plugin import NothingSelected

        self.nothing_selected = isinstance(excinfo.value, NothingSelected)


def _serve(args: argparse.Namespace) -> int:
    from conformance.emulator.server import serve

    capabilities = {"models", "chat", *args.capabilities.split(",")} if args.capabilities else None
    serve(args.port, args.api_key, args.host, capabilities)
    return 0


def _probe(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from conformance.probe import profile_text

    try:
        target = cfg.resolve({"base_url": args.base_url, "api_key": args.api_key})
        text = profile_text(target, args.name or urlsplit(target.base_url).hostname)
    except cfg.ConfigError as error:
        print(f"openai-conformance: {error}", file=sys.stderr)
        return 2
    if not args.output:
        print(text, end="")
    elif not _written(args.output, text):
        return 2
    else:
        print(f"openai-conformance: profile written to {args.output}", file=sys.stderr)
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from conformance.openapi import document

    print(json.dumps(document(), indent=2))
    return 0


def _checks(args: argparse.Namespace) -> int:
    from conformance.reporting.checks_table import markdown

    print(markdown(), end="")
    return 0


def _diff(args: argparse.Namespace) -> int:
    from conformance.reporting import diff, document

    try:
        base, new = document.load(args.base), document.load(args.new)
    except document.ResultsFileError as error:
        print(f"openai-conformance: {error}", file=sys.stderr)
        return 2
    changes = diff.compare(base, new)
    print(diff.render(changes, base, new), end="")
    return 1 if changes.failed_gate else 0


def _departures(args: argparse.Namespace) -> int:
    from conformance.reporting import departures, document

    try:
        results = document.load(args.results)
    except document.ResultsFileError as error:
        print(f"openai-conformance: {error}", file=sys.stderr)
        return 2
    found = departures.fold(results["cases"])  # folded again: files of older suites have no departures[]
    target = f"{results['target']['base_url']} (profile {results['target']['profile']}, run {results['run']['started']})"
    not_run = completeness.describe(results["cases"])  # the departures of cases that did not run are unknown
    if args.format == "json":
        print(json.dumps({"target": results["target"], "run": results["run"], "departures": found,
                          "not_run": completeness.not_run(results["cases"])}, indent=2))
    elif args.format == "markdown":
        print(departures.markdown(found, f"OpenAI API conformance: {target}") + (f"\nIncomplete: {not_run}.\n" if not_run else ""), end="")
    else:
        print(f"{target}\n{departures.text(found, 10_000)}" + (f"incomplete: {not_run}\n" if not_run else ""), end="")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from conformance.reporting import compare, document

    if len(args.name) > len(args.results):
        print(f"openai-conformance: {len(args.name)} --name for {len(args.results)} results file(s)", file=sys.stderr)
        return 2
    try:
        columns = compare.targets([document.load(path) for path in args.results], args.name)
    except document.ResultsFileError as error:
        print(f"openai-conformance: {error}", file=sys.stderr)
        return 2
    text = compare.render(columns) if args.format == "html" else compare.markdown(columns)
    output = args.output or (Path("compare.html") if args.format == "html" else None)
    if output is None:
        print(text, end="")
    elif not _written(output, text):
        return 2
    else:
        print(f"openai-conformance: {args.format} comparison of {len(columns)} target(s) written to {output}", file=sys.stderr)
    return 0


# The pytest plugins a run needs, by entry-point name: loaded even where CI sets
# PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 (with autoloading on, naming one first changes nothing).
_PLUGINS = [arg for name in ("conformance.plugin", "schemathesis", "hypothesispytest", "xdist", "allure_pytest") for arg in ("-p", name)]


def _written(path: Path, text: str) -> bool:
    """Write an output file, creating its folder as --report-dir does; if that fails, say so in one line."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"openai-conformance: cannot write {path}: {error.strerror or error}", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
