"""Writers for the reporting results: the form-like XLSX, CSV and the JSON Schema.

* :func:`write_statistics_table_xlsx` lays the statistics table out like the
  printed form: title and subtitle rows merged across the columns, the header
  序号 / 主要任务 / 项目 / 数量 / 备注, each task cell merged over its rows, column
  widths, thin borders; a ``details`` sheet holds the tidy table (English
  labels, intervals, sources) and an ``about`` sheet the metadata.
* :func:`write_csv` writes a frame as UTF-8 (with a byte-order mark by default,
  so that spreadsheet programs show Chinese text).
* :func:`statistics_table_json_schema` returns the JSON Schema (draft 2020-12)
  that :meth:`StatisticsTable.to_dict` follows.

Nothing here writes personal data: the statistics table holds counts and
rates only, and frames handed to :func:`write_csv` by the other reporting
objects are masked first.

Examples
--------
>>> schema = statistics_table_json_schema()
>>> schema["properties"]["records"]["minItems"]
18
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from beian_audit._results import jsonable
from beian_audit.errors import require

if TYPE_CHECKING:  # pragma: no cover
    from beian_audit.reporting.statistics_table import StatisticsTable

__all__ = [
    "FORM_HEADERS",
    "form_cells",
    "statistics_table_json_schema",
    "write_csv",
    "write_statistics_table_xlsx",
]

#: Header row of the form (the seed's four columns plus a remarks column).
FORM_HEADERS: tuple[str, ...] = ("序号", "主要任务", "项目", "数量", "备注")
_WIDTHS = (7, 30, 46, 14, 44)
_SHEET = "统计表"


@cache
def _schema_text() -> str:
    path = resources.files("beian_audit.reporting") / "statistics_table.schema.json"
    return path.read_text(encoding="utf-8")


def statistics_table_json_schema() -> dict[str, Any]:
    """The JSON Schema of :meth:`StatisticsTable.to_dict` (a fresh copy).

    Examples
    --------
    >>> statistics_table_json_schema()["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
    """
    return json.loads(_schema_text())


def _remark(row: pd.Series) -> str:
    if bool(row["missing"]):
        return f"缺少输入：{row['missing_input']}"
    if row["unit"] == "percent" and not pd.isna(row["ci_low"]):
        level = float(row["confidence_level"])
        n = "" if pd.isna(row["n"]) else f"，n={int(row['n'])}"
        return (
            f"{level * 100:g}%置信区间 {float(row['ci_low']):.2f}%–{float(row['ci_high']):.2f}%"
            f"（{row['method']}{n}）"
        )
    return ""


def form_cells(table: StatisticsTable) -> pd.DataFrame:
    """The table as printed: 序号, 主要任务 (first row of each task only), 项目,
    数量 (text: counts, rates as ``71.23%``, empty when missing) and 备注.

    Examples
    --------
    >>> from beian_audit.reporting import statistics_table
    >>> t = statistics_table(province="浙江", month=5, counts={1: 12}, province_by="none")
    >>> form_cells(t).iloc[:3, :4]
       序号      主要任务       项目  数量
    0   1  网站备案总体情况  已备案网站数量  12
    1   2            未备案网站数量
    2   3    网站备案审核  网站备案审核量
    """
    rows = table.rows
    first = rows["task_zh"] != rows["task_zh"].shift()
    shown = []
    for _, row in rows.iterrows():
        if pd.isna(row["value"]):
            shown.append("")
        elif row["unit"] == "percent":
            shown.append(f"{float(row['value']):.2f}%")
        else:
            shown.append(str(int(row["value"])))
    return pd.DataFrame(
        {
            "序号": rows["no"].astype(int).to_numpy(),
            "主要任务": rows["task_zh"].where(first, "").to_numpy(),
            "项目": rows["item_zh"].to_numpy(),
            "数量": shown,
            "备注": [_remark(r) for _, r in rows.iterrows()],
        }
    )


def write_csv(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    encoding: str = "utf-8-sig",
    overwrite: bool = True,
) -> Path:
    """Write ``frame`` without its index, atomically and safe to open; return the path.

    Cells that a spreadsheet program would read as a formula are neutralised
    (:func:`beian_audit.safe_output.write_table`); ``overwrite=False`` refuses
    to replace an existing file (:class:`~beian_audit.errors.OutputExistsError`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> write_csv(pd.DataFrame({"a": [1]}), out).read_text(encoding="utf-8-sig")
    'a\\n1\\n'
    """
    from beian_audit.safe_output import write_table

    return write_table(frame, path, format="csv", encoding=encoding, overwrite=overwrite)


def _plain(value: Any) -> Any:
    value = jsonable(value)
    return value if not isinstance(value, list | dict) else json.dumps(value, ensure_ascii=False)


def write_statistics_table_xlsx(
    table: StatisticsTable, path: str | Path, *, overwrite: bool = True
) -> Path:
    """Write the statistics table as an XLSX laid out like the form.

    Sheet ``统计表``: row 1 the title 网站备案管理工作情况统计表 and row 2 the
    subtitle (both merged across A:E), row 3 the header 序号 / 主要任务 / 项目 /
    数量 / 备注, rows 4–21 the 18 rows with each 主要任务 cell merged over its
    rows. 数量 holds integers, and the rates of rows 12–13 as Excel
    percentages (the fraction with format ``0.00%``); 备注 gives their interval,
    or the missing input of an empty row. Sheet ``details``: the tidy table
    (:meth:`StatisticsTable.to_frame`). Sheet ``about``: schema version,
    province, period and notes.

    Parameters
    ----------
    table : StatisticsTable
    path : str or Path
        Destination ``.xlsx`` file, written atomically; text cells are strings
        (never formulas), see :func:`beian_audit.safe_output.save_workbook`.
    overwrite : bool, default True
        Replace an existing file (``False``: raise
        :class:`~beian_audit.errors.OutputExistsError`).

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> from beian_audit.reporting import statistics_table
    >>> t = statistics_table(province="浙江", month=5, counts={1: 12}, province_by="none")
    >>> out = write_statistics_table_xlsx(t, pathlib.Path(tempfile.mkdtemp()) / "t.xlsx")
    >>> ws = openpyxl.load_workbook(out)["统计表"]
    >>> ws["A2"].value, ws["B4"].value, ws["D4"].value
    ('（2013年  5月  浙江省通信管理局）', '网站备案总体情况', 12)
    """
    openpyxl = require("openpyxl", "io")
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from beian_audit import __version__

    path = Path(path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _SHEET
    last = get_column_letter(len(FORM_HEADERS))
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    ws.append([table.title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = center
    ws.append([table.subtitle])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = center
    ws.append(list(FORM_HEADERS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = center
        cell.border = box

    cells = form_cells(table)
    rows = table.rows
    start = 4
    for i, (_, row) in enumerate(rows.iterrows()):
        value: Any = None
        fmt = "0"
        if not pd.isna(row["value"]):
            if row["unit"] == "percent":
                value, fmt = float(row["value"]) / 100.0, "0.00%"
            else:
                value = int(row["value"])
        task = cells.loc[i, "主要任务"] or None
        ws.append([int(row["no"]), task, row["item_zh"], value, cells.loc[i, "备注"]])
        r = start + i
        ws.cell(r, 4).number_format = fmt
        for c in range(1, len(FORM_HEADERS) + 1):
            ws.cell(r, c).border = box
            ws.cell(r, c).alignment = center if c in (1, 2, 4) else left

    # merge each task over its rows
    task_col = rows["task_zh"].tolist()
    i = 0
    while i < len(task_col):
        j = i
        while j + 1 < len(task_col) and task_col[j + 1] == task_col[i]:
            j += 1
        if j > i:
            ws.merge_cells(start_row=start + i, start_column=2, end_row=start + j, end_column=2)
        i = j + 1
    for c, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A4"

    details = wb.create_sheet("details")
    frame = table.to_frame()
    details.append(list(frame.columns))
    for rec in frame.itertuples(index=False):
        details.append([_plain(v) for v in rec])

    about = wb.create_sheet("about")
    meta = table.to_dict()
    for key in ("schema_version", "kind", "title", "subtitle", "year", "month", "national",
                "province_by"):  # fmt: skip
        about.append([key, _plain(meta[key])])
    about.append(["province_code", meta["province"]["code"]])
    about.append(["province", meta["province"]["name_zh"]])
    about.append(["period", f"{meta['period']['start']} to {meta['period']['end']}"])
    about.append(["provinces", "; ".join(meta["provinces"])])
    about.append(["missing_inputs", "; ".join(meta["missing_inputs"])])
    about.append(["notes", "\n".join(meta["notes"])])
    about.append(["written_by", f"beian_audit {__version__}"])
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 60
    from beian_audit.safe_output import save_workbook

    return save_workbook(wb, path, overwrite=overwrite)
