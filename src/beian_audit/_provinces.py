"""The 31 provinces of ``data/provinces.csv``, found by any of their names or codes.

Shared by every package (reporting, the spot check, the command line).

Examples
--------
>>> resolve_province("浙江")
('330000', '浙江省')
>>> resolve_province(330000)
('330000', '浙江省')
"""

from __future__ import annotations

import io
import unicodedata
from functools import cache
from importlib import resources

import pandas as pd

from beian_audit.errors import ArgumentError

__all__ = ["province_codes", "resolve_province"]


@cache
def _province_table() -> pd.DataFrame:
    text = (resources.files("beian_audit") / "data" / "provinces.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str)


@cache
def _province_aliases() -> dict[str, str]:
    table = _province_table()
    out: dict[str, str] = {}
    for row in table.itertuples(index=False):
        code = str(row.gb2260_code)
        for alias in (code, code[:2], row.province_zh, row.province_short_zh, row.icp_prefix):
            out[str(alias)] = code
        variants = row.icp_prefix_variants_seen
        if isinstance(variants, str):
            for alias in variants.split(";"):
                if alias:
                    out.setdefault(alias, code)
    return out


def resolve_province(value: object) -> tuple[str, str]:
    """Return ``(GB/T 2260 code, full Chinese name)`` for a province.

    Accepts the 6-digit code (``"330000"`` or ``330000``), its 2-digit prefix,
    the full name (``"浙江省"``), the short name (``"浙江"``) or the filing-number
    prefix (``"浙"``).

    Examples
    --------
    >>> resolve_province("广西壮族自治区")
    ('450000', '广西壮族自治区')
    """
    text = unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""
    code = _province_aliases().get(text)
    if code is None:
        raise ArgumentError(
            f"province ({value!r}) must be one of the 31 provinces of provinces.csv, given "
            "as a GB/T 2260 code ('330000'), a full name ('浙江省'), a short name ('浙江') "
            "or a filing-number prefix ('浙')"
        )
    table = _province_table()
    name = table.loc[table["gb2260_code"] == code, "province_zh"].iloc[0]
    return code, str(name)


def province_codes(values: pd.Series) -> pd.Series:
    """Map province names / codes / prefixes to GB/T 2260 codes (``None`` when unknown).

    Examples
    --------
    >>> province_codes(pd.Series(["浙江省", "浙", "330000", "火星", None])).tolist()
    ['330000', '330000', '330000', None, None]
    """
    aliases = _province_aliases()
    uniques = pd.unique(values.dropna())
    mapping = {u: aliases.get(unicodedata.normalize("NFKC", str(u)).strip()) for u in uniques}
    out = values.map(mapping).astype(object)
    return out.where(out.notna(), None)
