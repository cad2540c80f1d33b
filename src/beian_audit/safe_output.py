"""Safe, atomic files: every CSV / XLSX / JSON / Parquet beian_audit writes.

Three things live here and every writer of the package uses them:

* :func:`neutralise_cell` / :func:`neutralise_frame`: spreadsheet-formula
  ("CSV injection") defence after the OWASP guidance. A text cell whose first
  character (after NFKC, so ``＝`` counts as ``=``, and after leading
  whitespace) is ``=``, ``+``, ``-`` or ``@``, or whose raw first character is
  a tab or a carriage return, is prefixed with a single quote ``'``. Numbers
  stay numbers; a text cell holding just a number (``"-3"``, ``"+1.5"``) is
  left alone since no program evaluates it.
* :func:`atomic_path` / :func:`staged_directory`: write to a temporary file
  (or directory) next to the target, ``fsync`` it and move it into place with
  :func:`os.replace`, so that a failure half-way leaves no partial file and
  an existing file intact. ``overwrite=False`` refuses to replace an existing
  file (:class:`~beian_audit.errors.OutputExistsError`).
* :func:`write_table`: a DataFrame to ``.csv`` (UTF-8 with BOM), ``.xlsx``,
  ``.parquet`` or ``.json``, neutralised and atomic. In XLSX every text cell
  is a typed string (never a formula) and a dangerous one is also prefixed
  with ``'`` and marked ``quotePrefix``; :func:`save_workbook` applies the
  same rule to a workbook built cell by cell.

Examples
--------
>>> import tempfile, pathlib
>>> import pandas as pd
>>> frame = pd.DataFrame({"name": ["=HYPERLINK(\\"http://x\\")", "ok"], "n": [-3, 4]})
>>> out = write_table(frame, pathlib.Path(tempfile.mkdtemp()) / "t.csv")
>>> print(out.read_text(encoding="utf-8-sig"), end="")
name,n
"'=HYPERLINK(""http://x"")",-3
ok,4
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from beian_audit.errors import ArgumentError, OutputExistsError, require

__all__ = [
    "DANGEROUS_PREFIXES",
    "atomic_path",
    "is_dangerous",
    "neutralise_cell",
    "neutralise_frame",
    "save_workbook",
    "staged_directory",
    "text_cell",
    "write_json",
    "write_table",
    "write_text",
]

#: First characters that make a spreadsheet program read a cell as a formula.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_LEADING = " \t\r\n\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff"
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?%?")

Format = Literal["csv", "xlsx", "parquet", "json"]
_SUFFIXES: dict[str, Format] = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
}


# --------------------------------------------------------------------------- cells
def is_dangerous(text: str) -> bool:
    """Whether a spreadsheet program could read ``text`` as a formula.

    Examples
    --------
    >>> [is_dangerous(t) for t in ["=1+1", " @SUM(A1)", "＋cmd", "\\tx", "-3", "a-b", ""]]
    [True, True, True, True, False, False, False]
    """
    if not text:
        return False
    if text[0] in "\t\r":
        return True
    head = text.lstrip(_LEADING)
    if not head:
        return False
    first = unicodedata.normalize("NFKC", head[:2])[:1]
    if first not in "=+-@":
        return False
    return not _NUMBER.fullmatch(unicodedata.normalize("NFKC", head).strip())


def neutralise_cell(value: Any) -> Any:
    """Prefix a dangerous text cell with ``'``; anything else is returned as it is.

    Examples
    --------
    >>> neutralise_cell("=cmd|' /C calc'!A0"), neutralise_cell(-3), neutralise_cell("ok")
    ("'=cmd|' /C calc'!A0", -3, 'ok')
    """
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value


def _neutralise_series(values: pd.Series) -> pd.Series:
    dtype = values.dtype
    if not (
        pd.api.types.is_object_dtype(dtype)
        or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
    ):
        return values
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
    present = values.dropna()
    uniques = pd.unique(present)
    mapping = {u: neutralise_cell(u) for u in uniques if isinstance(u, str)}
    changed = {k: v for k, v in mapping.items() if v is not k}
    if not changed:
        return values
    raw = values.to_numpy(dtype=object, copy=True)
    hit = np.flatnonzero(values.isin(list(changed)).to_numpy(dtype=bool))
    raw[hit] = [changed[v] for v in raw[hit]]
    out = pd.Series(raw, index=values.index, name=values.name)
    return out.astype(dtype) if isinstance(dtype, pd.StringDtype) else out


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every dangerous text cell and header neutralised.

    Examples
    --------
    >>> df = pd.DataFrame({"@x": ["+1 (555)", "-2", None], "n": [-1.5, 2.0, 3.0]})
    >>> out = neutralise_frame(df)
    >>> list(out.columns), out.iloc[:2, 0].tolist(), out["n"].tolist()
    (["'@x", 'n'], ["'+1 (555)", '-2'], [-1.5, 2.0, 3.0])
    """
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        fixed = _neutralise_series(column)
        if fixed is not column:
            out.isetitem(i, fixed.array)
    out.columns = pd.Index([neutralise_cell(c) for c in out.columns])
    return out


# --------------------------------------------------------------------------- atomic files
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be fsynced on Windows
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def _refuse(path: Path) -> None:
    raise OutputExistsError(
        f"{str(path)!r} exists; pass overwrite=True (CLI: --force) to replace it"
    )


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it into place.

    The caller writes the temporary file (any way it likes: pandas, openpyxl,
    matplotlib …). When the ``with`` block ends normally the file is flushed
    to disk (``fsync``), given the permissions a new file would get (or those
    of the file it replaces) and renamed over ``path`` in one step
    (:func:`os.replace`). When the block raises, the temporary file is removed
    and ``path`` is untouched.

    Parameters
    ----------
    path : path
        The final file. Its directory is created when missing.
    overwrite : bool, default True
        Replace an existing file; ``False`` raises
        :class:`~beian_audit.errors.OutputExistsError` (before anything is
        written, and again at the final step, which then links without
        replacing).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("hello")
    >>> target.read_text()
    'hello'
    >>> try:
    ...     with atomic_path(target) as tmp:
    ...         _ = tmp.write_text("half")
    ...         raise RuntimeError("disk full")
    ... except RuntimeError:
    ...     pass
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('hello', ['a.txt'])
    """
    path = Path(path)
    if not overwrite and path.exists():
        _refuse(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}",
                                dir=path.parent)  # fmt: skip
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            handle.flush()
            os.fsync(handle.fileno())
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if path appeared meanwhile
            except FileExistsError:
                _refuse(path)
            except OSError:  # pragma: no cover - no hard links on this file system
                if path.exists():
                    _refuse(path)
                os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextlib.contextmanager
def staged_directory(
    path: str | os.PathLike[str], *, overwrite: bool = True
) -> Iterator[Path]:
    """Yield a temporary directory; on success move its files into ``path``.

    For outputs made of several files (a report directory). Everything is
    first written into a hidden sibling directory; when the block ends
    normally each file is moved into ``path`` with :func:`os.replace` (one
    atomic step per file; other files already in ``path`` are kept). When the
    block raises, the staging directory is removed and ``path`` is untouched,
    so a failure while producing the report never leaves half a report.

    Parameters
    ----------
    path : path
        The output directory (created when missing).
    overwrite : bool, default True
        ``False`` raises :class:`~beian_audit.errors.OutputExistsError`,
        before any file is moved, when one of the staged files already exists
        in ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> with staged_directory(out) as stage:
    ...     _ = (stage / "a.csv").write_text("x")
    >>> sorted(p.name for p in out.iterdir()), sorted(p.name for p in out.parent.iterdir())
    (['a.csv'], ['report'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield stage
        staged = sorted(p for p in stage.rglob("*") if p.is_file())
        targets = [path / p.relative_to(stage) for p in staged]
        if not overwrite:
            for target in targets:
                if target.exists():
                    _refuse(target)
        path.mkdir(parents=True, exist_ok=True)
        for source, target in zip(staged, targets, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        _fsync_dir(path)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_text(
    text: str, path: str | os.PathLike[str], *, encoding: str = "utf-8", overwrite: bool = True
) -> Path:
    """Write ``text`` atomically (see :func:`atomic_path`); return the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> write_text("{}", pathlib.Path(tempfile.mkdtemp()) / "a.json").read_text()
    '{}'
    """
    path = Path(path)
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding=encoding)
    return path


def write_json(
    data: Any, path: str | os.PathLike[str], *, overwrite: bool = True, indent: int | None = 2
) -> Path:
    """Write ``data`` as UTF-8 JSON (not ASCII-escaped), atomically.

    Strings need no neutralising: JSON is not opened by spreadsheet programs.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> write_json({"a": "甲"}, pathlib.Path(tempfile.mkdtemp()) / "a.json").read_text("utf-8")
    '{\\n  "a": "甲"\\n}'
    """
    from beian_audit._results import jsonable

    return write_text(
        json.dumps(jsonable(data), ensure_ascii=False, indent=indent), path, overwrite=overwrite
    )


# --------------------------------------------------------------------------- xlsx
def _xlsx_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, bool | int | float | str) or hasattr(value, "year"):
        return value
    return str(value)


def text_cell(cell: Any, *, prefix: bool = True) -> Any:
    """Make an openpyxl cell holding text a typed string, never a formula.

    A dangerous text (see :func:`is_dangerous`) is styled ``quotePrefix`` and,
    with ``prefix`` (the default), also prefixed with ``'`` so that it stays
    inert when copied out of the workbook (Save As CSV). ``prefix=False`` is
    for machine-read cells that must round-trip exactly (keys of a worksheet).
    Characters XLSX cannot store are dropped. Returns the cell.

    Examples
    --------
    >>> import openpyxl
    >>> ws = openpyxl.Workbook().active
    >>> c = text_cell(ws.cell(1, 1, "=1+1"), prefix=False)
    >>> c.value, c.data_type, c.quotePrefix
    ('=1+1', 's', True)
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = cell.value
    if not isinstance(value, str):
        return cell
    clean = ILLEGAL_CHARACTERS_RE.sub("", value)
    if is_dangerous(clean):
        cell.quotePrefix = True
        if prefix:
            clean = "'" + clean
    if clean != value:
        cell.value = clean
    cell.data_type = "s"
    return cell


def save_workbook(
    workbook: Any, path: str | os.PathLike[str], *, overwrite: bool = True
) -> Path:
    """Save an openpyxl workbook atomically, every text cell a safe string.

    Every cell of every sheet holding text becomes a typed string (so nothing
    the package writes is ever a formula); a dangerous one (see
    :func:`is_dangerous`) is prefixed with ``'`` and styled ``quotePrefix``,
    characters XLSX cannot store are dropped (:func:`text_cell`). A cell the
    writer already styled ``quotePrefix`` is left as it is.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> wb = openpyxl.Workbook()
    >>> wb.active["A1"] = "=1+1"
    >>> out = save_workbook(wb, pathlib.Path(tempfile.mkdtemp()) / "w.xlsx")
    >>> cell = openpyxl.load_workbook(out).active["A1"]
    >>> cell.value, cell.data_type, cell.quotePrefix
    ("'=1+1", 's', True)
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.quotePrefix:
                    text_cell(cell)
    path = Path(path)
    with atomic_path(path, overwrite=overwrite) as tmp:
        workbook.save(tmp)
    return path


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet_name: str, date_format: str) -> None:
    openpyxl = require("openpyxl", "io")
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_name[:31] or "Sheet1")
    bold = Font(bold=True)

    def cell(value: Any, *, header: bool = False) -> Any:
        c = WriteOnlyCell(ws, value=_xlsx_value(value))
        if isinstance(c.value, str):
            text_cell(c)
        elif hasattr(c.value, "year"):
            c.number_format = date_format
        if header:
            c.font = bold
        return c

    ws.append([cell(str(c), header=True) for c in frame.columns])
    columns = [frame.iloc[:, i].astype(object).to_numpy() for i in range(frame.shape[1])]
    for r in range(len(frame)):
        ws.append([cell(col[r]) for col in columns])
    wb.save(path)


# --------------------------------------------------------------------------- tables
def _has_cr(frame: pd.DataFrame) -> bool:
    if any(isinstance(c, str) and "\r" in c for c in frame.columns):
        return True
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(
            column.dtype
        ):
            text = column.dropna().astype(str)
            if bool(text.str.contains("\r", regex=False).any()):
                return True
    return False


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    format: Format | None = None,
    overwrite: bool = True,
    encoding: str = "utf-8-sig",
    date_format: str | None = None,
    sheet_name: str = "Sheet1",
    index: bool = False,
) -> Path:
    """Write a DataFrame safely and atomically; return the path.

    Parameters
    ----------
    frame : DataFrame
        What to write (mask personal data first: this function only makes the
        file safe to open, see :func:`beian_audit.privacy.mask_frame`).
    path : path
        Target file; its directory is created when missing.
    format : {"csv", "xlsx", "parquet", "json"}, optional
        Default: from the suffix (``.csv``, ``.xlsx``, ``.parquet`` / ``.pq``,
        ``.json``).
    overwrite : bool, default True
        Replace an existing file (``False``: raise
        :class:`~beian_audit.errors.OutputExistsError`).
    encoding : str, default "utf-8-sig"
        CSV encoding; the byte-order mark makes spreadsheet programs show
        Chinese text.
    date_format : str, optional
        CSV: ``strftime`` format of datetime columns (default ISO); XLSX: the
        number format of date cells (default ``yyyy-mm-dd``).
    sheet_name : str, default "Sheet1"
        XLSX sheet name.
    index : bool, default False
        Write the index as the first column(s).

    Returns
    -------
    Path

    Notes
    -----
    CSV and XLSX cells and headers are neutralised (:func:`neutralise_frame`).
    CSV lines end with LF, or CRLF when a cell holds a carriage return (so that
    the cell is quoted and cannot split its row);
    in XLSX every text cell is a typed string with ``quotePrefix`` when it was
    dangerous, numbers are numbers and dates are dates. Parquet and JSON are
    written as they are (no program evaluates them), atomically too.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> df = pd.DataFrame({"a": ["@SUM(1)", "x"], "b": [-1, 2]})
    >>> out = write_table(df, pathlib.Path(tempfile.mkdtemp()) / "t.xlsx")
    >>> [(c.value, c.data_type) for c in openpyxl.load_workbook(out).active[2]]
    [("'@SUM(1)", 's'), (-1, 'n')]
    """
    path = Path(path)
    fmt = format or _SUFFIXES.get(path.suffix.lower())
    if fmt not in ("csv", "xlsx", "parquet", "json"):
        raise ArgumentError(
            f"format ({fmt or path.suffix!r}) must be one of 'csv', 'xlsx', 'parquet', 'json' "
            "(or a path ending in .csv, .xlsx, .parquet, .pq, .json)"
        )
    if not overwrite and path.exists():
        _refuse(path)
    if index:
        frame = frame.reset_index()
    with atomic_path(path, overwrite=overwrite) as tmp:
        if fmt == "csv":
            safe = neutralise_frame(frame)
            # Python's csv module quotes a cell only for the characters of the line
            # terminator: a bare CR inside a cell would split the row for readers
            ending = "\r\n" if _has_cr(safe) else "\n"
            safe.to_csv(
                tmp, index=False, encoding=encoding, date_format=date_format, lineterminator=ending
            )
        elif fmt == "xlsx":
            _write_xlsx(neutralise_frame(frame), tmp, sheet_name, date_format or "yyyy-mm-dd")
        elif fmt == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            records = frame.to_dict(orient="records")
            from beian_audit._results import jsonable

            tmp.write_text(
                json.dumps(jsonable(records), ensure_ascii=False, indent=2), encoding="utf-8"
            )
    return path
