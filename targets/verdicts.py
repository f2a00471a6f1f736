"""Verdicts of the suite on the third-party targets: keep them exact (CI) and write docs/targets.md.

    python targets/verdicts.py check PROFILE RESULTS   exit 1 unless every known failure failed on
                                                       exactly the must checks its reason names
    python targets/verdicts.py docs [NAME ...]         print docs/targets.md from each target's last
                                                       run under $TARGETS_HOME (see targets/target.sh)
    python targets/verdicts.py show RESULTS            each failing must check of each failing case,
                                                       expected vs seen: what to read before a profile
    python targets/verdicts.py propose RESULTS         [known-failures] lines for the cases whose
                                                       verdict differs from the profile, to be edited

A profile's known-failure reason names the checks that fail and why, one clause per check:
"body.schema: omits choices[].logprobs; chat.choices-count: ignores n". Pytest's strict xfail only
notices a case that starts passing; `check` also notices a known failure that now fails another
way (a changed server or a changed check). The page's tables are `openai-conformance compare`'s
(the emulator as the reference column) and its departures are the suite's own folding
(conformance/reporting/departures.py); what only this page adds is the run's costs and, per
departure, the profile's words for what the server does.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

from conformance import profile as profiles
from conformance.config import Models
from conformance.reporting import compare
from conformance.reporting.departures import short_case, where_found

HERE = Path(__file__).resolve().parent
TARGETS = ("mockllm", "fakellm", "litellm", "llama-cpp", "ogx", "aimock")
REFERENCE = "emulator"
"""The reference column of the page's tables: targets/emulator.toml, run by `target.sh run emulator`."""
_CLAUSE = re.compile(r"(?:^|;\s*)([a-z][\w-]*\.[\w.-]+): (.*?)(?=;\s*[a-z][\w-]*\.[\w.-]+: |$)")


def clauses(reason: str) -> dict[str, str]:
    """{check id: why} from a known-failure reason."""
    return {check: why.strip() for check, why in _CLAUSE.findall(reason.removeprefix("known failure: "))}


def failing(case: dict, level: str = "must") -> set[str]:
    return {c["id"] for c in case.get("checks", []) if c["status"] == "fail" and c["level"] == level}


def known(case: dict) -> bool:
    return case["status"] == "fail" and (case.get("reason") or "").startswith("known failure: ")


def mismatches(results: dict) -> list[str]:
    problems = []
    for case in results["cases"]:
        if case["status"] == "error" or (case["status"] == "fail" and not known(case)):
            problems.append(f"{case['id']}: {case['status']} ({case.get('reason') or 'not a known failure'})")
        elif known(case) and failing(case) != set(named := clauses(case["reason"])):
            problems.append(f"{case['id']}: must checks failing {sorted(failing(case))}, the profile names {sorted(named)}")
    return problems


def show(results_path: str) -> int:
    for case in json.loads(Path(results_path).read_text(encoding="utf-8"))["cases"]:
        if case["status"] in ("fail", "error"):
            print(f"{case['id']}  [{'known' if known(case) else case['status']}] {case.get('reason') or ''}")
            for c in case.get("checks", []):
                for f in c.get("failures", [])[:2] if c["level"] == "must" else ():
                    print(f"    {c['id']} at {f.get('pointer')}: expected {f.get('expected')!s:.120} | seen {f.get('seen')!s:.200}")
            curl = next((f["message"].rpartition("reproduce: ")[2] for c in case.get("checks", []) for f in c.get("failures", [])), "")
            print(f"    {curl:.400}")
    return 0


def propose(results_path: str) -> int:
    """A draft reason per changed case, from the failures' expected vs seen: read them, then reword."""
    for case in json.loads(Path(results_path).read_text(encoding="utf-8"))["cases"]:
        if case["status"] == "fail" and (not known(case) or failing(case) != set(clauses(case["reason"]))):
            drafts = []
            for c in case["checks"]:
                if c["status"] == "fail" and c["level"] == "must":
                    f = (c.get("failures") or [{}])[0]
                    seen = re.sub(r"[;\s]+", " ", str(f.get("seen", "")))[:80]
                    drafts.append(f"{c['id']}: expected {f.get('expected', '?')}, seen {seen}")
            path, _, rest = case["id"].partition("::")
            print(f'{json.dumps(path.rsplit("/", 1)[-1] + "::" + rest)} = {json.dumps("; ".join(drafts))}')
    return 0


def load_profile(name: str) -> tuple[profiles.Profile, str]:
    """The profile targets/NAME.toml and its description (which Profile does not keep)."""
    path = HERE / f"{name}.toml"
    description = tomllib.loads(path.read_text(encoding="utf-8")).get("description", "")
    return profiles.load(str(path), tuple(Models.__dataclass_fields__)), description


def check(profile_path: str, results_path: str) -> int:
    problems = mismatches(json.loads(Path(results_path).read_text(encoding="utf-8")))
    for problem in problems:
        print(f"verdicts changed: {problem}", file=sys.stderr)
    if problems:
        print(f"update {profile_path} if the new verdicts are right (read the failures first)", file=sys.stderr)
    return 1 if problems else 0


def _measure(path: Path) -> dict[str, str]:
    try:
        return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").split())
    except OSError:
        return {}


def section(name: str, results: dict, home: Path) -> str:
    (profile, description), run = load_profile(name), home / name
    install, timing = _measure(run / "install.txt"), _measure(run / "run.txt")
    cases = results["cases"]
    statuses = Counter("known failure" if known(case) else case["status"] for case in cases)
    out = [f"## {profile.name}", "", description, ""]
    out.append(
        f"Install {install.get('seconds', '?')} s, {install.get('size', '?')}; ready {timing.get('start_seconds', '?')} s "
        f"after start; suite run {timing.get('run_seconds', '?')} s. {len(cases)} cases: "
        + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) + f" (run {results['run']['finished']})."
    )
    out += ["", "Not served (skipped): " + ("; ".join(f"{c} ({why})" for c, why in profile.lacking().items()) or "none") + "."]
    departures = compare.targets([results], [name])[0].departures.values()
    out += ["", f"Departures, one line each (level, check, cases, where; then what the server does, in the profile's words): {len(departures)}.", ""]
    by_id = {case["id"]: case for case in cases}
    for d in departures:
        ids = d["cases"]["ids"]
        shown = ", ".join(f"`{short_case(i).partition('::')[2]}`" for i in ids) if len(ids) <= 3 else f"{len(ids)} cases"
        why = Counter(clauses(by_id[i]["reason"]).get(d["check"]) for i in ids if known(by_id[i])).most_common()
        words = next((w for w, _ in why if w), None)
        said = f"{where_found(d)}: {words}" if words else d["summary"]
        out.append(f"- [{d['level']}] `{d['check']}` on {shown}, {said}")
    if not departures:
        out.append("- none")
    if problems := mismatches(results):
        out += ["", "Verdicts not (yet) in the profile:", ""] + [f"- {p}" for p in problems]
    return "\n".join(out) + "\n"


def docs(names: list[str]) -> int:
    home = Path(os.environ.get("TARGETS_HOME", HERE.parent.parent / "targets-venv"))
    names = names or list(TARGETS)
    runs = {name: json.loads((home / name / "results.json").read_text(encoding="utf-8")) for name in [REFERENCE, *names]}
    print((HERE / "targets-intro.md").read_text(encoding="utf-8"))
    if commit := os.environ.get("SUITE_COMMIT"):
        print(f"The verdicts below are those of the suite at commit `{commit}`.\n")
    print("## Side by side\n")
    print("`openai-conformance compare` of the last runs (`compare.html` is the same as a page):\n")
    print(compare.markdown(compare.targets(list(runs.values()), list(runs))))
    for name in names:
        print(section(name, runs[name], home))
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "check":
        return check(argv[1], argv[2])
    if len(argv) == 2 and argv[0] in ("show", "propose"):
        return {"show": show, "propose": propose}[argv[0]](argv[1])
    if argv[:1] == ["docs"]:
        return docs(argv[1:])
    print("usage: verdicts.py check PROFILE RESULTS | show RESULTS | propose RESULTS | docs [NAME ...]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
