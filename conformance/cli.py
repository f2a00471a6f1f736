"""The ``openai-conformance`` command: run the suite, serve the emulator, list the checks."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path

from conformance import config as cfg
from conformance.fuzzing.settings import DEFAULT_SEED, RANDOM_SEED
from conformance.fuzzing.settings import OPTIONS as GENERATION_OPTIONS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="openai-conformance", description="Conformance suite for the OpenAI HTTP API.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the conformance cases against a target (default: the embedded emulator)")
    for option in cfg.OPTIONS:
        kind = {"action": "store_true", "default": None} if option.type is bool else {}
        run.add_argument(option.flag, dest=cfg.dest(option), help=option.help, **kind)
    for option in GENERATION_OPTIONS:
        kind = {"action": "store_true", "default": None} if option.type is bool else {}
        run.add_argument(option.flag, dest=cfg.dest(option), help=option.help, **kind)
    run.add_argument("--hypothesis-seed", help=f"seed of the generated requests: a whole number, or {RANDOM_SEED} for one drawn now (printed and recorded in results.json for replay) [default: {DEFAULT_SEED}]")
    run.add_argument("--report-dir", type=Path, help="where junit.xml, results.json, report.html and allure-results/ go (default: reports/<timestamp>/)")
    run.add_argument("pytest_args", nargs="*", help="after --: further pytest arguments, e.g. -- -n 2 -k chat")

    serve = commands.add_parser("serve", help="serve the reference emulator (an OpenAI API test double)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--api-key", help="accept only this key (default: any Bearer key)")
    serve.add_argument("--capabilities", help="serve only these capabilities besides models and chat, comma-separated (emulates a partial server)")

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

    args = parser.parse_args(argv)
    commands_ = {"run": _run, "serve": _serve, "checks": _checks, "diff": _diff, "probe": _probe, "openapi": _openapi, "departures": _departures, "compare": _compare}
    return commands_[args.command](args)


def _run(args: argparse.Namespace) -> int:
    import pytest

    report_dir = args.report_dir or Path("reports", datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    cases = Path(find_spec("conformance.cases").origin).parent
    options = [o.flag if o.type is bool else f"{o.flag}={getattr(args, cfg.dest(o))}" for o in cfg.OPTIONS if getattr(args, cfg.dest(o)) is not None]
    options += [o.flag if o.type is bool else f"{o.flag}={getattr(args, cfg.dest(o))}" for o in GENERATION_OPTIONS if getattr(args, cfg.dest(o))]
    if args.hypothesis_seed is not None:
        options.append(f"--hypothesis-seed={args.hypothesis_seed}")
    results = report_dir / "results.json"
    session = _SessionWatch()
    code = pytest.main([
        str(cases), "--rootdir", str(cases), "-p", "no:cacheprovider",
        # This process imported `conformance` before pytest could mark the plugin for assertion
        # rewriting; the plugin asserts nothing, so pytest's warning about it is noise.
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        "-o", "junit_suite_name=openai-conformance",
        f"--junitxml={report_dir / 'junit.xml'}", f"--conformance-results={results}",
        f"--conformance-html={report_dir / 'report.html'}", f"--alluredir={report_dir / 'allure-results'}",
        *options, *args.pytest_args,
    ], plugins=[session])
    summary = json.loads(results.read_text())["summary"] if results.exists() else None
    if results.exists():
        print(f"openai-conformance: reports in {report_dir}/", file=sys.stderr)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("openai-conformance: no case selected (check -k, the paths after --, and the profile)", file=sys.stderr)
    return exit_code(int(code), session.started, summary)


def exit_code(pytest_code: int, session_started: bool, summary: dict | None) -> int:
    """Ours from pytest's: 0 every must check passed, 1 conformance failures, 2 bad configuration, 3 the suite broke.

    A case in error (an exception that is not a check's verdict) makes the run 3 even when other
    cases failed: the verdict is incomplete, and the failures are still in the reports.
    """
    if pytest_code == 0:
        return 0
    if pytest_code == 1:
        return 3 if summary is None or summary["error"] else 1
    if pytest_code == 2:  # interrupted: by our one-line configuration error (before any session) or during the run
        return 3 if session_started else 2
    if pytest_code in (4, 5):  # a pytest usage error; no case selected
        return 2
    return 3


class _SessionWatch:
    """Tells the configuration error the plugin reports before a session from an interruption during one."""

    started = False

    def pytest_sessionstart(self) -> None:
        self.started = True


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
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"openai-conformance: profile written to {args.output}", file=sys.stderr)
    else:
        print(text, end="")
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
    if args.format == "json":
        print(json.dumps({"target": results["target"], "run": results["run"], "departures": found}, indent=2))
    elif args.format == "markdown":
        print(departures.markdown(found, f"OpenAI API conformance: {target}"), end="")
    else:
        print(f"{target}\n{departures.text(found, 10_000)}", end="")
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
    else:
        output.write_text(text, encoding="utf-8")
        print(f"openai-conformance: {args.format} comparison of {len(columns)} target(s) written to {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
