"""`openai-conformance compare`: targets side by side, each departure a row with a cell per target."""

from __future__ import annotations

import json

import pytest

from conformance import cli
from conformance.reporting import compare
from tests.conftest import CASES, run_cases, with_fault

SELECTION = "test_list_models or test_sampling_parameters or test_unknown_model or test_embeddings"


@pytest.fixture(scope="module")
def runs(emulator, tmp_path_factory):
    """results.json of: the conformant emulator; one that ignores n and dimensions and sends an integer error
    code; one that ignores n and has no embeddings (a profile leaves them out)."""
    tmp_path = tmp_path_factory.mktemp("compare")
    chat_only = tmp_path / "chat-only.toml"
    chat_only.write_text('name = "chat-only"\n[unsupported]\nembeddings = "no /v1/embeddings route"\n')
    paths = {}
    for name, url, args in (
        ("good", emulator, ()),
        ("faulty", with_fault(emulator, "ignore-n+error-code-integer+dimensions-ignored"), ()),
        ("chat-only", with_fault(emulator, "ignore-n"), (f"--profile={chat_only}",)),
    ):
        _, results = run_cases(tmp_path / name, url, "-k", SELECTION, f"--ignore={CASES / 'test_generated.py'}", *args)
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(results))
    return paths


def _markdown(capsys, runs, *extra) -> str:
    assert cli.main(["compare", str(runs["good"]), str(runs["faulty"]), str(runs["chat-only"]), "--format", "markdown", *extra]) == 0
    return capsys.readouterr().out


def _row(markdown: str, start: str) -> list[str]:
    line = next(line for line in markdown.splitlines() if line.startswith(start))
    return [cell.strip() for cell in line.strip("|").split("|")][1:]


def test_columns_are_named_by_profile_or_option(runs, capsys):
    markdown = _markdown(capsys, runs)  # no profile: the target's host and path
    assert "| capability | 127.0.0.1:" in markdown and "/fault/ignore-n+error-code-integer+dimensions-ignored | chat-only |" in markdown
    assert "| capability | reference | faulty | chat-only |" in _markdown(capsys, runs, "--name", "reference", "--name", "faulty")


def test_must_checks_passed_per_capability(runs, capsys):
    markdown = _markdown(capsys, runs)
    good, faulty, chat_only = _row(markdown, "| chat |")
    assert good == "100%" and faulty.endswith("%") and int(faulty[:-1]) < 100 and int(chat_only[:-1]) < 100
    assert _row(markdown, "| embeddings |") == ["100%", _row(markdown, "| embeddings |")[1], "not served"]
    assert _row(markdown, "| models |")[0] == "100%"


def test_departures_are_rows_sorted_by_how_many_targets_depart(runs, capsys):
    markdown = _markdown(capsys, runs)
    rows = [line for line in markdown.split("| departure |")[1].splitlines()[2:] if line.startswith("|")]
    assert rows[0].startswith("| [must] `chat.choices-count`")  # both faulty targets ignore n
    assert _row(markdown, "| [must] `chat.choices-count`") == ["✓", "✗ 2 cases", "✗ 2 cases"]
    envelope = _row(markdown, "| [must] `error.envelope`")
    assert envelope[0] == "✓" and envelope[1].startswith("✗ ") and envelope[2] == "✓"
    assert _row(markdown, "| [must] `embeddings.dimensions`") == ["✓", "✗ 7 cases", "skipped embeddings (no /v1/embeddings route)"]


def test_the_page_is_self_contained_with_every_section(runs, tmp_path, capsys):
    page = tmp_path / "compare.html"
    assert cli.main(["compare", str(runs["good"]), str(runs["faulty"]), "-o", str(page)]) == 0
    text = page.read_text()
    for external in ("src=", "<link", "@import", "url(", "<script"):
        assert external not in text, f"the page must not load anything: found {external!r}"
    for section in ("id='scores'", "id='aspects'", "id='departures'"):
        assert section in text
    assert "curl -X POST" in text and "<td class='cell fail'><b>✗</b> 2 cases</td>" in text


@pytest.mark.parametrize("args, message", [(["nope.json"], "cannot read"), (["X", "--name", "a", "--name", "b"], "2 --name for 1 results file(s)")])
def test_bad_input_is_one_line_and_exit_2(runs, capsys, args, message):
    args = [str(runs["good"]) if a == "X" else a for a in args]
    assert cli.main(["compare", *args]) == 2
    assert message in capsys.readouterr().err


def test_the_output_folder_is_created_and_an_unwritable_output_is_one_line(runs, tmp_path, capsys):
    # docs/ci.md's scoreboard writes into site/, which nothing else creates.
    page = tmp_path / "site" / "index.html"
    assert cli.main(["compare", str(runs["good"]), "-o", str(page)]) == 0 and "<html" in page.read_text()
    capsys.readouterr()
    assert cli.main(["compare", str(runs["good"]), "-o", str(page / "inside-a-file.html")]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"openai-conformance: cannot write {page / 'inside-a-file.html'}: ") and error.count("\n") == 1


def test_a_skipped_cell_names_the_same_case_in_every_process():
    """The cell of a target that skipped a departure's cases gives the first case's reason by id, not a set's
    iteration order (which varies per process with string hashing): docs/targets.md is regenerated unchanged."""
    ids = [f"cases/test_x.py::test_{n:02}" for n in range(20)]
    target = compare.Target("t", {}, cases={i: {"id": i, "status": "skip", "reason": f"skipped for reason {i[-2:]}"} for i in ids})
    assert compare._cell(target, None, set(ids)) == ("skipped", "skipped for reason 00", "none")
