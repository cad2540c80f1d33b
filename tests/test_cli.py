"""The `beian-audit` command, driven through a subprocess on the bundled data.

Also the privacy promise of issue #6: no file the demo or the CLI writes holds an
unmasked personal value (ID number, phone, email) of the synthetic registry.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import beian_audit as ba

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
    if path.suffix in {".csv", ".json", ".txt", ".md"}:
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
        text = _text_of(path)
        leaked = [v for v in raw_values if v in text]
        assert not leaked, (path.name, leaked[:3])


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
    assert "problem(s)" in result.stderr and result.stderr.strip().count("\n") == 0

    usage = run("draw", str(REGISTRY), cwd=tmp_path)  # --seed is required
    assert usage.returncode == 2


def test_version_and_help(tmp_path: Path) -> None:
    assert run("--version", cwd=tmp_path).stdout.startswith("beian-audit ")
    helped = run("--help", cwd=tmp_path)
    assert helped.returncode == 0 and "Exit codes" in helped.stdout
