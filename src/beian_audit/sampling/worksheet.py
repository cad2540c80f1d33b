"""The auditors' worksheet: write a sample to XLSX, read the verification outcomes back.

:func:`write_worksheet` (also ``Sample.to_worksheet``) writes one row per
sampled filing with

* the key and stratum (locked), and the filing details the auditor needs —
  personal fields masked by :mod:`beian_audit.privacy` (an ID number keeps its
  region prefix and last four characters, a mobile its first three and last
  four digits, an email its domain) unless ``reveal=True``;
* optional automatic check results (``checks``: any DataFrame indexed like the
  frame, e.g. ``CheckReport.flags``), as ``check_<name>`` columns;
* five empty, unlocked outcome columns with Excel data validation:

  ====================== =========================== =============================
  column                 heading                     allowed
  ====================== =========================== =============================
  sponsor_info_correct   主体信息是否准确            drop-down 是 / 否 (see below)
  access_info_correct    接入信息是否准确            drop-down 是 / 否 (see below)
  reason                 原因                        drop-down of the Chinese labels
                                                     of :data:`REASON_CODES`
  checked_by             核查人                      text (≤ 50 characters)
  checked_on             核查日期                    a date, 2000-01-01 … 2100-12-31
  ====================== =========================== =============================

Row 1 holds the machine column names, row 2 the Chinese headings, data start in
row 3. The sheet is protected (no password: it prevents accidents, not
attacks) so only the outcome cells can be edited; a ``reason_codes`` sheet
lists the codes with their Chinese labels; a very hidden, protected
``_manifest`` sheet keeps the sample's manifest and the key and stratum of
every row, so that :func:`read_worksheet` can reject edited keys. Given a
:class:`~beian_audit.CheckReport`, a ``check_findings`` column (自动检查发现的问题)
lists what the automatic checks found in each filing, in Chinese.

**Phone numbers for the field checkers** (``contacts=``). Personal data is
masked by default, but a checker must call the sponsor's principal:

* ``"masked"`` (default): every personal field masked;
* ``"clear"``: the phone and mobile columns are written in clear in the main
  sheet (the other personal fields stay masked);
* ``"protected-sheet"``: the main sheet stays masked and a separate sheet
  ``联系电话(个人信息)`` holds the key and the phone numbers in clear, protected
  against editing and headed by a personal-data notice.

Either of the last two makes the file personal data: give it only to the
checkers assigned to these filings, do not forward or copy it, and delete it
when the verification is done. Sheet protection prevents accidental edits; it
does not hide or encrypt anything.

:func:`read_worksheet` returns one row per filing: the key, ``sponsor_ok`` and
``access_ok`` (nullable boolean; empty cells are ``<NA>``: not verified yet),
``reason`` (codes joined with ``;``), ``checked_by`` and ``checked_on``.
是/否 is what the drop-down offers; these words, typed by hand or pasted, are
accepted too (case, full-width forms and surrounding spaces do not matter):

* yes (:data:`YES_WORDS`): 是 对 正确 准确 一致 属实 符合 Y YES T TRUE 1 ✓ ✔ √
* no (:data:`NO_WORDS`): 否 错 错误 不对 不正确 不准确 不一致 不属实 不符合 N NO F
  FALSE 0 ✗ ✘ ×

Anything else (``x``, ``?``, ``待定`` …), unknown reason codes or labels,
invalid dates, edited keys or strata, and deleted or added rows raise one
:class:`~beian_audit.errors.WorksheetError` whose message names the first
problem's Excel row, column letter and heading and whose ``failure_cases``
lists them all (``row`` is the Excel row number). :func:`verification_progress`
says how many drawn filings have an outcome yet.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> from beian_audit.sampling import plan_sample, draw_sample
>>> frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(40)],
...                       "provider_id": ["P1"] * 30 + ["P2"] * 10,
...                       "sponsor_principal_mobile": ["13812345678"] * 40})
>>> sample = draw_sample(frame, plan_sample(frame, n=6), seed=1)
>>> path = sample.to_worksheet(pathlib.Path(tempfile.mkdtemp()) / "check.xlsx")
>>> outcomes = read_worksheet(path)
>>> outcomes.columns.tolist()
['website_id', 'sponsor_ok', 'access_ok', 'reason', 'checked_by', 'checked_on']
>>> int(outcomes["sponsor_ok"].isna().sum())
6
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from beian_audit._options import check_choice
from beian_audit.errors import (
    FAILURE_COLUMNS,
    ArgumentError,
    ArgumentTypeError,
    WorksheetError,
    require,
)
from beian_audit.privacy import mask_frame

if TYPE_CHECKING:
    from beian_audit.sampling.draw import Sample

__all__ = [
    "CONTACTS_SHEET",
    "DATA_START_ROW",
    "MAIN_SHEET",
    "NO",
    "NO_WORDS",
    "OUTCOME_COLUMNS",
    "REASON_CODES",
    "WORKSHEET_VERSION",
    "YES",
    "YES_WORDS",
    "VerificationProgress",
    "describe_problem",
    "read_worksheet",
    "verification_progress",
    "write_worksheet",
]

WORKSHEET_VERSION = 1
MAIN_SHEET = "抽查核验"
CODES_SHEET = "reason_codes"
MANIFEST_SHEET = "_manifest"
#: The sheet with the phone numbers in clear (``contacts="protected-sheet"``).
CONTACTS_SHEET = "联系电话(个人信息)"
Contacts = Literal["masked", "clear", "protected-sheet"]
CONTACTS: tuple[str, ...] = ("masked", "clear", "protected-sheet")
_PRIVACY_NOTE = (
    "个人信息：本表电话号码为明文，仅供指定核查人员拨打核验电话使用；不得转发、复制，"
    "核查完成后删除本文件。Personal data: phone numbers in clear, for the assigned "
    "field checkers only; do not forward or copy; delete this file after verification."
)
#: First Excel row holding a filing (row 1: column names, row 2: Chinese headings).
DATA_START_ROW = 3
YES, NO = "是", "否"

OUTCOME_COLUMNS: tuple[str, ...] = (
    "sponsor_info_correct",
    "access_info_correct",
    "reason",
    "checked_by",
    "checked_on",
)
_OUTCOME_LABELS = {
    "sponsor_info_correct": "主体信息是否准确",
    "access_info_correct": "接入信息是否准确",
    "reason": "原因",
    "checked_by": "核查人",
    "checked_on": "核查日期",
}

#: Reason codes for an incorrect filing (code → Chinese description). A cell may
#: hold one code from the drop-down, or several typed and separated by ``;``.
REASON_CODES: dict[str, str] = {
    "sponsor_not_found": "主体不存在或已注销",
    "cert_mismatch": "证件号码与名称不符",
    "cert_invalid": "证件无效或已过期",
    "phone_unreachable": "电话空号或无法接通",
    "phone_not_principal": "接听人不是负责人",
    "email_invalid": "电子邮箱无效",
    "address_wrong": "地址不实或不完整",
    "stale_info": "信息已变更未更新",
    "domain_not_resolving": "域名无法解析",
    "ip_mismatch": "解析IP与备案IP不符",
    "hosted_elsewhere": "已转至其他接入服务商",
    "site_closed": "网站已关闭",
    "refused": "拒绝配合核查",
    "other": "其他",
}

#: Filing columns shown to the auditors, when present (key and stratum come first).
DEFAULT_COLUMNS: tuple[str, ...] = (
    "provider_id",
    "provider_name",
    "website_icp_number",
    "website_name",
    "domain",
    "home_url",
    "sponsor_name",
    "sponsor_nature",
    "sponsor_cert_type",
    "sponsor_cert_number",
    "sponsor_province",
    "sponsor_address",
    "sponsor_principal_name",
    "sponsor_principal_mobile",
    "sponsor_principal_phone",
    "sponsor_principal_email",
    "website_principal_name",
    "website_principal_mobile",
    "access_mode",
    "server_province",
    "ip_addresses",
)

#: Words read as "yes, the information is correct" (after NFKC and case folding).
YES_WORDS: tuple[str, ...] = (
    YES, "对", "正确", "准确", "一致", "属实", "符合", "Y", "YES", "T", "TRUE", "1", "✓", "✔", "√",
)
#: Words read as "no, the information is not correct".
NO_WORDS: tuple[str, ...] = (
    NO, "错", "错误", "不对", "不正确", "不准确", "不一致", "不属实", "不符合",
    "N", "NO", "F", "FALSE", "0", "✗", "✘", "×",
)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


_TRUE = {_fold(w) for w in YES_WORDS}
_FALSE = {_fold(w) for w in NO_WORDS}
_SPLIT = re.compile(r"[;；,，、\s]+")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_MIN_DATE, _MAX_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
_CHUNK = 30_000


def column_label(column: str) -> str:
    """The header a worksheet shows for a column (Chinese label, or the name)."""
    from beian_audit.schema import FILING_SCHEMA

    if column in _OUTCOME_LABELS:
        return _OUTCOME_LABELS[column]
    if column == "stratum":
        return "抽样层"
    if column == "check_findings":
        return "自动检查发现的问题"
    if column.startswith("check_"):
        from beian_audit.checks.filings import CHECK_LABELS_ZH

        return f"自动检查: {CHECK_LABELS_ZH.get(column[6:], column[6:])}"
    if column in FILING_SCHEMA:
        return FILING_SCHEMA[column].label_zh
    return column


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, bool | int | float | dt.date | dt.datetime):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _put(ws: Any, row: int, col: int, value: Any, *, raw: bool = False) -> Any:
    """Write one cell; text is a string, never a formula (see safe_output.text_cell).

    ``raw`` cells (keys, strata, the hidden manifest) keep their exact text so
    that reading the worksheet back matches them; a dangerous one is still a
    typed string styled ``quotePrefix``. Other dangerous text is also prefixed
    with ``'`` when the workbook is saved.
    """
    from beian_audit.safe_output import text_cell

    cell = ws.cell(row=row, column=col, value=_cell_value(value))
    return text_cell(cell, prefix=False) if raw else cell


def _checks_frame(checks: Any, sample_frame: pd.DataFrame, key: str) -> pd.DataFrame:
    # a CheckReport carries its flags frame as .flags (a DataFrame's own .flags is
    # pandas' Flags object, so test for a DataFrame first)
    flags = checks if isinstance(checks, pd.DataFrame) else getattr(checks, "flags", None)
    if not isinstance(flags, pd.DataFrame):
        raise ArgumentTypeError(
            "checks must be a DataFrame indexed like the frame (or have a .flags DataFrame)"
        )
    if key in flags.columns:
        table = flags.drop_duplicates(subset=key)
        table = table.set_index(table[key].astype(str)).drop(columns=[key])
        table = table.reindex(sample_frame[key].astype(str).to_numpy())
    else:
        table = flags.reindex(sample_frame.index)
    table.index = sample_frame.index
    return table.rename(columns=lambda c: f"check_{c}")


def _findings(checks: Any, sample_frame: pd.DataFrame, key: str) -> pd.Series | None:
    """Per sampled row, what the automatic checks found, in Chinese (None: no failures table)."""
    failures = getattr(checks, "failures", None)
    if not isinstance(failures, pd.DataFrame) or not {key, "check", "reason"} <= set(
        failures.columns
    ):
        return None
    from beian_audit.checks.filings import CHECK_LABELS_ZH, reason_label_zh

    keys = sample_frame[key].astype(str)
    mine = failures[failures[key].astype(str).isin(set(keys))]
    text: dict[str, list[str]] = {}
    for k, check, reason in zip(mine[key].astype(str), mine["check"].astype(str),
                                mine["reason"].astype(str), strict=True):
        label = CHECK_LABELS_ZH.get(check, check)
        text.setdefault(k, []).append(f"{label}：{reason_label_zh(check, reason)}")
    return pd.Series(
        ["；".join(text.get(k, [])) or None for k in keys], index=sample_frame.index,
        name="check_findings", dtype=object,
    )


def _phone_columns(columns: list[str]) -> list[str]:
    from beian_audit.schema import FILING_SCHEMA

    personal = FILING_SCHEMA.personal_columns()
    return [c for c in columns if personal.get(c) == "phone"]


def write_worksheet(
    sample: Sample,
    path: str | os.PathLike[str],
    *,
    checks: pd.DataFrame | Any | None = None,
    columns: list[str] | None = None,
    reveal: bool = False,
    overwrite: bool = True,
    contacts: Contacts = "masked",
) -> Path:
    """Write the auditors' XLSX worksheet for a sample.

    Parameters
    ----------
    sample : Sample
        From :func:`~beian_audit.sampling.draw_sample`.
    path : str or path-like
        Where to write the ``.xlsx``.
    checks : DataFrame or object with ``.flags``, optional
        Automatic check results indexed like the frame (or with the key
        column); each column becomes ``check_<name>``.
    columns : list of str, optional
        Filing columns to show (default: the usual filing details present in
        the frame; truth columns of synthetic data are never shown unless
        listed here).
    reveal : bool, default False
        Write personal fields unmasked (by default the personal columns, and
        any ID number, phone number or e-mail in any other column, are masked).
    overwrite : bool, default True
        Replace an existing file (``False``: raise
        :class:`~beian_audit.errors.OutputExistsError`). The file is written
        atomically and every text cell is a string, never a formula
        (:func:`beian_audit.safe_output.save_workbook`).
    contacts : {"masked", "clear", "protected-sheet"}, default "masked"
        How the phone numbers the field checkers must call are written:
        masked; in clear in the main sheet; or in clear in a separate,
        edit-protected sheet ``联系电话(个人信息)`` marked as personal data.
        The last two make the file personal data (see the module notes).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        An unknown ``contacts`` or column.
    MissingDependencyError
        When openpyxl is not installed (``pip install 'beian-audit[io]'``).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib, openpyxl
    >>> from beian_audit.sampling import plan_sample, draw_sample
    >>> frame = pd.DataFrame({"website_id": ["W1", "W2", "W3"], "provider_id": ["P1"] * 3,
    ...                       "sponsor_principal_mobile": ["13812345678"] * 3})
    >>> sample = draw_sample(frame, plan_sample(frame, n=2), seed=1)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "calls.xlsx"
    >>> _ = write_worksheet(sample, path, contacts="protected-sheet")
    >>> sheet = openpyxl.load_workbook(path)[CONTACTS_SHEET]
    >>> sheet.protection.sheet, sheet["C3"].value
    (True, '13812345678')
    """
    openpyxl = require("openpyxl", "io")
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.protection import WorkbookProtection

    check_choice("contacts", contacts, CONTACTS)
    frame = sample.frame
    key = sample.key
    info = _shown_columns(frame, key, checks=checks, columns=columns, reveal=reveal,
                          contacts=contacts)
    names = [*info.columns, *OUTCOME_COLUMNS]
    n_rows = len(info)
    last_row = DATA_START_ROW + max(n_rows, 1) - 1

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    head_font = Font(bold=True)
    outcome_fill = PatternFill("solid", fgColor="FFF2CC")
    for j, name in enumerate(names, start=1):
        _put(ws, 1, j, name).font = Font(color="808080", size=8)
        _put(ws, 2, j, column_label(name)).font = head_font
        wide = name in ("reason", "check_findings")
        ws.column_dimensions[get_column_letter(j)].width = 30 if wide else 14
    values = info.to_numpy(dtype=object)
    unlocked = Protection(locked=False)
    first_outcome = len(info.columns) + 1
    for i in range(n_rows):
        r = DATA_START_ROW + i
        for j, value in enumerate(values[i], start=1):
            _put(ws, r, j, value, raw=j <= 2)  # key and stratum are read back
        for j in range(first_outcome, first_outcome + len(OUTCOME_COLUMNS)):
            cell = ws.cell(row=r, column=j)
            cell.protection = unlocked
            cell.fill = outcome_fill
            if names[j - 1] == "checked_on":
                cell.number_format = "yyyy-mm-dd"
    _add_validations(ws, names, last_row)
    ws.freeze_panes = ws.cell(row=DATA_START_ROW, column=3)
    ws.auto_filter.ref = f"A2:{get_column_letter(len(names))}{last_row}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    cs = wb.create_sheet(CODES_SHEET)
    _put(cs, 1, 1, "code").font = head_font
    _put(cs, 1, 2, "原因").font = head_font
    for i, (code, text) in enumerate(REASON_CODES.items(), start=2):
        _put(cs, i, 1, code)
        _put(cs, i, 2, text)
    cs.column_dimensions["A"].width = 24
    cs.column_dimensions["B"].width = 28
    cs.protection.sheet = True

    if contacts == "protected-sheet":
        _contacts_sheet(wb, frame, key, _phone_columns(list(frame.columns)), head_font)

    _manifest_sheet(wb, sample, info, contacts)
    wb.security = WorkbookProtection(lockStructure=True)
    for sheet in (ws, cs):
        for row in sheet.iter_rows(min_row=2, max_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    from beian_audit.safe_output import save_workbook

    return save_workbook(wb, Path(path), overwrite=overwrite)


def _shown_columns(
    frame: pd.DataFrame,
    key: str,
    *,
    checks: pd.DataFrame | Any | None,
    columns: list[str] | None,
    reveal: bool,
    contacts: str,
) -> pd.DataFrame:
    """The main sheet's filing columns (masked unless ``reveal``) and check results."""
    if columns is None:
        shown = [c for c in DEFAULT_COLUMNS if c in frame.columns and c != key]
    else:
        unknown = [c for c in columns if c not in frame.columns]
        if unknown:
            raise ArgumentError(f"columns {unknown} are not in the sample")
        shown = [c for c in columns if c not in (key, "stratum")]
    info = mask_frame(frame[[key, "stratum", *shown]], reveal=reveal)
    phones = _phone_columns(shown)
    if contacts == "clear":
        for column in phones:
            info[column] = frame[column]
    if checks is not None:
        info = pd.concat([info, _checks_frame(checks, frame, key)], axis=1)
        findings = _findings(checks, frame, key)
        if findings is not None:
            info["check_findings"] = findings
    return info


def _add_validations(ws: Any, names: list[str], last_row: int) -> None:
    """Drop-down lists and checks of the outcome columns (yes/no, reason codes, who, when)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    col = {name: get_column_letter(j) for j, name in enumerate(names, start=1)}

    def rng(name: str) -> str:
        return f"{col[name]}{DATA_START_ROW}:{col[name]}{last_row}"

    yes_no = DataValidation(
        type="list",
        formula1=f'"{YES},{NO}"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",  # typed 对/错, Y/N … are accepted too; anything else is not
        errorTitle="是/否",
        error=f"请选择 {YES} 或 {NO}（也可填 对/错、正确/错误、准确/不准确、Y/N、1/0）",
    )
    yes_no.add(rng("sponsor_info_correct"))
    yes_no.add(rng("access_info_correct"))
    codes = DataValidation(
        type="list",
        formula1=f"'{CODES_SHEET}'!$B$2:$B${len(REASON_CODES) + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",  # several codes may be typed, separated by ；
        errorTitle="原因",
        error=f"请从下拉列表选择原因（{CODES_SHEET} 表），多个原因用；分隔",
    )
    codes.add(rng("reason"))
    who = DataValidation(
        type="textLength", operator="lessThanOrEqual", formula1="50", allow_blank=True
    )
    who.add(rng("checked_by"))
    when = DataValidation(
        type="date",
        operator="between",
        formula1="DATE(2000,1,1)",
        formula2="DATE(2100,12,31)",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="核查日期",
        error="请输入日期，例如 2013-05-01",
    )
    when.add(rng("checked_on"))
    for dv in (yes_no, codes, who, when):
        ws.add_data_validation(dv)


def _manifest_sheet(wb: Any, sample: Sample, info: pd.DataFrame, contacts: str) -> None:
    """The very hidden sheet ``read_worksheet`` trusts: layout, manifest, key of each row."""
    key = sample.key
    n_rows = len(info)
    ms = wb.create_sheet(MANIFEST_SHEET)
    text = json.dumps(_json_manifest(sample.manifest), ensure_ascii=False)
    chunks = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)] or [""]
    meta = {
        "worksheet_version": WORKSHEET_VERSION,
        "key": key,
        "sheet": MAIN_SHEET,
        "first_row": DATA_START_ROW,
        "rows": n_rows,
        "manifest_chunks": len(chunks),
        "contacts": contacts,
    }
    for i, (name, value) in enumerate(meta.items(), start=1):
        _put(ms, i, 1, name, raw=True)
        _put(ms, i, 2, value, raw=True)
    for i, chunk in enumerate(chunks, start=1):
        _put(ms, i, 4, chunk, raw=True)
    _put(ms, 1, 6, "row", raw=True)
    _put(ms, 1, 7, key, raw=True)
    _put(ms, 1, 8, "stratum", raw=True)
    keys = info[key].astype(str).to_numpy()
    strata = info["stratum"].astype(str).to_numpy()
    for i in range(n_rows):
        _put(ms, i + 2, 6, DATA_START_ROW + i)
        _put(ms, i + 2, 7, keys[i], raw=True)
        _put(ms, i + 2, 8, strata[i], raw=True)
    ms.protection.sheet = True
    ms.sheet_state = "veryHidden"


def _contacts_sheet(wb: Any, frame: pd.DataFrame, key: str, phones: list[str], font: Any) -> None:
    """The protected sheet with the phone numbers in clear, marked as personal data."""
    from openpyxl.styles import Alignment, Font

    sheet = wb.create_sheet(CONTACTS_SHEET)
    sheet.sheet_properties.tabColor = "C00000"
    note = _put(sheet, 1, 1, _PRIVACY_NOTE)
    note.font = Font(bold=True, color="C00000")
    note.alignment = Alignment(wrap_text=True, vertical="top")
    names = [key, "stratum", *phones]
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(names), 4))
    sheet.row_dimensions[1].height = 48
    for j, name in enumerate(names, start=1):
        _put(sheet, 2, j, column_label(name)).font = font
        sheet.column_dimensions[chr(ord("A") + j - 1)].width = 18
    values = frame[names].to_numpy(dtype=object)
    for i in range(len(frame)):
        for j, value in enumerate(values[i], start=1):
            _put(sheet, DATA_START_ROW + i, j, value)
    sheet.protection.sheet = True


def _json_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    from beian_audit._results import jsonable

    return jsonable(manifest)


# --------------------------------------------------------------------------- reading


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _yes_no(value: Any) -> tuple[bool | None, bool]:
    """(parsed, ok)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    if isinstance(value, bool):
        return value, True
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value), True
    text = _fold(str(value))
    if text in _TRUE:
        return True, True
    if text in _FALSE:
        return False, True
    return None, False


def _codes(value: Any) -> tuple[str, list[str]]:
    """(normalised codes joined with ';', unknown tokens)."""
    text = _text(value)
    if text is None:
        return "", []
    by_label = {label: code for code, label in REASON_CODES.items()}
    by_label.update({code.casefold(): code for code in REASON_CODES})
    out, bad = [], []
    for token in _SPLIT.split(text):
        if not token:
            continue
        code = token if token in REASON_CODES else by_label.get(token, by_label.get(
            token.casefold()))
        if code is None:
            bad.append(token)
        elif code not in out:
            out.append(code)
    return ";".join(out), bad


def _date(value: Any) -> tuple[pd.Timestamp | None, bool]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            converted = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            return None, False
        day = converted.date() if isinstance(converted, dt.datetime) else None
    else:
        match = _DATE.match(str(value).strip())
        if match:
            try:
                day = dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return None, False
    if day is None or not _MIN_DATE <= day <= _MAX_DATE:
        return None, False
    return pd.Timestamp(day), True


def _column_rows(
    ws: Any, columns: Sequence[int], *, min_row: int = 1, max_row: int | None = None,
    extra: Sequence[int] = (),
) -> Iterator[tuple[int, tuple[Any, ...], Callable[[], list[Any]]]]:
    """(row number, values of ``columns``, values of ``extra``) of the rows of a sheet's XML.

    The values are openpyxl's (``values_only``: shared and inline strings,
    numbers, dates by cell style, booleans), but only the cells of ``columns``
    (1-based) are parsed: openpyxl's own row iterator parses every cell of a
    row, most of which (the filing details) the import never reads. The cells
    of ``extra`` columns are parsed only when the third item (a function) is
    called. Rows absent from the XML are not yielded; a cell absent from its
    row is ``None``. Falls back to ``iter_rows`` when openpyxl's parser is not
    the one expected.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import coordinate_to_tuple

    width = len(columns)
    position = {c: i for i, c in enumerate(columns)}
    others = [c for c in extra if c not in position]
    try:
        from openpyxl.worksheet._reader import WorkSheetParser

        wb = ws.parent
        source = ws._get_source()
        options = dict(data_only=wb.data_only, epoch=wb.epoch,
                       date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        strings = ws._shared_strings
    except (ImportError, AttributeError):  # pragma: no cover - another openpyxl
        for r, row in enumerate(ws.iter_rows(min_row=min_row, max_row=max_row,
                                             values_only=True), start=min_row):
            def pick(cs: Sequence[int], row: tuple[Any, ...] = row) -> list[Any]:
                return [row[c - 1] if c - 1 < len(row) else None for c in cs]

            yield r, tuple(pick(columns)), lambda pick=pick: pick(others)  # type: ignore[misc]
        return
    wanted = {get_column_letter(c) for c in columns}
    later = {get_column_letter(c) for c in others}
    digits = "0123456789"
    held: list[Any] = []

    from openpyxl.xml.constants import SHEET_MAIN_NS

    inline, plain = f"{{{SHEET_MAIN_NS}}}is", f"{{{SHEET_MAIN_NS}}}t"

    class _Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> Any:
            # an inline string of one plain run (what openpyxl writes): its text, as
            # openpyxl's Text.from_tree(...).content gives it, without building a Text
            ref = element.get("r")
            if (self.data_only and ref is not None and element.get("t") == "inlineStr"
                    and len(element) == 1):
                child = element[0]
                if (child.tag == inline and len(child) == 1 and child[0].tag == plain
                        and child[0].text is not None and len(child[0]) == 0):
                    row, column = coordinate_to_tuple(ref)
                    self.col_counter = column
                    return {"row": row, "column": column, "value": child[0].text,
                            "data_type": "s", "style_id": int(element.get("s", 0))}
            return super().parse_cell(element)

        def parse_row(self, row: Any) -> Any:
            cells = list(row)
            held.clear()
            if all(el.get("r") is not None for el in cells):  # else all: columns are counted
                keep = []
                for el in cells:
                    letters = el.get("r").rstrip(digits)
                    if letters in wanted:
                        keep.append(el)
                    elif letters in later:
                        held.append(el)
                row[:] = keep
            return super().parse_row(row)

    with source:
        parser = _Parser(source, strings, **options)
        for r, cells in parser.parse():
            if r < min_row:
                continue
            if max_row is not None and r > max_row:
                break
            values: list[Any] = [None] * width
            rest = [c for c in cells if c["column"] not in position]
            for cell in cells:
                i = position.get(cell["column"])
                if i is not None:
                    values[i] = cell["value"]

            kept = list(held)

            def extras(rest: list[dict[str, Any]] = rest, kept: list[Any] = kept,
                       parser: Any = parser) -> list[Any]:
                found = {c["column"]: c["value"] for c in
                         [*rest, *(parser.parse_cell(el) for el in kept)]}
                return [found.get(c) for c in others]

            yield r, tuple(values), extras


def read_worksheet(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the verification outcomes back from a filled-in worksheet.

    Parameters
    ----------
    path : str or path-like
        A worksheet written by :func:`write_worksheet`.

    Returns
    -------
    DataFrame
        One row per filing in worksheet order: the key column (named as in the
        manifest, e.g. ``website_id``), ``sponsor_ok`` and ``access_ok``
        (nullable boolean), ``reason`` (string; codes joined with ``;``,
        ``""`` when none), ``checked_by`` (string) and ``checked_on``
        (``datetime64[ns]``). ``attrs["manifest"]`` holds the sample manifest.

    Raises
    ------
    WorksheetError
        Unknown yes/no values or reason codes, invalid dates, edited key or
        stratum cells, deleted or added rows, missing columns. The message
        names the first problem's Excel row and column; ``failure_cases`` lists
        every problem (``row`` = Excel row number, ``column``, ``value``,
        ``reason`` in ``missing_column``, ``key_edited``, ``stratum_edited``,
        ``row_missing``, ``unexpected_row``, ``unknown_value``,
        ``unknown_code``, ``invalid_date``); ``manifest_damaged`` when the
        manifest sheet cannot be read.
    InputFileError
        The file is missing (:class:`~beian_audit.errors.InputFileNotFoundError`),
        a directory, not ``.xlsx``, or not a readable workbook (truncated …).
    ArgumentTypeError
        ``path`` is not a str or path-like.
    MissingDependencyError
        When openpyxl is not installed.
    """
    openpyxl = require("openpyxl", "io")
    from openpyxl.utils import get_column_letter

    from beian_audit._files import check_path, file_error

    source = check_path(path)
    if source.suffix.lower() not in {".xlsx", ".xlsm"}:
        raise file_error(
            source, f"file suffix ({source.suffix!r}) must be '.xlsx'", "unsupported_format"
        )
    try:
        # read-only from memory: several times faster than the full reader, no file left open
        wb = openpyxl.load_workbook(io.BytesIO(source.read_bytes()), data_only=True,
                                    read_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # BadZipFile, InvalidFileException, PermissionError …
        raise file_error(
            source,
            f"is not a readable .xlsx workbook (truncated, encrypted or another format: "
            f"{type(exc).__name__}: {exc})",
            "malformed_file",
        ) from exc
    if MANIFEST_SHEET not in wb.sheetnames:
        raise WorksheetError(f"{source.name} is not a beian_audit worksheet (no {MANIFEST_SHEET})")
    ms = wb[MANIFEST_SHEET]
    try:
        meta: dict[str, Any] = {}
        for row in ms.iter_rows(min_row=1, max_col=2, values_only=True):
            if row[0] is None:
                break
            meta[str(row[0])] = row[1]
        key = str(meta["key"])
        sheet_name = str(meta.get("sheet", MAIN_SHEET))
        first_row = int(meta.get("first_row", DATA_START_ROW))
        n_chunks = int(meta.get("manifest_chunks", 1))
        text = "".join(
            str(ms.cell(row=i, column=4).value or "") for i in range(1, n_chunks + 1)
        )
        manifest = json.loads(text) if text else {}
        expected: dict[int, tuple[str, str]] = {}
        next_row = 2  # rows 2, 3, … up to the first empty F cell (or missing row)
        for r, row, _ in _column_rows(ms, (6, 7, 8), min_row=2, max_row=ms.max_row):
            if r != next_row or row[0] is None:
                break
            next_row += 1
            expected[int(row[0])] = (str(row[1]), str(row[2]))
    except (KeyError, TypeError, ValueError, IndexError) as exc:  # JSONDecodeError too
        raise WorksheetError(
            f"{source.name}: the {MANIFEST_SHEET} sheet was edited or damaged and cannot be "
            f"read ({type(exc).__name__}: {exc}); use the worksheet as written",
            pd.DataFrame(
                {"row": pd.array([pd.NA], dtype="Int64"), "column": [MANIFEST_SHEET],
                 "value": [None], "reason": ["manifest_damaged"]}
            ),
        ) from exc
    if first_row < 2 or n_chunks < 0:
        raise WorksheetError(f"{source.name}: the {MANIFEST_SHEET} sheet has impossible values")
    if sheet_name not in wb.sheetnames:
        raise WorksheetError(f"{source.name}: the sheet {sheet_name!r} is missing")
    ws = wb[sheet_name]
    header = [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]
    where = {str(v): j for j, v in enumerate(header) if v is not None}
    problems: list[dict[str, Any]] = []
    for name in (key, "stratum", *OUTCOME_COLUMNS):
        if name not in where:
            problems.append({"row": 1, "column": name, "value": None, "reason": "missing_column"})
    if problems:
        _raise(source, problems, {})
    letters = {name: get_column_letter(j + 1) for name, j in where.items()}
    records: list[dict[str, Any]] = []
    seen: set[int] = set()
    if ws.max_row is None:  # a file saved without its dimension: count the rows
        ws.calculate_dimension(force=True)
    last = max(ws.max_row or 0, max(expected, default=first_row - 1))
    # parse only the key, stratum and outcome cells; the others (filing details) only
    # for a row that must be told empty or not (an added or emptied row)
    names = [name for name in where if name in (key, "stratum", *OUTCOME_COLUMNS)]
    other_names = [name for name in where if name not in names]
    got = {r: (values, extras) for r, values, extras in _column_rows(
        ws, [where[name] + 1 for name in names], min_row=first_row, max_row=last,
        extra=[where[name] + 1 for name in other_names])}
    blank = ((None,) * len(names), lambda: [None] * len(other_names))
    for r in range(first_row, last + 1):
        values, extras = got.get(r, blank)
        cells = dict(zip(names, values, strict=True))

        def filled(cells: dict[str, Any] = cells, extras: Any = extras) -> bool:
            return any(_text(v) is not None for v in (*cells.values(), *extras()))

        def bad(column: str, value: Any, reason: str, r: int = r) -> None:
            problems.append(
                {"row": r, "column": column, "value": _text(value), "reason": reason}
            )

        if r not in expected:
            if filled():
                bad(key, cells[key], "unexpected_row")
            continue
        seen.add(r)
        want_key, want_stratum = expected[r]
        got_key = _text(cells[key])
        if got_key is None and not filled():
            bad(key, None, "row_missing")
            continue
        if got_key != want_key:
            bad(key, cells[key], "key_edited")
        if _text(cells["stratum"]) != want_stratum:
            bad("stratum", cells["stratum"], "stratum_edited")
        sponsor, ok1 = _yes_no(cells["sponsor_info_correct"])
        if not ok1:
            bad("sponsor_info_correct", cells["sponsor_info_correct"], "unknown_value")
        access, ok2 = _yes_no(cells["access_info_correct"])
        if not ok2:
            bad("access_info_correct", cells["access_info_correct"], "unknown_value")
        reason, unknown = _codes(cells["reason"])
        if unknown:
            bad("reason", ";".join(unknown), "unknown_code")
        checked_on, ok3 = _date(cells["checked_on"])
        if not ok3:
            bad("checked_on", cells["checked_on"], "invalid_date")
        records.append(
            {
                key: want_key,
                "sponsor_ok": sponsor,
                "access_ok": access,
                "reason": reason,
                "checked_by": _text(cells["checked_by"]),
                "checked_on": checked_on,
            }
        )
    for r in sorted(set(expected) - seen):
        problems.append(
            {"row": r, "column": key, "value": expected[r][0], "reason": "row_missing"}
        )
    if problems:
        _raise(source, problems, letters)
    from beian_audit.schema import STRING_DTYPE

    out = pd.DataFrame(
        records, columns=[key, "sponsor_ok", "access_ok", "reason", "checked_by", "checked_on"]
    )
    out = out.astype(
        {
            key: STRING_DTYPE,
            "sponsor_ok": "boolean",
            "access_ok": "boolean",
            "reason": STRING_DTYPE,
            "checked_by": STRING_DTYPE,
        }
    )
    out["checked_on"] = pd.to_datetime(out["checked_on"]).astype("datetime64[ns]")
    out.attrs["manifest"] = manifest
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationProgress:
    """How many drawn filings have a verification outcome yet.

    Attributes
    ----------
    outcome : str
        The outcome column counted (``sponsor_ok`` or ``access_ok``).
    n_drawn, n_verified : int
        Filings in the sample; filings with an outcome (是 or 否).
    missing_keys : tuple of str
        Keys (website ids) of the filings without an outcome.
    """

    outcome: str
    n_drawn: int
    n_verified: int
    missing_keys: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """``True`` when every drawn filing has an outcome."""
        return self.n_verified == self.n_drawn

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``complete``, ``n_drawn``, ``n_verified``, ``missing_keys``."""
        return {"outcome": self.outcome, "complete": self.complete, "n_drawn": self.n_drawn,
                "n_verified": self.n_verified, "missing_keys": list(self.missing_keys)}

    def __str__(self) -> str:
        text = f"{self.n_verified} of {self.n_drawn} drawn filings verified ({self.outcome})"
        if not self.complete:
            shown = ", ".join(self.missing_keys[:5])
            more = " …" if len(self.missing_keys) > 5 else ""
            text += f"; not yet: {shown}{more}"
        return text


def verification_progress(
    outcomes: pd.DataFrame, *, outcome: str = "sponsor_ok", key: str | None = None
) -> VerificationProgress:
    """Count the drawn filings that have an outcome, and list those that have not.

    Parameters
    ----------
    outcomes : DataFrame
        From :func:`read_worksheet` (one row per drawn filing).
    outcome : str, default "sponsor_ok"
        The outcome column.
    key : str, optional
        The key column (default: the manifest's key, else the first column).

    Returns
    -------
    VerificationProgress

    Examples
    --------
    >>> import pandas as pd
    >>> sheet = pd.DataFrame({"website_id": ["W1", "W2", "W3"],
    ...                       "sponsor_ok": pd.array([True, None, False], dtype="boolean")})
    >>> progress = verification_progress(sheet)
    >>> progress.complete, progress.n_verified, progress.missing_keys
    (False, 2, ('W2',))
    """
    if outcome not in outcomes.columns:
        raise ArgumentError(f"outcome ({outcome!r}) must be a column of outcomes: "
                         f"{list(outcomes.columns)!r}")
    if key is None:
        key = str(outcomes.attrs.get("manifest", {}).get("key") or outcomes.columns[0])
    missing = outcomes[outcome].isna().to_numpy(dtype=bool)
    return VerificationProgress(
        outcome=outcome,
        n_drawn=len(outcomes),
        n_verified=int((~missing).sum()),
        missing_keys=tuple(str(k) for k in outcomes[key][missing]),
    )


_MESSAGES = {
    "missing_column": "the column is missing",
    "key_edited": "the key was edited",
    "stratum_edited": "the stratum was edited",
    "row_missing": "the row was deleted or emptied",
    "unexpected_row": "a row was added",
    "unknown_value": (
        f"the value must be {YES} or {NO} (also accepted: " + " ".join(YES_WORDS[1:]) + " / "
        + " ".join(NO_WORDS[1:]) + ")"
    ),
    "unknown_code": f"unknown reason (choose a label or code of the {CODES_SHEET} sheet)",
    "invalid_date": "not a date between 2000-01-01 and 2100-12-31",
}


def describe_problem(problem: dict[str, Any], letters: dict[str, str] | None = None) -> str:
    """One worksheet problem as the auditor sees it: Excel row, column letter and heading.

    Examples
    --------
    >>> describe_problem({"row": 5, "column": "sponsor_info_correct", "value": "x",
    ...                   "reason": "unknown_value"}, {"sponsor_info_correct": "F"}).split(":")[0]
    "Excel row 5, column F '主体信息是否准确' (sponsor_info_correct)"
    """
    column = str(problem["column"])
    letter = (letters or {}).get(column, "")
    where = f"column {letter} " if letter else "column "
    value = problem.get("value")
    shown = "" if value is None or value is pd.NA else f" (value {value!r})"
    return (
        f"Excel row {problem['row']}, {where}{column_label(column)!r} ({column}): "
        f"{_MESSAGES.get(str(problem['reason']), str(problem['reason']))}{shown}"
    )


def _raise(source: Path, problems: list[dict[str, Any]], letters: dict[str, str]) -> None:
    failures = pd.DataFrame(problems, columns=list(FAILURE_COLUMNS))
    failures["letter"] = failures["column"].map(lambda c: letters.get(str(c), ""))
    lines = [describe_problem(p, letters) for p in problems[:10]]
    more = f"\n  … and {len(problems) - 10} more (see .failure_cases)" if len(problems) > 10 else ""
    message = f"{source.name}: {len(problems)} problem(s):\n  " + "\n  ".join(lines) + more
    raise WorksheetError(message, failure_cases=failures)
