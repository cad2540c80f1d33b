"""Byte-for-byte reproducible Parquet, CSV and XLSX writers of the bundled tables.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"a": [1, 2]})
>>> _parquet_bytes(frame) == _parquet_bytes(frame.copy())
True
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from typing import Any

import numpy as np
import pandas as pd

from beian_audit.schema import Schema
from beian_audit.synthetic.vectors import _pa


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet with pyarrow, zstd level 9, no pandas metadata: same frame, same bytes."""
    pa = _pa()
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    sink = io.BytesIO()
    pq.write_table(
        table, sink, compression="zstd", compression_level=9, version="2.6", row_group_size=1 << 20
    )
    return sink.getvalue()


def _csv_bytes(frame: pd.DataFrame, schema: Schema) -> bytes:
    """UTF-8 CSV (with BOM, for spreadsheet programs) under the Chinese labels."""
    out = frame.rename(columns={c.name: c.label_zh for c in schema})
    text = out.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return ("\ufeff" + text).encode("utf-8")


_FIXED_TIME = (2013, 12, 31, 0, 0, 0)


def _xlsx_bytes(frame: pd.DataFrame, schema: Schema) -> bytes:
    """An .xlsx (openpyxl) of ``frame`` under Chinese labels, byte-for-byte reproducible."""
    import datetime as dt

    from beian_audit.errors import require

    openpyxl = require("openpyxl", "io")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案信息"
    ws.append([c.label_zh for c in schema])
    for record in frame.itertuples(index=False):
        row: list[Any] = []
        for value in record:
            if value is pd.NA or value is None or (isinstance(value, float) and math.isnan(value)):
                row.append(None)
            elif isinstance(value, pd.Timestamp):
                row.append(value.to_pydatetime().date())
            elif isinstance(value, np.bool_ | bool):
                row.append(bool(value))
            else:
                row.append(value)
        ws.append(row)
    stamp = dt.datetime(*_FIXED_TIME)
    wb.properties.creator = "beian_audit.synthetic"
    wb.properties.created = stamp
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl stamps the save time into docProps/core.xml and every zip entry; rewrite
    # both with a fixed time so that the same data always give the same bytes.
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2013-12-31T00:00:00Z", data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()
