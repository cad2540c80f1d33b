"""Tests of beian_audit.checks.address: division matcher and address completeness.

Expected codes are GB/T 2260 codes as published in the Ministry of Civil Affairs list
(民政部 县级以上行政区划代码), e.g. 330106 杭州市西湖区, 110105 北京市朝阳区, and the four
鼓楼区 (320106 南京, 320302 徐州, 350102 福州, 410204 开封). The table-wide tests take
their expected codes from ``divisions.csv`` itself: they test the matcher, not the
table (whose cross-check lives in ``scripts/build_divisions.py``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beian_audit.checks.address import (
    REASONS,
    check_address,
    division_codes,
    load_divisions,
    match_divisions,
)


def codes(text: str) -> tuple[object, object, object, bool]:
    row = match_divisions([text]).iloc[0]
    as_none = [
        None if pd.isna(v) else v for v in row[["province_code", "city_code", "county_code"]]
    ]
    return (*as_none, bool(row["ambiguous"]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("浙江省杭州市西湖区文三路90号", ("330000", "330100", "330106", False)),
        ("浙江杭州西湖区文三路90号", ("330000", "330100", "330106", False)),  # short forms
        ("杭州西湖文三路90号", ("330000", "330100", "330106", False)),  # county short form
        ("中国浙江省杭州市", ("330000", "330100", None, False)),
        ("北京市朝阳区建国路88号", ("110000", "110000", "110105", False)),  # municipality
        ("长春市朝阳区", ("220000", "220100", "220104", False)),
        ("江苏省徐州市鼓楼区", ("320000", "320300", "320302", False)),
        ("湖北恩施州", ("420000", "422800", None, False)),  # 恩施土家族苗族自治州
        ("广西南宁市青秀区", ("450000", "450100", "450103", False)),  # 广西壮族自治区
        ("湖北省仙桃市", ("420000", None, "429004", False)),  # county-level, under the province
        ("广东省东莞市", ("440000", "441900", None, False)),  # prefecture without counties
        ("北京市崇文区", ("110000", "110000", "110103", False)),  # historical (merged 2010)
        ("浙江省杭州市下城区", ("330000", "330100", "330103", False)),  # historical (2021)
        ("重庆市渝中区", ("500000", "500000", "500103", False)),  # not the pre-1997 510200
        ("浙江省龙泉市", ("330000", "331100", "331181", False)),  # not the old 丽水地区 code
        ("济南市中区", ("370000", "370100", "370103", False)),  # 市 shared by 济南市 and 市中区
        ("石家庄桥西区", ("130000", "130100", "130104", False)),  # 桥 here is no bridge
        ("山西阳泉城区", ("140000", "140300", "140302", False)),  # generic name, in context
        ("上海市民政局", ("310000", "310000", None, False)),
        ("广东省中山市中山路1号", ("440000", "442000", None, False)),
    ],
)
def test_matcher_reference(text: str, expected: tuple[object, ...]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # abstains: four cities have a 鼓楼区
        ("鼓楼区中山路1号", (None, None, None, True)),
        ("朝阳区", (None, None, None, True)),  # Beijing and Changchun
        ("西湖区", (None, None, None, True)),  # Hangzhou and Nanchang
        # never reads a street named after a place as that place
        ("中山路1号", (None, None, None, False)),
        ("南京东路100号", (None, None, None, False)),
        ("东方市场", (None, None, None, False)),  # a market, not 东方市
        ("城区人民路", (None, None, None, False)),  # generic name with no context
        ("义乌", (None, None, None, False)),  # county short form with no context
        ("吉林", ("220000", None, None, True)),  # the province or its city 吉林市
    ],
)
def test_matcher_abstains(text: str, expected: tuple[object, ...]) -> None:
    assert codes(text) == expected


def test_every_shared_county_name_alone_abstains() -> None:
    d = load_divisions()
    cur = d[d["current"] & ~d["grouping"] & d["level"].eq("county")]
    counts = cur["name"].value_counts()
    names = sorted(counts[counts > 1].index)
    assert "鼓楼区" in names and len(names) > 20  # 28 names in the current table
    out = match_divisions([f"{n}人民路1号" for n in names])
    assert out["city_code"].isna().all() and out["county_code"].isna().all()
    in_several_provinces = cur.groupby("name")["province_code"].nunique().gt(1)
    several = [n in in_several_provinces[in_several_provinces].index for n in names]
    assert out.loc[several, "province_code"].isna().all()


def _current_tables() -> tuple[pd.DataFrame, dict[str, str]]:
    d = load_divisions()
    cur = d[d["current"] & ~d["grouping"]]
    return cur, dict(zip(cur["code"], cur["name"], strict=True))


def test_every_current_county_resolves_with_its_full_chain() -> None:
    cur, names = _current_tables()
    counties = cur[cur["level"].eq("county")]
    texts = []
    for row in counties.itertuples():
        city = names[row.parent_code] if row.parent_code != row.province_code else ""
        texts.append(f"{names[row.province_code]}{city}{row.name}人民路1号")
    out = match_divisions(texts)
    assert len(texts) > 2800
    assert (out["county_code"].to_numpy() == counties["code"].to_numpy()).all()


def test_every_current_county_resolves_from_city_and_county() -> None:
    cur, names = _current_tables()
    counties = cur[cur["level"].eq("county") & cur["parent_code"].ne(cur["province_code"])]
    texts = [
        f"{names[p]}{n}人民路1号"
        for p, n in zip(counties["parent_code"], counties["name"], strict=True)
    ]
    out = match_divisions(texts)
    assert (out["county_code"].to_numpy() == counties["code"].to_numpy()).all()


def test_every_current_city_resolves() -> None:
    cur, names = _current_tables()
    cities = cur[cur["level"].eq("city")]
    out = match_divisions(
        [f"{names[p]}{n}" for p, n in zip(cities["province_code"], cities["name"], strict=True)]
    )
    assert (out["city_code"].to_numpy() == cities["code"].to_numpy()).all()


# --------------------------------------------------------------------------- completeness


@pytest.mark.parametrize(
    ("text", "reason", "door"),
    [
        ("北京市朝阳区建国路88号3号楼201", "", True),
        ("浙江省杭州市西湖区文三路5-2-301", "", True),
        ("广东省深圳市南山区科技园B座1203", "", True),
        ("湖北省恩施州利川市XX村三组", "", True),
        ("杭州市西湖区XX村已是最详细地址", "", True),  # the accepted remark
        ("江苏省南京市玄武区中山路１２８号", "", True),  # full-width digits
        ("浙江省杭州市西湖区文三路", "no_door_number", False),
        ("上海市浦东新区张江路地铁2号线", "no_door_number", False),  # metro line, not a door
        ("北京市海淀区8888信箱", "po_box", False),
        ("P.O. Box 123", "po_box", False),
        ("北京市", "too_short", False),
        ("已是最详细地址", "too_short", True),
        ("某某路某某大厦12号", "unresolved_province", True),
        ("鼓楼区中山路1号", "ambiguous_province", True),
        ("", "missing", False),
    ],
)
def test_check_address_reasons(text: str, reason: str, door: bool) -> None:
    out = check_address([text]).iloc[0]
    assert out["reason"] == reason
    assert out["valid"] == (reason == "")
    assert out["has_door_number"] == door


def test_reasons_lists_every_problem() -> None:
    out = check_address(["北京市8888信箱"]).iloc[0]
    assert out["reasons"].split(";") == ["po_box", "no_door_number"]


def test_declared_province_forms() -> None:
    text = ["鼓楼区中山路1号"] * 6
    declared = ["江苏", "江苏省", "320000", 32, "福建", None]
    out = check_address(text, declared_province=declared)
    assert out["province_code"].tolist()[:5] == ["320000"] * 4 + ["350000"]
    assert out["city_code"].tolist()[4] == "350100"  # only one 鼓楼区 in Fujian
    assert out["reason"].tolist() == [""] * 5 + ["ambiguous_province"]


def test_declared_province_mismatch_keeps_address_province() -> None:
    out = check_address(["浙江省杭州市西湖区文三路90号"], declared_province="江苏省").iloc[0]
    assert out["reason"] == "province_mismatch" and out["province_code"] == "330000"


def test_declared_province_scalar_and_length_check() -> None:
    out = check_address(pd.Series(["杭州市西湖区文三路90号"], index=["a"]), declared_province="33")
    assert out.loc["a", "valid"]
    with pytest.raises(ValueError, match=r"declared_province \(length 2\)"):
        check_address(["a"], declared_province=["浙江", "江苏"])


def test_division_codes_cover_history() -> None:
    assert {"330113", "330114", "110103", "441900", "710000"} <= division_codes()


# --------------------------------------------------------------------------- robustness

ANY_VALUE = st.one_of(
    st.none(),
    st.just("\ud800 lone surrogate \udfff"),  # pandas' string dtype cannot store these
    st.just(math.nan),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="省市区县路号浙江杭州鼓楼中山1234567890-信箱已是最详细地址 ", max_size=30),
    st.just("😀" * 5),
    st.just("浙江省杭州市" * 1700),  # ~10 kB
)


@settings(max_examples=40)
@given(
    st.lists(ANY_VALUE, max_size=10), st.one_of(st.none(), st.sampled_from(["浙江", "33", "xx"]))
)
def test_never_raises_and_keeps_index(values: list[object], declared: str | None) -> None:
    series = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)
    out = check_address(series, declared_province=declared)
    assert list(out.index) == list(series.index)
    assert out["valid"].dtype == bool and out["ambiguous"].dtype == bool
    assert set(out["reason"]) <= set(REASONS) | {""}
    matched = match_divisions(series)
    assert list(matched.index) == list(series.index)


def test_every_code_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "checks-identity.md").read_text(
        encoding="utf-8"
    )
    for code, (zh, en) in REASONS.items():
        assert f"`{code}`" in doc and zh in doc and en in doc, code


# --------------------------------------------------------------------------- fast paths


@pytest.mark.parametrize("method", ["fast", "reference"])
def test_reference_cases_by_both_methods(method: str) -> None:
    texts = ["济南市中区经十路1号", "青岛市南区香港中路1号", "东方市场1号", "鼓楼区中山路1号",
             "中国浙江省杭州市西湖区文三路90号", "石家庄桥西区中山路1号"]
    out = check_address(texts, method=method)  # type: ignore[arg-type]
    assert out["county_code"].tolist()[:2] == ["370103", "370202"]
    assert out["reason"].tolist()[2:4] == ["unresolved_province", "ambiguous_province"]
    assert out["county_code"].tolist()[4:] == ["330106", "130104"]
