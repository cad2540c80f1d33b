"""Tests of beian_audit.checks.icp.

Reference numbers are the examples of the project's domain notes (DOMAIN.md §1 and §6):
``京ICP备10046444号`` / ``京ICP备10046444号-9`` (sponsor and website numbers),
``滇ICP备09010050-5号`` (suffix before 号, seen in the wild), ``京ICP证030173号`` (an ICP
licence), ``B2-20090059`` (a value-added telecom licence) and
``京公网安备11010802020000号`` (a public-security filing, region code 110108 = 北京市海淀区).
Prefix-to-province pairs come from ``provinces.csv``.
"""

from __future__ import annotations

import csv
import math
from datetime import date
from importlib.resources import files
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beian_audit.checks.icp import REASONS, WARNINGS, check_icp_number, icp_prefixes

AS_OF = date(2026, 1, 1)


def one(value: object) -> pd.Series:
    return check_icp_number([value], as_of=AS_OF).iloc[0]


@pytest.mark.parametrize(
    ("raw", "normalised", "kind", "site", "year", "warning"),
    [
        ("京ICP备10046444号", "京ICP备10046444号", "sponsor", None, 2010, ""),
        ("京ICP备10046444号-9", "京ICP备10046444号-9", "website", 9, 2010, ""),
        ("滇ICP备09010050-5号", "滇ICP备09010050号-5", "website", 5, 2009, "suffix_before_hao"),
        ("京ICP备10046444", "京ICP备10046444号", "sponsor", None, 2010, "missing_hao"),
        ("京ICP备10046444-9", "京ICP备10046444号-9", "website", 9, 2010, "missing_hao"),
        (" 京 icp 备 10046444 号 - 9 ", "京ICP备10046444号-9", "website", 9, 2010, ""),
        ("京ＩＣＰ备１００４６４４４号－９", "京ICP备10046444号-9", "website", 9, 2010, ""),
        ("京ICP备10046444号-9—", None, None, None, None, None),  # trailing dash: bad_format
        ("粤ICP备2021012345号-3a", "粤ICP备2021012345号-3A", "app", 3, 2021, ""),
        ("京ICP备030173号", "京ICP备030173号", "sponsor", None, None, ""),  # early 6-digit serial
        ("川ICP备12345678号", "蜀ICP备12345678号", "sponsor", None, 2012, "alias_prefix"),
        ("贵ICP备12345678号", "黔ICP备12345678号", "sponsor", None, 2012, "alias_prefix"),
        ("云ICP备12345678号", "滇ICP备12345678号", "sponsor", None, 2012, "alias_prefix"),
        (
            "甘ICP备12345678-1号",
            "陇ICP备12345678号-1",
            "website",
            1,
            2012,
            "alias_prefix;suffix_before_hao",
        ),
    ],
)
def test_filing_numbers(
    raw: str,
    normalised: str | None,
    kind: str | None,
    site: int | None,
    year: int | None,
    warning: str | None,
) -> None:
    out = one(raw)
    if normalised is None:
        assert out["reason"] == "bad_format" and not out["valid"]
        return
    assert out["valid"] and out["reason"] == ""
    assert out["normalised"] == normalised
    assert out["kind"] == kind
    assert pd.isna(out["site_number"]) if site is None else out["site_number"] == site
    assert pd.isna(out["serial_year"]) if year is None else out["serial_year"] == year
    assert out["warning"] == warning
    assert out["alias_prefix"] == ("alias_prefix" in warning)


@pytest.mark.parametrize(
    ("raw", "reason", "province"),
    [
        ("京ICP证030173号", "is_licence", "110000"),
        ("B2-20090059", "is_telecom_licence", None),
        ("京B2-20090059", "is_telecom_licence", "110000"),
        ("京公网安备11010802020000号", "is_police_filing", "110000"),
        ("ICP备10046444号", "missing_prefix", None),
        ("港ICP备10046444号", "unknown_prefix", None),
        ("京ICP备1004644号", "bad_serial_length", "110000"),
        ("京ICP备99046444号", "bad_serial_year", "110000"),  # 2099
        ("京ICP备1999012345号", "bad_serial_year", "110000"),
        ("京ICP备10046444号-0", "bad_site_number", "110000"),
        ("京ICP备10046444号-9-1", "bad_format", None),
        ("京ICP备10046444-9号-1", "bad_format", None),
        ("www.beian.gov.cn", "bad_format", None),
        ("", "missing", None),
    ],
)
def test_lookalikes_and_errors(raw: str, reason: str, province: str | None) -> None:
    out = one(raw)
    assert out["reason"] == reason and not out["valid"]
    assert pd.isna(out["province_code"]) if province is None else out["province_code"] == province
    if reason.startswith("is_"):
        assert pd.isna(out["kind"])


def test_lookalikes_normalised() -> None:
    out = check_icp_number(["京 ICP 证 030173 号", "b2-20090059", "京公网安备 11010802020000 号"])
    assert out["normalised"].tolist() == [
        "京ICP证030173号",
        "B2-20090059",
        "京公网安备11010802020000号",
    ]


def _provinces() -> list[dict[str, str]]:
    text = files("beian_audit").joinpath("data", "provinces.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.mark.parametrize("row", _provinces(), ids=lambda r: r["icp_prefix"])
def test_every_prefix_maps_to_its_province(row: dict[str, str]) -> None:
    out = one(f"{row['icp_prefix']}ICP备10046444号-1")
    assert out["valid"] and out["province_code"] == row["gb2260_code"] and not out["alias_prefix"]
    for alias in filter(None, row["icp_prefix_variants_seen"].split(";")):
        alt = one(f"{alias}ICP备10046444号-1")
        assert alt["valid"] and alt["alias_prefix"] and alt["prefix"] == row["icp_prefix"]


def test_prefix_table() -> None:
    table = icp_prefixes()
    assert len({v[1] for v in table.values()}) == 31
    assert {k for k, v in table.items() if v[2]} == {"川", "贵", "云", "甘"}


# --------------------------------------------------------------------------- properties

PREFIXES = [r["icp_prefix"] for r in _provinces()]


@st.composite
def filing_numbers(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(PREFIXES))
    length = draw(st.sampled_from([6, 8, 10]))
    if length == 6:
        serial = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    elif length == 8:
        serial = f"{draw(st.integers(0, 25)):02d}" + draw(
            st.text(alphabet="0123456789", min_size=6, max_size=6)
        )
    else:
        serial = str(draw(st.integers(2000, 2025))) + draw(
            st.text(alphabet="0123456789", min_size=6, max_size=6)
        )
    suffix = draw(
        st.one_of(
            st.just(""),
            st.integers(1, 999).map(lambda n: f"-{n}"),
            st.integers(1, 99).map(lambda n: f"-{n}A"),
        )
    )
    return f"{prefix}ICP备{serial}号{suffix}"


@settings(max_examples=50)
@given(filing_numbers(), st.booleans(), st.booleans(), st.booleans())
def test_canonical_numbers_are_fixed_points_and_noise_is_removed(
    number: str, spaces: bool, lower: bool, wide: bool
) -> None:
    out = one(number)
    assert out["valid"] and out["normalised"] == number and out["warning"] == ""
    noisy = number
    if spaces:
        noisy = " ".join(noisy)
    if lower:
        noisy = noisy.replace("ICP", "icp").replace("A", "a")
    if wide:
        noisy = noisy.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"})
    assert one(noisy)["normalised"] == number


ANY_VALUE = st.one_of(
    st.none(),
    st.just("\ud800 lone surrogate \udfff"),  # pandas' string dtype cannot store these
    st.just(math.nan),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="京蜀川ICPicp备证公网安号-0123456789Aa B", max_size=30),
    st.just("😀"),
    st.just("京ICP备" + "1" * 10_000 + "号-" + "9" * 10),
    st.just("京ICP备10046444号-" + "9" * 1_000),
)


@settings(max_examples=40)
@given(st.lists(ANY_VALUE, max_size=12))
def test_never_raises_and_keeps_index(values: list[object]) -> None:
    series = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)
    out = check_icp_number(series)
    assert list(out.index) == list(series.index)
    assert out["valid"].dtype == bool
    assert set(out["reason"]) <= set(REASONS) | {""}
    for w in out["warning"]:
        assert set(filter(None, w.split(";"))) <= set(WARNINGS)


def test_every_code_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "checks-identity.md").read_text(
        encoding="utf-8"
    )
    for code, (zh, en) in {**REASONS, **WARNINGS}.items():
        assert f"`{code}`" in doc and zh in doc and en in doc, code


# --------------------------------------------------------------------------- fast paths


@pytest.mark.parametrize("method", ["fast", "reference"])
def test_written_forms_by_both_methods(method: str) -> None:
    out = check_icp_number(
        ["京ICP备10046444号-9", "滇ICP备09010050-5号", "川icp备2021012345号", "京ICP备10046444号-0",
         "京ICP备10046444-1号-2"],
        as_of=date(2026, 1, 1), method=method,  # type: ignore[arg-type]
    )
    assert out["normalised"].tolist()[:3] == ["京ICP备10046444号-9", "滇ICP备09010050号-5",
                                              "蜀ICP备2021012345号"]
    assert out["reason"].tolist() == ["", "", "", "bad_site_number", "bad_format"]
    assert out["warning"].tolist()[:3] == ["", "suffix_before_hao", "alias_prefix"]
