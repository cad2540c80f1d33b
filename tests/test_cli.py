"""The `beian-audit` command, driven through a subprocess on the bundled data.

Also the privacy promise of issue #6: no file the demo or the CLI writes holds an
unmasked personal value (ID number, phone, email) of the synthetic registry.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import beian_audit as ba
from beian_audit.privacy import leaked_values

DATA = Path(__file__).resolve().parents[1] / "datasets" / "synthetic"
REGISTRY = DATA / "registry.parquet"
PERSONAL = (
    "sponsor_cert_number",
    "sponsor_principal_id_number",
    "sponsor_principal_mobile",
    "sponsor_principal_phone",
    "sponsor_principal_email",
    "website_principal_id_number",
    "website_principal_mobile",
    "website_principal_phone",
    "website_principal_email",
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "beian_audit.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "".join(
                z.read(name).decode("utf-8", "replace") for name in z.namelist()
                if name.endswith(".xml")
            )
    if path.suffix in {".csv", ".json", ".txt", ".md", ".html"}:
        return path.read_text(encoding="utf-8-sig")
    return ""


@pytest.fixture(scope="module")
def raw_values() -> set[str]:
    reg = ba.load_synthetic_registry()
    values: set[str] = set()
    for col in PERSONAL:
        values |= {v for v in reg[col].dropna() if len(v) >= 8}
    return values


def assert_no_personal_data(directory: Path, raw_values: set[str]) -> None:
    files = [p for p in directory.rglob("*") if p.is_file()]
    assert files
    for path in files:
        leaked = leaked_values(_text_of(path), raw_values)
        assert not leaked, (path.name, leaked[:3])


def test_leaked_values_equals_the_plain_substring_search() -> None:
    raw = {"110101199003074514", "13812345678", "a.b@example.cn", "0755-12345678"}
    text = ("x13812345678y 张三 id:110101199003074514; tel 0755-12345678 "
            "mail<a.b@example.cn> 1381234567 110101********4514")
    assert leaked_values(text, raw) == sorted(v for v in raw if v in text)
    assert leaked_values("nothing here 1381234567", raw) == []


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    cwd = tmp_path_factory.mktemp("demo")
    result = run("demo", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd / "reports", result.stdout


def test_demo_writes_the_reports_and_prints_both_verdicts(demo_dir: tuple[Path, str]) -> None:
    out, stdout = demo_dir
    for name in ("statistics_table.xlsx", "statistics_table.json", "provider_accuracy.png",
                 "summary.json", "worksheet.xlsx", "manifest.json"):
        assert (out / name).exists(), name
    assert "sponsor_accuracy" in stdout and "filing_rate" in stdout
    assert stdout.count("NOT_MET") + stdout.count("MET") + stdout.count("INCONCLUSIVE") >= 2
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    measures = {m["measure"]: m for m in summary["measures"]}
    assert measures["sponsor_accuracy"]["status"] in {"met", "not_met", "inconclusive"}
    assert measures["filing_rate"]["target"] == 0.995


def test_demo_fills_all_18_rows_from_its_ledger_and_shows_two_months(
        demo_dir: tuple[Path, str]) -> None:
    from beian_audit.ledger import Ledger

    out = demo_dir[0]
    table = json.loads((out / "statistics_table.json").read_text("utf-8"))
    assert len(table["records"]) == 18 and table["missing_inputs"] == []
    assert all(not r["missing"] and r["value"] is not None for r in table["records"])
    assert all(r["source"].startswith("ledger ") for r in table["records"])
    # a province with several access providers (rows 5-7 and 10 say something): the
    # counts are checked against the bundled provider table, read here
    providers = ba.load_providers()
    home = providers[providers["home_province"] == table["province"]["name_zh"]]
    assert table["province"]["name_zh"] == "上海市" and len(home) == 5
    values = {r["key"]: r["value"] for r in table["records"]}
    assert values["providers_in_province"] == len(home)
    assert values["providers_integrated"] + values["providers_not_integrated"] == len(home)
    assert 0 < values["providers_integrated"] < len(home)
    assert values["providers_spot_checked"] == len(home)
    ledger_file = out / "beian-audit.db"
    assert ledger_file.stat().st_mode & 0o777 == 0o600  # owner-only, never widened on the move
    mask = os.umask(0o022)
    os.umask(mask)
    widened = {f.name: oct(f.stat().st_mode & 0o777) for f in out.iterdir()
               if f.is_file() and f != ledger_file and f.stat().st_mode & 0o777 != 0o666 & ~mask}
    assert widened == {}  # the reports keep the usual mode
    with Ledger.open(ledger_file, create=False) as ledger:
        periods = ledger.periods()
        assert list(periods["month"]) == ["2013-04", "2013-05"]
        assert list(periods["status"]) == ["closed", "open"]
        assert ledger.panel(table["province"]["code"]).months == ("2013-04", "2013-05")
        again = ledger.statistics_table("2013-05", table["province"]["code"])
    assert [again.value(i) for i in range(1, 19)] == [r["value"] for r in table["records"]]
    html = (out / "report.html").read_text("utf-8")
    assert "2013-04" in html.split('<section id="trend"', 1)[1]


def test_demo_files_hold_no_personal_data(demo_dir: tuple[Path, str],
                                          raw_values: set[str]) -> None:
    assert_no_personal_data(demo_dir[0], raw_values)


def test_check_plan_draw_estimate(tmp_path: Path, raw_values: set[str]) -> None:
    checked = run("check", str(REGISTRY), "--providers", str(DATA / "providers.parquet"),
                  "--failures", "failures.csv", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    payload = json.loads(checked.stdout)
    assert {c["check"] for c in payload["checks"]} >= {"phone:sponsor_principal_mobile"}

    planned = run("plan", str(REGISTRY), "--allocation", "proportional", "--n", "300",
                  cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    records = json.loads(planned.stdout)["records"]
    assert sum(r["n"] for r in records if r["stratum"] != "total") == 300
    assert records[-1]["stratum"] == "total" and records[-1]["n"] == 300

    drawn = run("draw", str(REGISTRY), "--seed", "7", "--allocation", "proportional",
                "--n", "300", "--worksheet", "ws.xlsx", "--manifest", "m.json", cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    assert json.loads((tmp_path / "m.json").read_text("utf-8"))["seed"] == 7

    # the auditors fill in the worksheet (here from the synthetic truth)
    from openpyxl import load_workbook

    truth = ba.load_synthetic_registry().set_index("website_id")["truth_sponsor_ok"]
    wb = load_workbook(tmp_path / "ws.xlsx")
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    key_col = header.index("website_id") + 1
    ok_col = header.index("sponsor_info_correct") + 1
    for row in range(3, ws.max_row + 1):
        key = ws.cell(row=row, column=key_col).value
        ws.cell(row=row, column=ok_col).value = "是" if truth[key] else "否"
    wb.save(tmp_path / "ws.xlsx")

    estimated = run("estimate", str(REGISTRY), "--worksheet", "ws.xlsx", "--target", "0.75",
                    cwd=tmp_path)
    assert estimated.returncode == 0, estimated.stderr
    answer = json.loads(estimated.stdout)
    assert answer["assessment"]["records"][0]["status"] in {"not_met", "inconclusive"}
    failing = run("estimate", str(REGISTRY), "--worksheet", "ws.xlsx", "--target", "0.95",
                  "--fail-on-target", cwd=tmp_path)
    assert failing.returncode == 1, failing.stderr
    assert_no_personal_data(tmp_path, raw_values)


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = run("check", "nope.csv", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0
    assert "does not exist" in missing.stderr

    bad = tmp_path / "bad.csv"
    pd.DataFrame({"网站编号": ["W1", "W1"], "域名": ["a.cn", "b.cn"]}).to_csv(bad, index=False)
    result = run("plan", str(bad), cwd=tmp_path)
    assert result.returncode == 2
    # a summary line, then one line per problem (row as in the file)
    lines = result.stderr.strip().splitlines()
    assert "problem(s)" in lines[0] and all(x.startswith("  ") for x in lines[1:])

    usage = run("draw", str(REGISTRY), cwd=tmp_path)  # --seed is required
    assert usage.returncode == 2


def test_version_and_help(tmp_path: Path) -> None:
    assert run("--version", cwd=tmp_path).stdout.startswith("beian-audit ")
    helped = run("--help", cwd=tmp_path)
    assert helped.returncode == 0 and "exit codes:" in helped.stdout


# --------------------------------------------------------------------------- issue #12
# In-process (main([...])) for speed; exit codes, complete/partial verdicts and
# all-or-nothing outputs. The expected values are the documented contract of
# docs/cli.md (exit codes 0/1/2/3), not numbers computed by the code under test.

from beian_audit.cli import main  # noqa: E402

PROVIDERS = DATA / "providers.parquet"


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def tree(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


@pytest.fixture(scope="module")
def small_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 600-filing CSV registry with Chinese headers (what an auditor receives)."""
    reg = ba.load_synthetic_registry().head(600)
    reg = reg.drop(columns=[c for c in reg.columns if c.startswith("truth_")])
    path = tmp_path_factory.mktemp("reg") / "registry.csv"
    ba.write_filings(reg, path, headers="chinese", reveal=True)
    return path


@pytest.fixture(scope="module")
def drawn(small_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("drawn")
    code = main(["draw", str(small_registry), "--seed", "5", "--n", "80",
                 "--worksheet", str(out / "sub" / "ws.xlsx"), "--manifest", str(out / "m.json")])
    assert code == 0
    return out / "sub" / "ws.xlsx"


def fill_truth(path: Path, rows: int | None = None) -> None:
    """Fill sponsor_info_correct from the synthetic truth, typed as an auditor would."""
    from openpyxl import load_workbook

    truth = ba.load_synthetic_registry().set_index("website_id")["truth_sponsor_ok"]
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    key_col = header.index("website_id") + 1
    ok_col = header.index("sponsor_info_correct") + 1
    last = ws.max_row if rows is None else 2 + rows
    for row in range(3, last + 1):
        key = ws.cell(row=row, column=key_col).value
        ws.cell(row=row, column=ok_col).value = "对" if truth[key] else "错"
    wb.save(path)


# every subcommand on bad input: exit 2, one-line-per-problem stderr, nothing written
BAD_INPUTS = {
    "read-missing": ["read", "nope.csv"],
    "read-directory": ["read", "."],
    "check-suffix": ["check", "{reg}", "--failures", "out/f.xlsx"],
    "check-output-is-input": ["check", "{reg}", "--failures", "{reg}"],
    "check-providers-missing": ["check", "{reg}", "--providers", "nope.parquet",
                                "--failures", "out/f.csv"],
    "plan-margin": ["plan", "{reg}", "--margin", "5"],
    "plan-neyman": ["plan", "{reg}", "--allocation", "neyman", "--n", "30"],
    "plan-two-sizes": ["plan", "{reg}", "--allocation", "tianjin", "--n", "30"],
    "plan-unknown-stratum": ["plan", "{reg}", "--strata", "nope", "--n", "30"],
    "draw-no-seed": ["draw", "{reg}", "--n", "30", "--worksheet", "out/ws.xlsx"],
    "draw-too-big": ["draw", "{reg}", "--seed", "1", "--n", "100000",
                     "--worksheet", "out/ws.xlsx", "--manifest", "out/m.json"],
    "draw-contacts-alone": ["draw", "{reg}", "--seed", "1", "--n", "30",
                            "--contacts", "clear"],
    "estimate-no-worksheet": ["estimate", "{reg}", "--worksheet", "nope.xlsx"],
    "estimate-fail-without-target": ["estimate", "{reg}", "--worksheet", "{ws}",
                                     "--fail-on-target"],
    "report-month": ["report", "--month", "2013-13", "--out", "out"],
    "report-province": ["report", "--province", "火星", "--out", "out"],
    "report-worksheet-without-registry": ["report", "--worksheet", "{ws}", "--out", "out"],
    "report-registry-without-outcomes": ["report", "--registry", "{reg}", "--out", "out"],
    "demo-out-is-a-file": ["demo", "--out", "{reg}"],
    "unknown-subcommand": ["frobnicate"],
    # the ledger (#14): a missing ledger is never created by a command that only reads it
    "month-open-bad-month": ["month", "open", "{reg}", "--month", "2013-13",
                             "--province", "广东", "--n", "30"],
    "month-open-too-big": ["month", "open", "{reg}", "--month", "2013-05",
                           "--province", "广东", "--n", "100000"],
    "month-status-no-ledger": ["month", "status", "--month", "2013-05", "--province", "广东"],
    "month-draw-no-ledger": ["month", "draw", "{reg}", "--month", "2013-05", "--province",
                             "广东", "--seed", "1", "--ledger", "nope.db"],
    "outcomes-import-missing": ["outcomes", "import", "nope.xlsx"],
    "outcomes-import-no-ledger": ["outcomes", "import", "{ws}", "--ledger", "nope.db"],
    "ledger-upgrade-missing": ["ledger", "upgrade", "nope.db"],
    "case-list-no-ledger": ["case", "list"],
    "case-update-bad-status": ["case", "update", "1", "closed"],
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_every_subcommand_on_bad_input_exits_2_and_writes_nothing(
    name: str, small_registry: Path, drawn: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    args = [a.format(reg=small_registry, ws=drawn) for a in BAD_INPUTS[name]]
    before = tree(tmp_path), tree(small_registry.parent), tree(drawn.parent)
    code, _out, err = call(capsys, *args)
    assert code == 2, err
    assert "error" in err and "Traceback" not in err
    assert (tree(tmp_path), tree(small_registry.parent), tree(drawn.parent)) == before


def test_every_subcommand_is_covered_by_the_bad_input_test() -> None:
    from beian_audit.cli import _parser

    sub = next(a for a in _parser()._actions if isinstance(a, __import__("argparse")
                                                           ._SubParsersAction))
    covered = {args[0] for args in BAD_INPUTS.values()}
    assert set(sub.choices) <= covered


def test_every_problem_is_listed_as_in_the_file(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    rows = "\n".join(f"W{i},a{i}.cn,,甲公司,企业,粤ICP备1234567{i % 10}号" for i in range(30))
    # one filled provider, so that the column is not all-null (a header-level error)
    bad.write_text("网站编号,域名,接入服务商编号,主办单位名称,主办单位性质,网站备案号\n"
                   + rows + "\nW99,b.cn,P1,乙公司,企业,粤ICP备12345679号\n", "utf-8")
    code, _, err = call(capsys, "check", str(bad))
    assert code == 2
    lines = [x for x in err.splitlines() if x.startswith("  line ")]
    assert len(lines) == 30  # all of them, not "30 problem(s)"
    # the first data row is line 2 of the file; the column as headed in the file
    assert lines[0].startswith("  line 2, column '接入服务商编号' (provider_id)")
    assert lines[-1].startswith("  line 31,")
    code, _, err = call(capsys, "--max-problems", "5", "check", str(bad))
    assert code == 2 and "… and 25 more" in err


def test_internal_error_exits_3_without_traceback_unless_debug(
    small_registry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import beian_audit.checks.filings as filings

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(filings, "check_filings", boom)
    code, _, err = call(capsys, "check", str(small_registry))
    assert code == 3 and "internal error" in err and "Traceback" not in err
    with pytest.raises(KeyError):
        main(["check", str(small_registry), "--debug"])


def test_a_failure_midway_leaves_no_partial_report(
    small_registry: Path, drawn: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import beian_audit.spotcheck as spotcheck

    def half(result: object, out: Path, **kwargs: object) -> None:
        (Path(out) / "summary.json").write_text("{", "utf-8")  # half the files written …
        raise RuntimeError("disk gone")  # … then the work fails

    import beian_audit.demo as demo

    monkeypatch.setattr(spotcheck, "write_spot_check", half)
    monkeypatch.setattr(demo, "write_spot_check", half)
    monkeypatch.chdir(tmp_path)
    code, _, _ = call(capsys, "demo", "--out", "reports")
    assert code == 3
    assert tree(tmp_path) == set()  # no reports/, no temporary left


def test_outputs_are_replaced_only_with_force(small_registry: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    failures = tmp_path / "f.csv"
    failures.write_text("keep me", "utf-8")
    code, _, err = call(capsys, "check", str(small_registry), "--failures", str(failures))
    assert code == 2 and "--force" in err and failures.read_text("utf-8") == "keep me"
    code, out, _ = call(capsys, "check", str(small_registry), "--failures", str(failures),
                        "--providers", str(PROVIDERS), "--force")
    assert code == 0 and failures.read_text("utf-8-sig").startswith("website_id")
    assert json.loads(out)["complete"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv"]  # no temporary left


def test_check_without_providers_says_the_verdict_is_partial(
    small_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = call(capsys, "check", str(small_registry))
    payload = json.loads(out)
    assert code == 0 and payload["complete"] is False
    assert payload["skipped"] == [{"check": "access_wrong_provider", "block": "access",
                                   "reason": "no_providers", "missing_columns": "--providers"}]
    assert "SkippedCheckWarning" in err


def test_plan_uses_the_margin_and_states_the_allocation(
    small_registry: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the margin is not overridden by the provincial rule: the plan reaches it
    code, out, err = call(capsys, "plan", str(small_registry), "--margin", "0.1",
                          "--expected", "0.7")
    payload = json.loads(out)
    assert code == 0 and payload["allocation"] == "proportional" and "proportional" in err
    python = ba.plan_sample(ba.read_filings(small_registry), margin=0.1, expected=0.7)
    assert payload["records"][-1]["n"] == python.n  # the CLI and Python agree
    code, out, _ = call(capsys, "plan", str(small_registry))
    assert json.loads(out)["allocation"] == "tianjin"
    code, out, _ = call(capsys, "plan", str(small_registry), "--allocation", "neyman",
                        "--n", "90", "--anticipated", "0.8")
    assert code == 0 and json.loads(out)["records"][-1]["n"] == 90


def test_estimate_on_blank_half_and_full_worksheets(
    small_registry: Path, drawn: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    blank = tmp_path / "blank.xlsx"
    shutil.copy(drawn, blank)
    code, out, err = call(capsys, "estimate", str(small_registry), "--worksheet", str(blank),
                          "--target", "0.5", "--fail-on-target")
    payload = json.loads(out)
    assert code == 1 and payload["complete"] is False and payload["verdict"] == "inconclusive"
    assert payload["n_verified"] == 0 and payload["n_drawn"] == 80
    assert len(payload["missing_keys"]) == 80 and "IncompleteSampleWarning" in err

    half = tmp_path / "half.xlsx"
    shutil.copy(drawn, half)
    fill_truth(half, rows=50)
    code, out, _ = call(capsys, "estimate", str(small_registry), "--worksheet", str(half),
                        "--target", "0.05", "--fail-on-target")
    payload = json.loads(out)
    # even a target the verified part clears is not "met" while 30 filings are open
    assert payload["n_verified"] == 50 and len(payload["missing_keys"]) == 30
    assert payload["verdict"] == "inconclusive" and code == 1

    full = tmp_path / "full.xlsx"
    shutil.copy(drawn, full)
    fill_truth(full)
    code, out, _ = call(capsys, "estimate", str(small_registry), "--worksheet", str(full),
                        "--target", "0.05", "--fail-on-target")
    payload = json.loads(out)
    assert payload["complete"] is True and payload["verdict"] == "met" and code == 0

    # two auditors' copies of one sample are merged
    code, out, _ = call(capsys, "estimate", str(small_registry), "--worksheet", str(half),
                        str(full))
    assert code == 0 and json.loads(out)["complete"] is True


def test_report_on_a_real_registry_and_worksheets(
    small_registry: Path, drawn: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    full = tmp_path / "full.xlsx"
    shutil.copy(drawn, full)
    fill_truth(full)
    out_dir = tmp_path / "monthly"
    code, out, err = call(capsys, "report", "--registry", str(small_registry), "--worksheet",
                          str(full), "--providers", str(PROVIDERS), "--month", "2013-06",
                          "--province", "粤", "--out", str(out_dir))
    assert code == 0, err
    payload = json.loads(out)
    assert {"summary.json", "worksheet.xlsx", "statistics_table.xlsx"} <= {
        p.name for p in out_dir.iterdir()
    }
    summary = json.loads((out_dir / "summary.json").read_text("utf-8"))
    assert summary["month"] == "2013-06" and summary["n_sampled"] == 80
    # access outcomes were not filled in: the report says it is partial
    assert payload["complete"] is False
    code, _, err = call(capsys, "report", "--registry", str(small_registry), "--worksheet",
                        str(full), "--out", str(out_dir))
    assert code == 2 and "--force" in err


def test_draw_contacts_protected_sheet(small_registry: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    from beian_audit.sampling.worksheet import CONTACTS_SHEET

    path = tmp_path / "a" / "b" / "calls.xlsx"
    code, _, err = call(capsys, "draw", str(small_registry), "--seed", "2", "--n", "70",
                        "--worksheet", str(path), "--contacts", "protected-sheet")
    assert code == 0 and "personal data" in err
    wb = load_workbook(path)
    sheet = wb[CONTACTS_SHEET]
    assert sheet.protection.sheet and "个人信息" in str(sheet["A1"].value)
    registry = ba.read_filings(small_registry).set_index("website_id")
    key, mobile = sheet["A3"].value, sheet["C3"].value
    assert mobile == registry.loc[key, "sponsor_principal_mobile"]  # in clear, to be called
    main_sheet = wb.worksheets[0]
    header = [c.value for c in main_sheet[1]]
    shown = main_sheet.cell(row=3, column=header.index("sponsor_principal_mobile") + 1).value
    assert "*" in shown  # the main sheet stays masked


def test_help_documents_exit_codes_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "--help")
    assert code == 0
    for text in ("0  success", "1  target not met", "2  bad usage", "3  internal error"):
        assert text in out
    code, out, _ = call(capsys, "demo", "--help")
    assert "--json" in out


def test_the_docs_mention_only_options_that_exist() -> None:
    import argparse

    from beian_audit.cli import _parser

    def options(parser: argparse.ArgumentParser) -> set[str]:  # nested ones (month open)
        found = {o for a in parser._actions for o in a.option_strings}
        for action in parser._actions:
            if isinstance(getattr(action, "choices", None), dict):
                for sub in action.choices.values():
                    found |= options(sub)
        return found

    known = options(_parser())
    root = Path(__file__).resolve().parents[1]
    pages = [root / "README.md", *(root / "docs").glob("*.md"),
             root / "src" / "beian_audit" / "cli.py"]
    for page in pages:
        for line in page.read_text("utf-8").splitlines():
            if "beian-audit" not in line:
                continue
            for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", line):
                assert option in known, (page.name, option, line)
