"""The ``openai-conformance`` command: run the suite, serve the emulator, list the checks."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from importlib.util import find_spec
from pathlib import Path

from conformance import config as cfg

# pytest's exit codes -> ours: 0 conformant, 1 conformance failures, 2 bad configuration, 3 the suite broke.
_EXIT = {0: 0, 1: 1, 2: 2, 3: 3, 4: 2, 5: 3}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="openai-conformance", description="Conformance suite for the OpenAI HTTP API.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the conformance cases against a target (default: the embedded emulator)")
    for option in cfg.OPTIONS:
        run.add_argument(option.flag, dest=cfg.dest(option), help=option.help)
    run.add_argument("--report-dir", type=Path, help="where junit.xml and results.json go (default: reports/<timestamp>/)")
    run.add_argument("pytest_args", nargs="*", help="after --: further pytest arguments, e.g. -- -n 2 -k chat")

    serve = commands.add_parser("serve", help="serve the reference emulator (an OpenAI API test double)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--api-key", help="accept only this key (default: any Bearer key)")

    commands.add_parser("checks", help="print the table of checks and the emulator faults that make each fail")

    args = parser.parse_args(argv)
    return {"run": _run, "serve": _serve, "checks": _checks}[args.command](args)


def _run(args: argparse.Namespace) -> int:
    import pytest

    report_dir = args.report_dir or Path("reports", datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    cases = Path(find_spec("conformance.cases").origin).parent
    options = [f"{o.flag}={getattr(args, cfg.dest(o))}" for o in cfg.OPTIONS if getattr(args, cfg.dest(o)) is not None]
    results = report_dir / "results.json"
    code = pytest.main([
        str(cases), "--rootdir", str(cases), "-p", "no:cacheprovider",
        # This process imported `conformance` before pytest could mark the plugin for assertion
        # rewriting; the plugin asserts nothing, so pytest's warning about it is noise.
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        f"--junitxml={report_dir / 'junit.xml'}", f"--conformance-results={results}",
        *options, *args.pytest_args,
    ])
    code = _EXIT.get(int(code), 3)
    if code == 1 and results.exists():
        summary = json.loads(results.read_text())["summary"]
        code = 3 if summary["error"] and not summary["fail"] else 1
    if results.exists():
        print(f"openai-conformance: reports in {report_dir}/", file=sys.stderr)
    return code


def _serve(args: argparse.Namespace) -> int:
    from conformance.emulator.server import serve

    serve(args.port, args.api_key, args.host)
    return 0


def _checks(args: argparse.Namespace) -> int:
    from conformance.reporting.checks_table import markdown

    print(markdown(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
