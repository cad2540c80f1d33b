"""The auditors' XLSX worksheet (beian_audit.sampling.worksheet): write, fill in, read back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from beian_audit.errors import WorksheetError
from beian_audit.sampling import (
    OUTCOME_COLUMNS,
    REASON_CODES,
    Sample,
    draw_sample,
    plan_sample,
    read_worksheet,
    verify_sample,
)
from beian_audit.sampling.worksheet import DATA_START_ROW, MAIN_SHEET


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    from beian_audit.synthetic import generate_registry

    return generate_registry(400, seed=4)


@pytest.fixture(scope="module")
def sample(registry: pd.DataFrame) -> Sample:
    return draw_sample(registry, plan_sample(registry, allocation="tianjin"), seed=20130401)


def header(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[1] if c.value is not None}


def fill(path: Path, edits: dict[tuple[int, str], object]) -> None:
    """Simulate an auditor: set cells by (Excel row, column name) and save."""
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    cols = header(ws)
    for (row, name), value in edits.items():
        ws.cell(row=row, column=cols[name]).value = value
    wb.save(path)


def test_blank_round_trip(sample: Sample, registry: pd.DataFrame, tmp_path: Path) -> None:
    path = sample.to_worksheet(tmp_path / "blank.xlsx")
    out = read_worksheet(path)
    assert out.columns.tolist() == [
        "website_id", "sponsor_ok", "access_ok", "reason", "checked_by", "checked_on",
    ]
    assert out["website_id"].tolist() == sample.frame["website_id"].tolist()
    assert str(out["sponsor_ok"].dtype) == "boolean" and out["sponsor_ok"].isna().all()
    assert str(out["checked_on"].dtype) == "datetime64[ns]"
    assert (out["reason"] == "").all()
    manifest = out.attrs["manifest"]
    assert manifest["seed"] == 20130401
    assert verify_sample(registry, manifest, sample.frame)


def test_filled_outcomes_are_read(sample: Sample, tmp_path: Path) -> None:
    path = sample.to_worksheet(tmp_path / "filled.xlsx")
    r = DATA_START_ROW
    fill(
        path,
        {
            (r, "sponsor_info_correct"): "是",
            (r, "access_info_correct"): "否",
            (r, "reason"): "ip_mismatch",
            (r, "checked_by"): "王审核",
            (r, "checked_on"): dt.date(2013, 5, 6),
            (r + 1, "sponsor_info_correct"): 0,  # typed by hand: 1/0 accepted
            (r + 1, "access_info_correct"): 1,
            (r + 1, "reason"): "电话空号或无法接通; stale_info",  # Chinese label and a code
            (r + 1, "checked_on"): "2013-05-07",
        },
    )
    out = read_worksheet(path)
    first, second = out.iloc[0], out.iloc[1]
    assert bool(first["sponsor_ok"]) is True and bool(first["access_ok"]) is False
    assert first["reason"] == "ip_mismatch" and first["checked_by"] == "王审核"
    assert first["checked_on"] == pd.Timestamp("2013-05-06")
    assert bool(second["sponsor_ok"]) is False and bool(second["access_ok"]) is True
    assert second["reason"] == "phone_unreachable;stale_info"
    assert second["checked_on"] == pd.Timestamp("2013-05-07")
    assert out.iloc[2:]["sponsor_ok"].isna().all()


def test_unknown_codes_and_values_are_rejected_with_rows(sample: Sample, tmp_path: Path) -> None:
    path = sample.to_worksheet(tmp_path / "bad.xlsx")
    r = DATA_START_ROW
    fill(
        path,
        {
            (r + 1, "reason"): "phone_dead",
            (r + 3, "sponsor_info_correct"): "maybe",
            (r + 4, "checked_on"): "yesterday",
        },
    )
    with pytest.raises(WorksheetError) as info:
        read_worksheet(path)
    err = info.value
    # every problem is in the message, as the auditor sees it: row, column letter, heading
    letter = openpyxl.utils.get_column_letter(header(openpyxl.load_workbook(path)[MAIN_SHEET])
                                              ["sponsor_info_correct"])
    assert f"Excel row {r + 1}" in str(err) and "(reason)" in str(err)
    assert f"Excel row {r + 3}, column {letter} '主体信息是否准确'" in str(err)
    assert f"Excel row {r + 4}" in str(err)
    cases = err.failure_cases
    assert cases is not None
    assert cases[["row", "column", "reason"]].values.tolist() == [
        [r + 1, "reason", "unknown_code"],
        [r + 3, "sponsor_info_correct", "unknown_value"],
        [r + 4, "checked_on", "invalid_date"],
    ]
    assert cases.loc[0, "value"] == "phone_dead"


def test_edited_deleted_and_added_rows_are_rejected(sample: Sample, tmp_path: Path) -> None:
    path = sample.to_worksheet(tmp_path / "edited.xlsx")
    r = DATA_START_ROW
    last = r + sample.n - 1
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    cols = header(ws)
    ws.cell(row=r + 2, column=cols["website_id"], value="W99999999")
    ws.cell(row=r + 5, column=cols["stratum"], value="P9999")
    for c in range(1, ws.max_column + 1):  # empty a whole row
        ws.cell(row=r + 7, column=c).value = None
    ws.cell(row=last + 1, column=cols["website_id"], value="W12345678")
    wb.save(path)
    with pytest.raises(WorksheetError, match=f"Excel row {r + 2}") as info:
        read_worksheet(path)
    cases = info.value.failure_cases
    assert cases is not None
    assert cases[["row", "reason"]].values.tolist() == [
        [r + 2, "key_edited"],
        [r + 5, "stratum_edited"],
        [r + 7, "row_missing"],
        [last + 1, "unexpected_row"],
    ]


def test_rows_told_empty_by_every_headed_column(sample: Sample, tmp_path: Path) -> None:
    # the reader parses the filing-detail cells only for a row whose emptiness matters:
    # an added row holding only a detail, and a row whose key and stratum were cleared
    # but whose details remain, are still seen (unexpected_row; key_edited, not
    # row_missing), and a cell in a column without a heading does not count
    path = sample.to_worksheet(tmp_path / "details.xlsx")
    r = DATA_START_ROW
    last = r + sample.n - 1
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    cols = header(ws)
    detail = next(c for name, c in cols.items()
                  if name not in ("website_id", "stratum", *OUTCOME_COLUMNS))
    ws.cell(row=r + 1, column=cols["website_id"]).value = None
    ws.cell(row=r + 1, column=cols["stratum"]).value = None
    ws.cell(row=last + 1, column=detail, value="added by hand")
    ws.cell(row=last + 2, column=ws.max_column + 2, value="no heading")
    wb.save(path)
    with pytest.raises(WorksheetError) as info:
        read_worksheet(path)
    cases = info.value.failure_cases
    assert cases is not None
    assert cases[["row", "reason"]].values.tolist() == [
        [r + 1, "key_edited"],
        [r + 1, "stratum_edited"],
        [last + 1, "unexpected_row"],
    ]


def test_missing_outcome_column(sample: Sample, tmp_path: Path) -> None:
    path = sample.to_worksheet(tmp_path / "nocol.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    ws.cell(row=1, column=header(ws)["checked_on"]).value = None
    wb.save(path)
    with pytest.raises(WorksheetError, match="checked_on"):
        read_worksheet(path)


def test_not_a_worksheet(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(WorksheetError, match="not a beian_audit worksheet"):
        read_worksheet(path)


def test_personal_data_masked_and_truth_hidden(sample: Sample, tmp_path: Path) -> None:
    path = sample.to_worksheet(tmp_path / "masked.xlsx")
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    cols = header(ws)
    assert not any(name.startswith("truth_") for name in cols)
    mobiles = sample.frame["sponsor_principal_mobile"].dropna().astype(str).tolist()
    ids = sample.frame["sponsor_principal_id_number"].dropna().astype(str).tolist()
    text = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert not (set(mobiles) | set(ids)) & text
    shown = ws.cell(row=DATA_START_ROW, column=cols["sponsor_principal_mobile"]).value
    raw = sample.frame["sponsor_principal_mobile"].iloc[0]
    if isinstance(raw, str) and len(raw) == 11:
        assert shown == raw[:3] + "****" + raw[-4:]  # auditors see the last four digits
    revealed = sample.to_worksheet(tmp_path / "raw.xlsx", reveal=True)
    ws2 = openpyxl.load_workbook(revealed)[MAIN_SHEET]
    assert ws2.cell(row=DATA_START_ROW, column=cols["sponsor_principal_mobile"]).value == raw


def test_checks_columns(sample: Sample, registry: pd.DataFrame, tmp_path: Path) -> None:
    flags = pd.DataFrame(
        {"phone_valid": registry.index % 2 == 0, "email_valid": registry.index % 3 == 0},
        index=registry.index,
    )
    path = sample.to_worksheet(tmp_path / "checks.xlsx", checks=flags)
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    cols = header(ws)
    assert "check_phone_valid" in cols and "check_email_valid" in cols
    first_index = sample.frame.index[0]
    assert ws.cell(row=DATA_START_ROW, column=cols["check_phone_valid"]).value == bool(
        first_index % 2 == 0
    )
    # keyed checks (a column with the key) align by key; an object with .flags works too
    keyed = flags.assign(website_id=registry["website_id"]).sample(frac=1, random_state=1)

    class Report:
        pass

    report = Report()
    report.flags = keyed  # type: ignore[attr-defined]
    path2 = sample.to_worksheet(tmp_path / "checks2.xlsx", checks=report)
    ws2 = openpyxl.load_workbook(path2)[MAIN_SHEET]
    assert ws2.cell(row=DATA_START_ROW, column=cols["check_phone_valid"]).value == bool(
        first_index % 2 == 0
    )
    assert read_worksheet(path2)["sponsor_ok"].isna().all()


def test_validation_protection_and_hidden_manifest(sample: Sample, tmp_path: Path) -> None:
    path = sample.to_worksheet(tmp_path / "dv.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[MAIN_SHEET]
    cols = header(ws)
    letter = {name: openpyxl.utils.get_column_letter(j) for name, j in cols.items()}
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    yes_no = next(dv for dv in rules.values() if dv.formula1 == '"是,否"')
    assert f"{letter['sponsor_info_correct']}{DATA_START_ROW}" in str(yes_no.sqref)
    assert f"{letter['access_info_correct']}{DATA_START_ROW}" in str(yes_no.sqref)
    codes = next(dv for dv in rules.values() if dv.formula1 and "reason_codes" in dv.formula1)
    # the drop-down offers the Chinese labels (column B); the reader maps them to codes
    assert codes.type == "list" and codes.formula1.endswith(f"$B${len(REASON_CODES) + 1}")
    date_rule = next(dv for dv in rules.values() if dv.type == "date")
    assert letter["checked_on"] in str(date_rule.sqref)
    assert ws.protection.sheet
    assert ws.cell(row=DATA_START_ROW, column=cols["website_id"]).protection.locked
    for name in OUTCOME_COLUMNS:
        assert not ws.cell(row=DATA_START_ROW, column=cols[name]).protection.locked
    ms = wb["_manifest"]
    assert ms.sheet_state == "veryHidden" and ms.protection.sheet
    assert wb.security is not None and wb.security.lockStructure
    codes_sheet = wb["reason_codes"]
    assert [c.value for c in codes_sheet["A"]][1:] == list(REASON_CODES)


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "website_id": ["=1+1", "W2", "W3"],
            "provider_id": ["P1"] * 3,
            "website_name": ["=HYPERLINK(\"x\")", "ok", "ok"],
        }
    )
    sample = draw_sample(frame, plan_sample(frame, n=3), seed=1)
    path = sample.to_worksheet(tmp_path / "inject.xlsx")
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    values = [c.value for row in ws.iter_rows(min_row=DATA_START_ROW) for c in row]
    assert "=1+1" in values
    cell = next(c for row in ws.iter_rows(min_row=DATA_START_ROW) for c in row if c.value == "=1+1")
    assert cell.data_type == "s"
    assert read_worksheet(path)["website_id"].tolist() == sample.frame["website_id"].tolist()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("是", True), ("对", True), ("正确", True), ("准确", True), ("Y", True), ("yes", True),
     ("ＴＲＵＥ", True), (1, True), ("✓", True), ("√", True),
     ("否", False), ("错", False), ("错误", False), ("不准确", False), ("n", False),
     ("false", False), (0, False), ("✗", False), ("×", False)],
)
def test_the_words_an_auditor_types_are_accepted(
    sample: Sample, tmp_path: Path, typed: object, expected: bool
) -> None:
    path = sample.to_worksheet(tmp_path / "typed.xlsx")
    fill(path, {(DATA_START_ROW, "sponsor_info_correct"): typed})
    assert bool(read_worksheet(path)["sponsor_ok"].iloc[0]) is expected


@pytest.mark.parametrize("typed", ["x", "?", "待定", "maybe", 2])
def test_other_words_name_the_excel_row_and_column(
    sample: Sample, tmp_path: Path, typed: object
) -> None:
    path = sample.to_worksheet(tmp_path / "typed.xlsx")
    fill(path, {(DATA_START_ROW + 2, "access_info_correct"): typed})
    with pytest.raises(WorksheetError, match=f"Excel row {DATA_START_ROW + 2}, column [A-Z]+ "
                                             "'接入信息是否准确'"):
        read_worksheet(path)


def test_chinese_reason_labels_are_read_as_codes(sample: Sample, tmp_path: Path) -> None:
    path = sample.to_worksheet(tmp_path / "labels.xlsx")
    label = REASON_CODES["phone_unreachable"]
    fill(path, {(DATA_START_ROW, "reason"): f"{label}；{REASON_CODES['stale_info']}"})
    assert read_worksheet(path)["reason"].iloc[0] == "phone_unreachable;stale_info"


def test_contacts_clear_and_findings_in_chinese(
    sample: Sample, registry: pd.DataFrame, tmp_path: Path
) -> None:
    from beian_audit.checks.filings import check_filings

    report = check_filings(registry, workers=1)
    path = sample.to_worksheet(tmp_path / "clear.xlsx", checks=report, contacts="clear")
    ws = openpyxl.load_workbook(path)[MAIN_SHEET]
    cols = header(ws)
    first = sample.frame.iloc[0]
    mobile = ws.cell(row=DATA_START_ROW, column=cols["sponsor_principal_mobile"]).value
    assert mobile == first["sponsor_principal_mobile"]  # in clear
    if "sponsor_principal_id_number" in cols:  # other personal fields stay masked
        shown = ws.cell(row=DATA_START_ROW, column=cols["sponsor_principal_id_number"]).value
        assert shown != first["sponsor_principal_id_number"]
    assert ws.cell(row=2, column=cols["check_findings"]).value == "自动检查发现的问题"
    flagged = report.failures[report.failures["website_id"].isin(sample.frame["website_id"])]
    if len(flagged):
        row = DATA_START_ROW + sample.frame["website_id"].tolist().index(
            flagged["website_id"].iloc[0])
        text = str(ws.cell(row=row, column=cols["check_findings"]).value)
        assert "：" in text and not any(c.isascii() and c.isalpha() for c in text.split("：")[1])
    with pytest.raises(ValueError, match="contacts"):
        sample.to_worksheet(tmp_path / "x.xlsx", contacts="plain")  # type: ignore[arg-type]


def test_verification_progress_of_a_half_filled_sheet(sample: Sample, tmp_path: Path) -> None:
    from beian_audit.sampling import verification_progress

    path = sample.to_worksheet(tmp_path / "half.xlsx")
    fill(path, {(DATA_START_ROW + i, "sponsor_info_correct"): "是" for i in range(5)})
    progress = verification_progress(read_worksheet(path))
    assert (progress.n_drawn, progress.n_verified) == (sample.n, 5)
    assert not progress.complete
    assert list(progress.missing_keys) == sample.frame["website_id"].tolist()[5:]
