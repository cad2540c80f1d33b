"""Read registries of filings into the canonical table, and write them back.

:func:`read_filings` accepts CSV (UTF-8, with or without BOM, or GB18030), XLSX,
Parquet files and DataFrames whose headers are canonical English names, Chinese
labels or public-query JSON keys (see :mod:`beian_audit.schema`). It maps the
headers, coerces every known column to its canonical dtype, normalises
identifiers (NFKC: full-width digits and letters become ASCII; whitespace and
zero-width characters removed) and checks keys. Every problem in the file is
collected and raised at once as a :class:`~beian_audit.errors.SchemaError` whose
``failure_cases`` lists row, column, masked value and reason. A valid file loses
no row and no column: unknown columns are kept under their own names.

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

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from beian_audit.errors import FAILURE_COLUMNS, SchemaError, require
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
_ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff]"
_DATE = r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"


def _read_raw(source: PathLike, sheet_name: str | int | None) -> pd.DataFrame:
    path = Path(source)
    if not path.exists():
        raise SchemaError(
            f"file {str(path)!r} does not exist",
            _failures([(None, "<file>", str(path), "file_not_found")]),
        )
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt", ".tsv"}:
        sep = "\t" if suffix == ".tsv" else ","
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(
                    path,
                    dtype=str,
                    sep=sep,
                    encoding=encoding,
                    keep_default_na=False,
                    na_values=[""],
                )
            except UnicodeDecodeError:
                continue
        raise SchemaError(
            f"file {str(path)!r} is neither UTF-8 nor GB18030 text",
            _failures([(None, "<file>", str(path), "bad_encoding")]),
        )
    if suffix in {".xlsx", ".xlsm"}:
        require("openpyxl", "io")
        return pd.read_excel(
            path, sheet_name=sheet_name or 0, dtype=object, keep_default_na=False, na_values=[""]
        )
    if suffix in {".parquet", ".pq"}:
        return pd.read_parquet(path)
    raise SchemaError(
        f"file suffix ({suffix!r}) must be one of '.csv', '.tsv', '.txt', '.xlsx', '.parquet'",
        _failures([(None, "<file>", str(path), "unsupported_format")]),
    )


def _failures(rows: Iterable[tuple[Any, Any, Any, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(FAILURE_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    frame["value"] = frame["value"].map(str, na_action="ignore").astype(STRING_DTYPE)
    return frame


def _as_strings(values: pd.Series) -> pd.Series:
    """Any column to Arrow strings; integral floats (Excel numbers) lose their '.0'."""
    if isinstance(values.dtype, pd.StringDtype) or pd.api.types.is_string_dtype(values.dtype):
        return values.astype(STRING_DTYPE)
    if pd.api.types.is_float_dtype(values.dtype):
        finite = values.dropna()
        if len(finite) == 0 or bool(np.all(np.mod(finite.to_numpy(dtype=float), 1) == 0)):
            return values.astype("Int64").astype(STRING_DTYPE)
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(STRING_DTYPE)
    out = values.astype(object).map(
        lambda v: v if v is None or isinstance(v, str) else _scalar_text(v), na_action="ignore"
    )
    return out.astype(STRING_DTYPE)


def _scalar_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    return str(value)


def _clean_text(values: pd.Series, *, identifier: bool) -> pd.Series:
    """NFKC, strip, and for identifiers remove all whitespace; empty becomes NA."""
    import pyarrow as pa
    import pyarrow.compute as pc

    raw = _as_strings(values).to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
    arr = pa.array(raw, type=pa.string())
    arr = pc.utf8_normalize(arr, "NFKC")
    arr = pc.replace_substring_regex(arr, _ZERO_WIDTH, "")
    arr = (
        pc.replace_substring_regex(arr, r"\s+", "") if identifier else pc.utf8_trim_whitespace(arr)
    )
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=values.index, name=values.name)


def _coerce(values: pd.Series, column: Column) -> tuple[pd.Series, np.ndarray]:
    """Coerce one column; return the new values and a mask of unparseable rows."""
    if column.kind == "string":
        out = _clean_text(values, identifier=column.identifier)
        return out, np.zeros(len(values), dtype=bool)
    if column.kind == "boolean":
        if pd.api.types.is_bool_dtype(values.dtype):
            return values.astype("boolean"), np.zeros(len(values), dtype=bool)
        text = _clean_text(values, identifier=True).str.lower()
        out = pd.Series(pd.NA, index=values.index, dtype="boolean")
        out[text.isin(_TRUE).fillna(False).astype(bool)] = True
        out[text.isin(_FALSE).fillna(False).astype(bool)] = False
        bad = (text.notna() & out.isna()).to_numpy(dtype=bool)
        return out, bad
    if column.kind == "date":
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            return values.astype("datetime64[ns]"), np.zeros(len(values), dtype=bool)
        text = _clean_text(values, identifier=False)
        parts = text.str.extract(_DATE)
        present = text.notna().to_numpy(dtype=bool)
        nums = parts.apply(pd.to_numeric, errors="coerce").astype("float64")
        stamp = pd.to_datetime(
            pd.DataFrame(
                {
                    "year": nums[0],
                    "month": nums[1],
                    "day": nums[2],
                    "hour": nums[3].fillna(0),
                    "minute": nums[4].fillna(0),
                    "second": nums[5].fillna(0),
                }
            ),
            errors="coerce",
        ).astype("datetime64[ns]")
        bad = present & stamp.isna().to_numpy(dtype=bool)
        return stamp, bad
    numeric = pd.to_numeric(_clean_text(values, identifier=True), errors="coerce")
    bad = values.notna().to_numpy(dtype=bool) & numeric.isna().to_numpy(dtype=bool)
    if column.kind == "integer":
        whole = numeric.notna() & (numeric % 1 != 0)
        bad |= whole.to_numpy(dtype=bool)
        numeric = numeric.where(~whole)
    return numeric.astype(column.dtype), bad  # type: ignore[call-overload]


def read_table(
    source: PathLike | pd.DataFrame,
    schema: Schema,
    *,
    sheet_name: str | int | None = None,
    key: str | None = None,
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
    raw = source.copy() if isinstance(source, pd.DataFrame) else _read_raw(source, sheet_name)
    raw = raw.reset_index(drop=True)
    names = header_map(schema)
    problems: list[tuple[Any, Any, Any, str]] = []

    renamed: list[str] = []
    owner: dict[str, str] = {}
    for header in raw.columns:
        target = names.get(str(header)) or names.get(normalise_header(header))
        if target is None:
            renamed.append(str(header))
            continue
        if target in owner:
            problems.append((None, target, f"{owner[target]!s} / {header!s}", "duplicate_column"))
            renamed.append(str(header))
            continue
        owner[target] = str(header)
        renamed.append(target)
    raw.columns = pd.Index(renamed)

    for column in schema.required:
        if column.name not in raw.columns:
            problems.append((None, column.name, None, "missing_column"))

    out = {}
    for name in raw.columns:
        if name not in schema or owner.get(name) is None:
            out[name] = raw[name]
            continue
        column = schema[name]
        values, bad = _coerce(raw[name], column)
        for i in np.flatnonzero(bad):
            problems.append((int(i), name, _masked(raw[name].iloc[i], column), "unparseable_value"))
        if column.required:
            for i in np.flatnonzero(values.isna().to_numpy(dtype=bool) & ~bad):
                problems.append((int(i), name, None, "missing_value"))
        out[name] = values
    frame = pd.DataFrame(out, index=raw.index)

    if key is not None and key in frame.columns:
        dup = frame[key].duplicated(keep=False) & frame[key].notna()
        for i in np.flatnonzero(dup.to_numpy(dtype=bool)):
            problems.append((int(i), key, frame[key].iloc[i], "duplicate_key"))

    if problems:
        failures = _failures(problems).sort_values(["row", "column"], na_position="first")
        failures = failures.reset_index(drop=True)
        raise SchemaError(_message(failures, source), failures)
    return frame


def _masked(value: object, column: Column) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    return mask_value(str(value), column.personal) if column.personal else str(value)


def _message(failures: pd.DataFrame, source: object) -> str:
    where = "the DataFrame" if isinstance(source, pd.DataFrame) else repr(str(source))
    lines = []
    records: list[dict[Any, Any]] = failures.head(10).to_dict(orient="records")
    for rec in records:
        row = "all rows" if pd.isna(rec["row"]) else f"row {int(rec['row'])}"
        value = "" if pd.isna(rec["value"]) else f" (value {rec['value']!r})"
        lines.append(f"  {row}, column {rec['column']!r}: {rec['reason']}{value}")
    more = len(failures) - 10
    tail = f"\n  ... and {more} more (see .failure_cases)" if more > 0 else ""
    return f"{len(failures)} problem(s) in {where}:\n" + "\n".join(lines) + tail


def read_filings(
    path_or_frame: PathLike | pd.DataFrame, *, sheet_name: str | int | None = None
) -> pd.DataFrame:
    """Read a registry of filings into the canonical, validated table.

    Parameters
    ----------
    path_or_frame : path or DataFrame
        A ``.csv`` / ``.tsv`` (UTF-8 or GB18030), ``.xlsx`` or ``.parquet`` file,
        or a DataFrame. Headers may be canonical names, Chinese labels or aliases
        (e.g. the public-query keys ``unitName``, ``serviceLicence``).
    sheet_name : str or int, optional
        Sheet of an Excel workbook (default: the first).

    Returns
    -------
    DataFrame
        Canonical columns with canonical dtypes (Arrow-backed strings, nullable
        booleans, ``datetime64[ns]``), unknown columns kept as they are, a fresh
        ``RangeIndex`` with one row per input row.

    Raises
    ------
    SchemaError
        Listing every problem at once in ``failure_cases`` (``row`` is the 0-based
        data row, ``value`` is masked when personal; ``reason`` is one of
        ``missing_column``, ``duplicate_column``, ``missing_value``,
        ``unparseable_value``, ``duplicate_key``, ``file_not_found``,
        ``bad_encoding``, ``unsupported_format``).
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
    return read_table(path_or_frame, FILING_SCHEMA, sheet_name=sheet_name, key="website_id")


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

    if headers not in ("english", "chinese"):
        raise ValueError(f"headers ({headers!r}) must be one of 'english', 'chinese'")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx", ".parquet", ".pq"}:
        raise ValueError(f"path suffix ({suffix!r}) must be one of '.csv', '.xlsx', '.parquet'")
    if suffix == ".xlsx":
        require("openpyxl", "io")
    out = mask_frame(frame, reveal=reveal)
    if headers == "chinese":
        out = out.rename(columns={c.name: c.label_zh for c in FILING_SCHEMA})
    return write_table(
        out, path, overwrite=overwrite, date_format="%Y-%m-%d" if suffix == ".csv" else None
    )
