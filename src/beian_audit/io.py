"""Read registries of filings into the canonical table, and write them back.

:func:`read_filings` accepts CSV (UTF-8 with or without BOM, UTF-16 with BOM,
GB18030, or Big5, told apart by content; see :func:`read_filings`), XLSX,
Parquet files and DataFrames whose headers are canonical English names, Chinese
labels or public-query JSON keys (see :mod:`beian_audit.schema`). It maps the
headers, coerces every known column to its canonical dtype, normalises
identifiers (NFKC: full-width digits and letters become ASCII; whitespace,
zero-width, bidirectional-control and other invisible control characters
removed) and checks keys. Every problem in the file is collected and raised at
once as a :class:`~beian_audit.errors.SchemaError` whose ``failure_cases``
lists row, column, masked value and reason. A file that cannot be read as a
table at all (empty, truncated, ragged, undecodable, a directory …) raises an
:class:`~beian_audit.errors.InputFileError` naming the file and, where it
applies, the line (CSV) or row (Excel) and the column as written in the file.
A valid file loses no row and no column: unknown columns are kept under their
own names.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({
...     "网站编号": ["W1", "W2"], "主办单位名称": ["甲公司", "张三"],
...     "主办单位性质": ["企业", "个人"],
...     "serviceLicence": ["京ICP备10046444号-1", "沪ICP备１２３４５６号-1"],
...     "域名": ["a.cn", "b.com"], "接入服务商编号": ["P1", "P1"], "备注": ["x", None]})
>>> df = read_filings(raw)
>>> list(df.columns)  # doctest: +NORMALIZE_WHITESPACE
['website_id', 'sponsor_name', 'sponsor_nature', 'website_icp_number', 'domain',
 'provider_id', '备注']
>>> df.loc[1, "website_icp_number"]
'沪ICP备123456号-1'
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from beian_audit._files import check_path as _check_path
from beian_audit._files import failure_frame as _failures
from beian_audit._files import file_error as _file_error
from beian_audit._options import check_choice
from beian_audit.errors import (
    ArgumentError,
    ArgumentTypeError,
    BeianAuditError,
    DataQualityWarning,
    InputFileError,
    SchemaError,
    require,
)
from beian_audit.privacy import mask_value
from beian_audit.schema import (
    FILING_SCHEMA,
    STRING_DTYPE,
    Column,
    Schema,
    header_map,
    normalise_header,
)

__all__ = ["read_filings", "read_table", "write_filings"]

PathLike = str | os.PathLike[str]

_TRUE = {"true", "1", "yes", "y", "t", "是", "已上传", "已完成", "√"}
_FALSE = {"false", "0", "no", "n", "f", "否", "未上传", "未完成", "×"}
#: Characters that are invisible or reorder text and are removed from every string
#: cell: zero-width space / joiners, left-to-right / right-to-left marks, the bidi
#: embeddings, overrides and isolates, word joiner and invisible operators, BOM,
#: soft hyphen, Arabic letter mark, Mongolian vowel separator, line / paragraph
#: separators, C0 controls other than tab / newline / carriage return, DEL and C1.
_INVISIBLE = (
    r"[\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2060}-\x{2064}\x{2066}-\x{2069}\x{feff}"
    r"\x{00ad}\x{061c}\x{180e}\x{2028}\x{2029}"
    r"\x{0000}-\x{0008}\x{000b}\x{000c}\x{000e}-\x{001f}\x{007f}-\x{009f}]"
)
_ZERO_WIDTH = _INVISIBLE  # the old name, kept for importers
_DATE = (
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$"
)
#: Excel's "General" rendering of a long number: digits were lost before we saw them.
_SCIENTIFIC = r"^[0-9](?:\.[0-9]+)?[eE]\+?[0-9]+$"
#: Integers beyond this are not all representable in a float64 (Excel's only number).
_EXACT_LIMIT = 2**53
#: Time zone in which tz-aware timestamps are read (dates of Chinese filings).
_LOCAL_TZ = "Asia/Shanghai"
_SUFFIXES = "'.csv', '.tsv', '.txt', '.xlsx', '.xlsm', '.parquet', '.pq'"
_MAX_COLUMNS = 16384  # Excel's limit; a CSV with more columns is not a registry


# --------------------------------------------------------------------------- origin


@dataclass(frozen=True)
class _Origin:
    """Where a raw table came from, to name rows and columns as the user sees them."""

    path: Path
    kind: Literal["csv", "excel", "parquet"]
    headers: tuple[str, ...]
    line_of: Callable[[Sequence[int]], list[int | None]]

    @property
    def word(self) -> str:
        return {"csv": "line", "excel": "row", "parquet": "row"}[self.kind]


def _read_bytes(path: Path, size: int = -1) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError as exc:
        raise _file_error(path, f"cannot be read ({exc.strerror or exc})", "unreadable") from exc


def _read_raw(
    source: PathLike,
    sheet_name: str | int | None,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, _Origin]:
    path = _check_path(source)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".pq"}:
        raise _file_error(
            path, f"file suffix ({suffix!r}) must be one of {_SUFFIXES}", "unsupported_format"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _file_error(path, f"cannot be read ({exc.strerror or exc})", "unreadable") from exc
    if size == 0:
        raise _file_error(path, "the file is empty (0 bytes)", "empty_file")
    if suffix in {".csv", ".txt", ".tsv"}:
        frame, origin = _read_csv(path, "\t" if suffix == ".tsv" else ",", encoding)
    elif suffix in {".xlsx", ".xlsm"}:
        frame, origin = _read_excel(path, sheet_name)
    else:
        frame, origin = _read_parquet(path)
    return frame, origin  # a header without rows is an empty registry


# --------------------------------------------------------------------------- CSV


def _decode_error_line(data: bytes, exc: UnicodeDecodeError) -> int:
    return data.count(b"\n", 0, exc.start) + 1


def _share(text: str, encoding: str) -> float | None:
    """Share of the distinct non-ASCII characters that are common in ``encoding``'s script.

    GB18030: the character is in GB2312 (the 6763 hanzi and symbols of mainland
    text). Big5: its Big5 code is in the symbols or the common-hanzi block
    (lead byte 0xA1-0xC6). Text decoded with the wrong one of the two is mostly
    rare characters, private-use code points and odd symbols.
    """
    chars = [c for c in set(text) if ord(c) > 0x7F]
    if not chars:
        return None
    good = 0
    for c in chars:
        try:
            if encoding == "gb18030":
                c.encode("gb2312")
                good += 1
            else:
                code = c.encode("cp950")
                good += len(code) == 2 and 0xA1 <= code[0] <= 0xC6
        except UnicodeEncodeError:
            pass
    return good / len(chars)


def _decode_guess(path: Path, data: bytes, utf8_error: UnicodeDecodeError) -> str:
    """Decode a file that is not UTF-8: GB18030 or Big5 when the content says which."""
    texts: dict[str, str] = {}
    for enc in ("gb18030", "cp950"):
        try:
            texts[enc] = data.decode(enc)
        except UnicodeDecodeError:
            continue
    hint = "pass encoding= (e.g. encoding='gb18030' or encoding='big5') to read it"
    if not texts:
        raise _file_error(
            path,
            "is neither UTF-8 nor GB18030 nor Big5 text (first byte that is not UTF-8 at "
            f"line {_decode_error_line(data, utf8_error)}); {hint}",
            "bad_encoding",
        )
    shares = {enc: _share(text, enc) or 0.0 for enc, text in texts.items()}
    gb, big5 = shares.get("gb18030", -1.0), shares.get("cp950", -1.0)
    # one decoding alone: it must look like text; both: one must clearly fit better
    need = 0.5 if len(texts) == 1 else 0.8
    if gb >= need and gb - big5 >= 0.2:
        return texts["gb18030"]
    if big5 >= need and big5 - gb >= 0.2:
        warnings.warn(
            f"{str(path)!r} is not UTF-8; it was read as Big5 (traditional Chinese). "
            "Pass encoding= to read it otherwise.",
            DataQualityWarning,
            stacklevel=4,
        )
        return texts["cp950"]
    raise _file_error(
        path,
        "is not UTF-8 and its encoding cannot be told from its content "
        f"(GB18030 fits {max(gb, 0):.0%}, Big5 fits {max(big5, 0):.0%} of its characters); "
        f"{hint}",
        "ambiguous_encoding",
    )


def _decode(path: Path, encoding: str | None) -> tuple[str, bytes]:
    """The file's text and bytes."""
    if encoding is not None:
        if not isinstance(encoding, str):
            raise ArgumentTypeError(f"encoding must be a str, not {type(encoding).__name__}")
        try:
            name = codecs.lookup(encoding).name
        except LookupError as exc:
            raise ArgumentError(f"encoding ({encoding!r}) is not a known text encoding") from exc
        data = _read_bytes(path)
        try:
            text = data.decode("utf-8-sig" if name == "utf-8" else name)
        except UnicodeDecodeError as exc:
            raise _file_error(
                path,
                f"is not valid {encoding} text (byte {exc.start} cannot be decoded)",
                "bad_encoding",
                line=_decode_error_line(data, exc),
            ) from exc
        return text, data
    data = _read_bytes(path)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), data
        except UnicodeDecodeError as exc:
            raise _file_error(path, "is truncated or invalid UTF-16 text", "bad_encoding") from exc
    try:
        return data.decode("utf-8-sig"), data
    except UnicodeDecodeError as exc:
        return _decode_guess(path, data, exc), data


def _csv_lines(text: str, sep: str) -> list[tuple[int, int]]:
    """(start line, number of fields) of every non-blank record, as the csv module reads it."""
    out: list[tuple[int, int]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    last = 0
    try:
        for record in reader:
            if record:
                out.append((last + 1, len(record)))
            last = reader.line_num
    except csv.Error:  # a field beyond the csv module's size limit: lines stay unknown
        pass
    return out


def _read_csv(path: Path, sep: str, encoding: str | None) -> tuple[pd.DataFrame, _Origin]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    text, _ = _decode(path, encoding)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _file_error(path, "the file holds no text (only blank lines)", "empty_file")
    ragged: list[str] = []

    def on_bad_row(row: Any) -> str:
        ragged.append(row.text)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            parse_options=pacsv.ParseOptions(
                delimiter=sep, newlines_in_values=True, invalid_row_handler=on_bad_row
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{j}": pa.string() for j in range(_MAX_COLUMNS)},
                strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise _file_error(
            path, f"is not a well-formed CSV file ({exc}); is a quote left open?", "malformed_file"
        ) from exc
    records = _csv_lines(text, sep) if ragged else []
    if ragged:
        width = records[0][1] if records else None
        bad = [(line, n) for line, n in records if n != width]
        rows = [(None, "<file>", f"{n} fields, header has {width}", "ragged_row") for _, n in bad]
        failures = _failures(rows or [(None, "<file>", None, "ragged_row")])
        found: list[int | None] = [line for line, _ in bad]
        failures["line"] = pd.array(found or [None], dtype="Int64")
        first = f"line {bad[0][0]} has {bad[0][1]} fields, the header has {width}" if bad else ""
        raise InputFileError(
            f"{str(path)!r}: {len(ragged)} line(s) do not have as many fields as the header"
            f" ({first}); see .failure_cases",
            failures,
            path=str(path),
            line=bad[0][0] if bad else None,
        )
    if any(not pa.types.is_string(t) for t in table.schema.types):
        raise _file_error(path, f"has more than {_MAX_COLUMNS} columns", "malformed_file")
    first = table.slice(0, 1).to_pylist()[0].values()
    headers = tuple(str(v) if v else f"Unnamed: {j}" for j, v in enumerate(first))
    body = table.slice(1)
    empty = pa.scalar(None, pa.string())
    columns: dict[int, Any] = {}
    for j in range(body.num_columns):
        array = body.column(j)
        array = pc.if_else(pc.equal(array, ""), empty, array)
        columns[j] = pd.array(array, dtype="str")
    frame = pd.DataFrame(columns, index=pd.RangeIndex(body.num_rows))
    frame.columns = pd.Index(list(headers), dtype=object)

    def line_of(rows: Sequence[int]) -> list[int | None]:
        starts = [line for line, _ in _csv_lines(text, sep)]
        return [starts[r + 1] if r + 1 < len(starts) else None for r in rows]

    return frame, _Origin(path, "csv", headers, line_of)


# --------------------------------------------------------------------------- Excel, Parquet


def _check_sheet_name(sheet_name: object) -> None:
    if sheet_name is None or isinstance(sheet_name, str):
        return
    if isinstance(sheet_name, bool) or not isinstance(sheet_name, int | np.integer):
        raise ArgumentTypeError(
            f"sheet_name must be a sheet's name (str) or position (int), "
            f"not {type(sheet_name).__name__}"
        )
    if sheet_name < 0:
        raise ArgumentError(f"sheet_name ({sheet_name!r}) must be a position >= 0")


def _read_excel(path: Path, sheet_name: str | int | None) -> tuple[pd.DataFrame, _Origin]:
    require("openpyxl", "io")
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
        names = list(book.sheet_names)
    except MemoryError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError …
        raise _file_error(
            path,
            f"is not a readable .xlsx workbook (truncated, encrypted or another format: "
            f"{type(exc).__name__}: {exc})",
            "malformed_file",
        ) from exc
    sheet: str | int = 0 if sheet_name is None else sheet_name
    listed = ", ".join(repr(n) for n in names)
    if isinstance(sheet, str) and sheet not in names:
        raise _file_error(
            path, f"has no sheet {sheet!r}; its sheets are {listed}", "missing_sheet"
        )
    if not isinstance(sheet, str) and not 0 <= int(sheet) < len(names):
        raise _file_error(
            path,
            f"has no sheet at position {sheet!r}; it has {len(names)} sheet(s): {listed}",
            "missing_sheet",
        )
    try:
        grid = pd.read_excel(
            book, sheet_name=sheet, header=None, dtype=object, keep_default_na=False,
            na_values=[""],
        )
    except MemoryError:
        raise
    except Exception as exc:
        raise _file_error(
            path, f"sheet {sheet!r} cannot be read ({type(exc).__name__}: {exc})", "malformed_file"
        ) from exc
    finally:
        book.close()
    if grid.shape[0] == 0 or grid.iloc[0].isna().all():
        raise _file_error(
            path, f"sheet {sheet!r} has no header in its first row", "empty_file", line=1
        )
    headers = tuple(
        f"Unnamed: {j}" if _is_missing(v) else _scalar_text(v) for j, v in enumerate(grid.iloc[0])
    )
    frame = grid.iloc[1:].reset_index(drop=True)
    frame.columns = pd.Index(list(headers), dtype=object)

    def line_of(rows: Sequence[int]) -> list[int | None]:
        return [int(r) + 2 for r in rows]

    return frame, _Origin(path, "excel", headers, line_of)


def _read_parquet(path: Path) -> tuple[pd.DataFrame, _Origin]:
    try:
        frame = pd.read_parquet(path)
    except MemoryError:
        raise
    except Exception as exc:  # ArrowInvalid (truncated), OSError …
        raise _file_error(
            path,
            f"is not a readable Parquet file (truncated or another format: "
            f"{type(exc).__name__}: {exc})",
            "malformed_file",
        ) from exc
    frame = frame.reset_index(drop=True)
    headers = tuple(str(c) for c in frame.columns)

    def line_of(rows: Sequence[int]) -> list[int | None]:
        return [int(r) for r in rows]

    return frame, _Origin(path, "parquet", headers, line_of)


# --------------------------------------------------------------------------- coercion


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):  # a list or array: not missing, not a scalar
        return False


def _lost_digits(value: object) -> bool:
    """A number that may have lost digits: a float (or an Excel integer) beyond 2**53."""
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, float | np.floating):
        return bool(np.isfinite(value)) and abs(float(value)) >= _EXACT_LIMIT
    return isinstance(value, int) and abs(value) >= _EXACT_LIMIT


def _as_strings(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Any column to Arrow strings, a mask of numbers that may have lost digits and
    a mask of values that are not scalars (lists, dicts, undecodable bytes …).

    Integral floats (Excel numbers) lose their '.0'. A float at or beyond 2**53
    (an 18-digit ID typed into Excel as a number) has lost digits already and is
    flagged, never rounded into text; so is an integer that came that way from a
    spreadsheet (an ``int`` in an object column).
    """
    n = len(values)
    none = np.zeros(n, dtype=bool)
    if isinstance(values.dtype, pd.StringDtype) or (
        values.dtype != object and pd.api.types.is_string_dtype(values.dtype)
    ):
        return values.astype(STRING_DTYPE), none, none
    if pd.api.types.is_float_dtype(values.dtype):
        floats = values.to_numpy(dtype=float, na_value=np.nan)
        lost = np.isfinite(floats) & (np.abs(floats) >= _EXACT_LIMIT)
        finite = floats[np.isfinite(floats) & ~lost]
        if bool(np.all(np.mod(finite, 1) == 0)) and not np.isinf(floats).any():
            ints = pd.array(np.where(lost | np.isnan(floats), 0, floats).astype(np.int64),
                            dtype="Int64")
            ints[lost | np.isnan(floats)] = pd.NA
            return pd.Series(ints, index=values.index).astype(STRING_DTYPE), lost, none
        lost_obj = values.astype(object)
        lost_obj[lost] = None
        return _object_strings(lost_obj), lost, none
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(STRING_DTYPE), none, none
    objects = values.astype(object)
    kinds = pd.api.types.infer_dtype(objects, skipna=True)
    lost = bad = none
    if kinds not in {"string", "empty", "boolean", "datetime", "date"}:
        arr = objects.to_numpy(dtype=object)
        lost = np.fromiter((_lost_digits(v) for v in arr), dtype=bool, count=n)
        bad = np.fromiter((_not_scalar(v) for v in arr), dtype=bool, count=n)
        if lost.any() or bad.any():
            objects = objects.where(~(lost | bad), None)
    return _object_strings(objects), lost, bad


def _not_scalar(value: object) -> bool:
    """A cell value that is no text, number, flag or date: a container, undecodable bytes."""
    if isinstance(value, bytes):
        try:
            value.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False
    return not (value is None or pd.api.types.is_scalar(value))


def _object_strings(objects: pd.Series) -> pd.Series:
    def text(v: object) -> str | None:
        if isinstance(v, str):
            return v
        return None if _is_missing(v) else _scalar_text(v)

    return objects.map(text).astype(STRING_DTYPE)


def _scalar_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def _clean_text(
    values: pd.Series, *, identifier: bool
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """NFKC, strip invisibles, trim (identifiers: remove all white space); empty becomes NA.

    Also returns the masks of numbers that lost digits and of values that are not
    scalars (see :func:`_as_strings`); both come back as NA.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    strings, lost, bad = _as_strings(values)
    raw = strings.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    arr = pa.array(raw, type=pa.string())
    arr = pc.utf8_normalize(arr, "NFKC")
    arr = pc.replace_substring_regex(arr, _INVISIBLE, "")
    arr = (
        pc.replace_substring_regex(arr, r"[\s\p{Z}]+", "")
        if identifier
        else pc.utf8_trim_whitespace(arr)
    )
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    out = pd.Series(pd.arrays.ArrowStringArray(arr), index=values.index, name=values.name)
    return out, lost, bad


Problems = list[tuple[np.ndarray, str]]


def _date_column(values: pd.Series) -> tuple[pd.Series, Problems]:
    """Dates to ``datetime64[ns]``; out-of-range dates are flagged, never NaT silently."""
    present = (~values.isna()).to_numpy(dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values
        tz = getattr(values.dtype, "tz", None)
        if tz is not None:  # tz-aware: the wall-clock time in China, as filed
            stamps = stamps.dt.tz_convert(_LOCAL_TZ).dt.tz_localize(None)
        lo, hi = pd.Timestamp.min, pd.Timestamp.max
        inside = ((stamps >= lo) & (stamps <= hi)).to_numpy(dtype=bool)
        out = stamps.where(inside).astype("datetime64[ns]")
        return out, [(present & ~inside, "date_out_of_range")]
    text, lost, odd = _clean_text(values, identifier=False)
    parts = text.str.extract(_DATE)
    present = text.notna().to_numpy(dtype=bool)
    nums = parts.apply(pd.to_numeric, errors="coerce").astype("float64")
    year = nums[0].to_numpy(dtype=float)
    far = (year < 1678) | (year > 2261)
    fields = pd.DataFrame(
        {
            "year": nums[0].where(~far, 2000),
            "month": nums[1],
            "day": nums[2],
            "hour": nums[3].fillna(0),
            "minute": nums[4].fillna(0),
            "second": nums[5].fillna(0),
        }
    )
    stamp = pd.to_datetime(fields, errors="coerce").astype("datetime64[ns]")
    valid_day = stamp.notna().to_numpy(dtype=bool)
    stamp = stamp.mask(far)
    out_of_range = present & far & valid_day
    bad = present & ~valid_day & ~lost
    return stamp, [
        (bad | odd, "unparseable_value"),
        (out_of_range, "date_out_of_range"),
        (lost, "digits_lost"),
    ]


def _coerce(values: pd.Series, column: Column) -> tuple[pd.Series, Problems]:
    """Coerce one column; return the new values and (mask, reason) of bad rows."""
    if column.kind == "string":
        out, lost, odd = _clean_text(values, identifier=column.identifier)
        problems: Problems = [(lost, "digits_lost"), (odd, "unparseable_value")]
        if column.identifier or column.personal in ("id", "phone"):
            sci = out.str.fullmatch(_SCIENTIFIC).fillna(False).to_numpy(dtype=bool)
            problems.append((sci, "digits_lost"))
        return out, problems
    if column.kind == "boolean":
        if pd.api.types.is_bool_dtype(values.dtype):
            return values.astype("boolean"), []
        text, lost, odd = _clean_text(values, identifier=True)
        text = text.str.lower()
        out = pd.Series(pd.NA, index=values.index, dtype="boolean")
        out[text.isin(_TRUE).fillna(False).astype(bool)] = True
        out[text.isin(_FALSE).fillna(False).astype(bool)] = False
        bad = (text.notna() & out.isna()).to_numpy(dtype=bool) | odd | lost
        return out, [(bad, "unparseable_value")]
    if column.kind == "date":
        return _date_column(values)
    text, lost, odd = _clean_text(values, identifier=True)
    numeric = pd.to_numeric(text, errors="coerce")
    bad = (text.notna().to_numpy(dtype=bool) & numeric.isna().to_numpy(dtype=bool)) | odd
    if column.kind == "integer":
        whole = numeric.notna() & (numeric % 1 != 0)
        bad |= whole.to_numpy(dtype=bool)
        numeric = numeric.where(~whole)
    return numeric.astype(column.dtype), [(bad, "unparseable_value"), (lost, "digits_lost")]  # type: ignore[call-overload]


# --------------------------------------------------------------------------- reading


def read_table(
    source: PathLike | pd.DataFrame,
    schema: Schema,
    *,
    sheet_name: str | int | None = None,
    key: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read any table against ``schema`` (filings, providers, accessed sites).

    See :func:`read_filings` for the behaviour; ``key`` names the column whose
    values must be unique.

    Examples
    --------
    >>> from beian_audit.schema import PROVIDER_SCHEMA
    >>> read_table(pd.DataFrame({"接入服务商编号": ["P1"], "接入服务商名称": ["甲"]}),
    ...            PROVIDER_SCHEMA).columns.tolist()
    ['provider_id', 'provider_name']
    """
    if not isinstance(schema, Schema):
        raise ArgumentTypeError(f"schema must be a Schema, not {type(schema).__name__}")
    _check_sheet_name(sheet_name)
    if key is not None and key not in schema:
        raise ArgumentError(f"key ({key!r}) is not a column of the {schema.title} schema")
    origin: _Origin | None = None
    if isinstance(source, pd.DataFrame):
        raw = source.reset_index(drop=True)
    else:
        raw, origin = _read_raw(source, sheet_name, encoding)
    try:
        return _validate(raw, schema, key, source, origin)
    except BeianAuditError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # a bug or an input we did not foresee: still a package error
        where = "the DataFrame" if origin is None else repr(str(origin.path))
        raise SchemaError(
            f"{where} cannot be read against the {schema.title} schema "
            f"({type(exc).__name__}: {exc})",
            _failures([(None, "<table>", None, "unreadable_table")]),
        ) from exc


def _validate(
    raw: pd.DataFrame,
    schema: Schema,
    key: str | None,
    source: object,
    origin: _Origin | None,
) -> pd.DataFrame:
    names = header_map(schema)
    problems: list[tuple[Any, Any, Any, str]] = []
    headers = [_header_text(h) for h in raw.columns]

    targets: list[str | None] = []
    owner: dict[str, str] = {}
    seen: dict[str, int] = {}
    for header in headers:
        target = names.get(header) or names.get(normalise_header(header))
        if header in seen:
            problems.append((None, target or header, f"{header} / {header}", "duplicate_column"))
            targets.append(None)
            continue
        seen[header] = 1
        if target is None:
            targets.append(None)
            continue
        if target in owner:
            problems.append((None, target, f"{owner[target]} / {header}", "duplicate_column"))
            targets.append(None)
            continue
        owner[target] = header
        targets.append(target)

    for column in schema.required:
        if column.name not in owner:
            problems.append((None, column.name, None, "missing_column"))

    out: dict[str, Any] = {}
    for j, (header, target) in enumerate(zip(headers, targets, strict=True)):
        series = raw.iloc[:, j]
        if target is None:
            if header not in out and header not in owner:
                out[header] = series
            continue
        column = schema[target]
        values, bad = _coerce(series, column)
        flagged = np.zeros(len(series), dtype=bool)
        for mask, reason in bad:
            for i in np.flatnonzero(mask & ~flagged):
                problems.append((int(i), target, _masked(series.iloc[i], column), reason))
            flagged |= mask
        if column.required:
            empty = values.isna().to_numpy(dtype=bool) & ~flagged
            if len(empty) and empty.all():
                problems.append((None, target, None, "empty_column"))
            else:
                for i in np.flatnonzero(empty):
                    problems.append((int(i), target, None, "missing_value"))
        out[target] = values
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(raw)))

    if key is not None and key in frame.columns:
        dup = frame[key].duplicated(keep=False) & frame[key].notna()
        for i in np.flatnonzero(dup.to_numpy(dtype=bool)):
            problems.append((int(i), key, frame[key].iloc[i], "duplicate_key"))

    if problems:
        failures = _failures(problems).sort_values(["row", "column"], na_position="first")
        failures = failures.reset_index(drop=True)
        if origin is not None and origin.kind != "parquet":
            rows = failures["row"]
            known = rows.notna().to_numpy(dtype=bool)
            lines: list[int | None] = [None] * len(rows)
            for pos, line in zip(
                np.flatnonzero(known),
                origin.line_of([int(r) for r in rows[known]]),
                strict=True,
            ):
                lines[pos] = line
            failures["line"] = pd.array(lines, dtype="Int64")
        raise SchemaError(_message(failures, source, owner, origin), failures)
    return frame


def _header_text(header: object) -> str:
    return header if isinstance(header, str) else _scalar_text(header)


def _masked(value: object, column: Column) -> object:
    if _is_missing(value):
        return None
    return mask_value(str(value), column.personal) if column.personal else str(value)


def _message(
    failures: pd.DataFrame, source: object, owner: dict[str, str], origin: _Origin | None
) -> str:
    where = "the DataFrame" if origin is None else repr(str(origin.path))
    lines = []
    records: list[dict[Any, Any]] = failures.head(10).to_dict(orient="records")
    for rec in records:
        if pd.isna(rec["row"]):
            row = "all rows"
        elif origin is not None and "line" in rec and not pd.isna(rec["line"]):
            row = f"{origin.word} {int(rec['line'])}"
        else:
            row = f"row {int(rec['row'])}"
        value = "" if pd.isna(rec["value"]) else f" (value {rec['value']!r})"
        header = owner.get(rec["column"])
        named = f" (header {header!r})" if header is not None and header != rec["column"] else ""
        lines.append(f"  {row}, column {rec['column']!r}{named}: {rec['reason']}{value}")
    more = len(failures) - 10
    tail = f"\n  ... and {more} more (see .failure_cases)" if more > 0 else ""
    hints = [_HINTS[r] for r in _HINTS if (failures["reason"] == r).any()]
    tail += "".join(f"\n  {h}" for h in hints)
    return f"{len(failures)} problem(s) in {where}:\n" + "\n".join(lines) + tail


_HINTS = {
    "digits_lost": "digits_lost: an identifier was stored as a number and has lost digits "
    "(float64 holds 15-16); format the column as text and enter the values again.",
    "date_out_of_range": "date_out_of_range: dates must lie between 1678 and 2261.",
    "duplicate_column": "duplicate_column: two headers name the same column; keep one.",
}


def read_filings(
    path_or_frame: PathLike | pd.DataFrame,
    *,
    sheet_name: str | int | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Read a registry of filings into the canonical, validated table.

    Parameters
    ----------
    path_or_frame : path or DataFrame
        A ``.csv`` / ``.tsv`` / ``.txt``, ``.xlsx`` / ``.xlsm`` or ``.parquet``
        file, or a DataFrame. Headers may be canonical names, Chinese labels or
        aliases (e.g. the public-query keys ``unitName``, ``serviceLicence``).
    sheet_name : str or int, optional
        Sheet of an Excel workbook, by name or 0-based position (default: the
        first). Ignored for other formats.
    encoding : str, optional
        Text encoding of a CSV file. By default UTF-8 (with or without BOM) and
        UTF-16 with BOM are recognised; other files are decoded as GB18030 or
        Big5 when the content clearly says which (Big5 with a
        :class:`~beian_audit.errors.DataQualityWarning`) and otherwise rejected
        with an :class:`~beian_audit.errors.InputFileError` asking for
        ``encoding=``.

    Returns
    -------
    DataFrame
        Canonical columns with canonical dtypes (Arrow-backed strings, nullable
        booleans, ``datetime64[ns]``; tz-aware timestamps are converted to
        China Standard Time and made naive), unknown columns kept as they are,
        a fresh ``RangeIndex`` with one row per input row.

    Raises
    ------
    SchemaError
        Listing every problem at once in ``failure_cases`` (``row`` is the 0-based
        data row; for a CSV or Excel file the extra column ``line`` is the CSV
        line, header = line 1, or the Excel row; ``value`` is masked when
        personal; ``reason`` is one of ``missing_column``, ``duplicate_column``
        (also two headers naming one canonical column), ``empty_column`` (a
        required column with no value at all), ``missing_value``,
        ``unparseable_value``, ``date_out_of_range`` (outside 1678-2261, which
        ``datetime64[ns]`` cannot hold), ``digits_lost`` (an identifier stored
        as a number beyond 2**53 or written in scientific notation: format the
        column as text), ``duplicate_key``).
    InputFileError
        A :class:`SchemaError` for a file that cannot be read as a table:
        ``empty_file``, ``no_rows`` (header only), ``not_a_file`` (a directory),
        ``unreadable`` (permissions), ``bad_encoding``, ``ambiguous_encoding``,
        ``ragged_row`` (a line with more or fewer fields than the header),
        ``malformed_file`` (truncated XLSX / Parquet, an open quote …),
        ``missing_sheet`` (lists the sheets), ``unsupported_format``. ``.path``,
        ``.line`` and ``.column`` say where.
    InputFileNotFoundError
        The file does not exist (also a ``FileNotFoundError``).
    ArgumentTypeError, ArgumentError
        ``path_or_frame``, ``sheet_name`` or ``encoding`` of the wrong type or
        value (also ``TypeError`` / ``ValueError``).
    MissingDependencyError
        Reading XLSX without openpyxl (``pip install 'beian-audit[io]'``).

    Examples
    --------
    >>> import pandas as pd
    >>> bad = pd.DataFrame({"website_id": ["W1", "W1"], "unitName": ["甲", "乙"],
    ...                     "approval_date": ["2013-02-30", "2013年5月1日"]})
    >>> try:
    ...     read_filings(bad)
    ... except SchemaError as err:
    ...     print(err.failure_cases.to_string(index=False))
     row             column       value            reason
    <NA>             domain        <NA>    missing_column
    <NA>        provider_id        <NA>    missing_column
    <NA>     sponsor_nature        <NA>    missing_column
    <NA> website_icp_number        <NA>    missing_column
       0      approval_date  2013-02-30 unparseable_value
       0         website_id          W1     duplicate_key
       1         website_id          W1     duplicate_key
    """
    return read_table(
        path_or_frame, FILING_SCHEMA, sheet_name=sheet_name, key="website_id", encoding=encoding
    )


def write_filings(
    frame: pd.DataFrame,
    path: PathLike,
    *,
    headers: Literal["english", "chinese"] = "english",
    reveal: bool = False,
    overwrite: bool = True,
) -> Path:
    """Write a canonical frame to CSV (UTF-8 with BOM, for Excel), XLSX or Parquet.

    The file is written atomically (a temporary file next to ``path``, moved
    into place when complete) and is safe to open in a spreadsheet program:
    text cells that would start a formula are neutralised (see
    :mod:`beian_audit.safe_output`); in XLSX every text cell is a string.

    Parameters
    ----------
    frame : DataFrame
        Canonical columns (unknown columns are written as they are, masked by
        value).
    path : path
        Target; the format follows the suffix (``.csv``, ``.xlsx``, ``.parquet``).
    headers : {"english", "chinese"}
        Canonical names or the first Chinese label of each column.
    reveal : bool, default False
        Personal data is masked unless ``reveal=True`` (the caller explicitly
        asks for raw values, e.g. to hand the registry to another system): the
        personal columns of the schema, ``investor`` of individual sponsors,
        and any ID number, phone number or e-mail found in any other column
        (:func:`beian_audit.privacy.mask_frame`).
    overwrite : bool, default True
        Replace an existing file; ``False`` raises
        :class:`~beian_audit.errors.OutputExistsError`.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> df = read_filings(pd.DataFrame({"website_id": ["W1"], "unitName": ["张三"],
    ...     "natureName": ["个人"], "serviceLicence": ["京ICP备10046444号-1"],
    ...     "domain": ["a.cn"], "provider_id": ["P1"]}))
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_filings(df, Path(d) / "r.csv", headers="chinese")
    ...     print(read_filings(p).loc[0, "sponsor_name"])
    张*
    """
    from beian_audit.privacy import mask_frame
    from beian_audit.safe_output import write_table

    check_choice("headers", headers, ("english", "chinese"))
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx", ".parquet", ".pq"}:
        raise ArgumentError(
            f"path suffix ({suffix!r}) must be one of '.csv', '.xlsx', '.parquet'"
        )
    if suffix == ".xlsx":
        require("openpyxl", "io")
    out = mask_frame(frame, reveal=reveal)
    if headers == "chinese":
        out = out.rename(columns={c.name: c.label_zh for c in FILING_SCHEMA})
    return write_table(
        out, path, overwrite=overwrite, date_format="%Y-%m-%d" if suffix == ".csv" else None
    )
