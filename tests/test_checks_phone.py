"""Tests for beian_audit.checks.phone.

Where the expected values come from:

* ``phonenumbers`` 9.0.43 (the independent reference this module builds on): every
  ``number_type`` / ``e164`` / ``region`` below is what ``phonenumbers.parse(x, "CN")``,
  ``is_valid_number`` and ``number_type`` return for the number left after the
  normaliser; the service numbers are those ``shortnumberinfo`` knows; the example
  numbers are ``example_number_for_type("CN", t)`` from the CN metadata.
* area codes and provinces: the geocoder of the same version
  (``description_for_number(n, "zh")``: 北京市, 浙江省杭州市, 广东省深圳市, 上海市)
  with the GB/T 2260 province codes of ``provinces.csv`` (110000, 330000, 440000,
  310000);
* the reason codes are this package's own rules (module docstring); each rule is
  pinned by at least one case here.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from beian_audit.checks import phone as phone_module
from beian_audit.checks.phone import PLACEHOLDER_PATTERN, REASONS, check_phone

DOCS = Path(__file__).resolve().parents[1] / "docs" / "checks-contact.md"
VERDICT = ["valid", "reason", "number_type", "e164"]
NA = None

# raw, valid, reason, number_type, e164, extension, area_code, province_code
CASES = [
    # plain formats (phonenumbers: valid FIXED_LINE / MOBILE; geocoder for the province)
    ("010-62345678", True, "", "fixed_line", "+861062345678", NA, "10", "110000"),
    ("(0571)88776655", True, "", "fixed_line", "+8657188776655", NA, "571", "330000"),
    ("0571 8877 6655", True, "", "fixed_line", "+8657188776655", NA, "571", "330000"),
    ("0571-8877-6655", True, "", "fixed_line", "+8657188776655", NA, "571", "330000"),
    ("0755-2612 3456", True, "", "fixed_line", "+8675526123456", NA, "755", "440000"),
    ("02162345678", True, "", "fixed_line", "+862162345678", NA, "21", "310000"),
    ("+86 10 6234 5678", True, "", "fixed_line", "+861062345678", NA, "10", "110000"),
    ("13912345679", True, "", "mobile", "+8613912345679", NA, NA, NA),
    # prefixes and full-width digits (phonenumbers strips +86 / 0086 / 86 itself)
    ("+8613912345679", True, "", "mobile", "+8613912345679", NA, NA, NA),
    ("008613912345679", True, "", "mobile", "+8613912345679", NA, NA, NA),
    ("8613912345679", True, "", "mobile", "+8613912345679", NA, NA, NA),
    ("+86-139-1234-5679", True, "", "mobile", "+8613912345679", NA, NA, NA),
    ("１３９１２３４５６７９", True, "", "mobile", "+8613912345679", NA, NA, NA),
    ("＋８６　１３９１２３４５６７９", True, "", "mobile", "+8613912345679", NA, NA, NA),
    # carrier-selection prefix 17951: phonenumbers strips it as a carrier code
    ("1795113912345679", True, "", "mobile", "+8613912345679", NA, NA, NA),
    # 400 / 800 / premium (phonenumbers: SHARED_COST, TOLL_FREE, PREMIUM_RATE)
    ("400-810-8888", True, "", "shared_cost", "+864008108888", NA, NA, NA),
    ("800 820 8820", True, "", "toll_free", "+868008208820", NA, NA, NA),
    ("16812345", True, "", "premium_rate", "+8616812345", NA, NA, NA),
    # Chinese extension forms (the normaliser; raw phonenumbers fails, see below)
    ("010-62345678转123", True, "", "fixed_line", "+861062345678", "123", "10", "110000"),
    ("010-62345678分机号123", True, "", "fixed_line", "+861062345678", "123", "10", "110000"),
    ("010-62345678分机 123", True, "", "fixed_line", "+861062345678", "123", "10", "110000"),
    ("010-62345678(转123)", True, "", "fixed_line", "+861062345678", "123", "10", "110000"),
    ("010-62345678 ext 123", True, "", "fixed_line", "+861062345678", "123", "10", "110000"),
    ("010-62345678 EXT.123", True, "", "fixed_line", "+861062345678", "123", "10", "110000"),
    ("010-62345678 x123", True, "", "fixed_line", "+861062345678", "123", "10", "110000"),
    ("010-62345678#123", True, "", "fixed_line", "+861062345678", "123", "10", "110000"),
    ("0571-88776655-8001", True, "", "fixed_line", "+8657188776655", "8001", "571", "330000"),
    ("0571-88776655－8001", True, "", "fixed_line", "+8657188776655", "8001", "571", "330000"),
    # placeholders (the documented rule): still typed by phonenumbers
    ("13800000000", False, "placeholder", "mobile", "+8613800000000", NA, NA, NA),
    ("13888888888", False, "placeholder", "mobile", "+8613888888888", NA, NA, NA),
    ("13912345678", False, "placeholder", "mobile", "+8613912345678", NA, NA, NA),
    ("+86 138 0013 8000", False, "placeholder", "mobile", "+8613800138000", NA, NA, NA),
    ("(0571)87654321", False, "placeholder", "fixed_line", "+8657187654321", NA, "571", "330000"),
    ("00000000", False, "placeholder", NA, NA, NA, NA, NA),
    ("12345678", False, "placeholder", NA, NA, NA, NA, NA),
    ("12345", False, "placeholder", NA, NA, NA, NA, NA),
    # service numbers (phonenumbers.shortnumberinfo: valid short numbers for CN)
    ("95588", False, "service_number", NA, NA, NA, NA, NA),
    ("10086", False, "service_number", NA, NA, NA, NA, NA),
    ("110", False, "service_number", NA, NA, NA, NA, NA),
    # local number without area code (phonenumbers: possible but invalid)
    ("62345678", False, "missing_area_code", NA, NA, NA, NA, NA),
    ("6234567", False, "missing_area_code", NA, NA, NA, NA, NA),
    # wrong length: mobile range with 10 / 12 digits; parse errors TOO_SHORT / TOO_LONG
    ("1391234567", False, "wrong_length", NA, NA, NA, NA, NA),
    ("139123456790", False, "wrong_length", NA, NA, NA, NA, NA),
    ("+86 1", False, "wrong_length", NA, NA, NA, NA, NA),
    ("1391234567913912", False, "wrong_length", NA, NA, NA, NA, NA),
    # right length, no valid range (Hangzhou numbers have 8 local digits)
    ("0571-8765432", False, "invalid_number", NA, NA, NA, NA, NA),
    # another country (phonenumbers: valid HK FIXED_LINE, US FIXED_LINE_OR_MOBILE)
    ("+852 2123 4567", False, "not_chinese", "fixed_line", "+85221234567", NA, NA, NA),
    ("+1 650 253 0000", False, "not_chinese", "other", "+16502530000", NA, NA, NA),
    # not a number / several numbers / missing
    ("139l2345679", False, "not_a_number", NA, NA, NA, NA, NA),
    ("手机：13912345679", False, "not_a_number", NA, NA, NA, NA, NA),
    ("abc", False, "not_a_number", NA, NA, NA, NA, NA),
    ("1", False, "not_a_number", NA, NA, NA, NA, NA),
    ("13912345679/13912345670", False, "multiple_numbers", NA, NA, NA, NA, NA),
    ("13912345679，13912345670", False, "multiple_numbers", NA, NA, NA, NA, NA),
    ("0571-88776655 0571-88776656", False, "multiple_numbers", NA, NA, NA, NA, NA),
    ("", False, "missing", NA, NA, NA, NA, NA),
    ("  \u3000", False, "missing", NA, NA, NA, NA, NA),
    (None, False, "missing", NA, NA, NA, NA, NA),
    (float("nan"), False, "missing", NA, NA, NA, NA, NA),
    # numbers as Excel reads them
    (13912345679, True, "", "mobile", "+8613912345679", NA, NA, NA),
    (13912345679.0, True, "", "mobile", "+8613912345679", NA, NA, NA),
]
COLUMNS = ["valid", "reason", "number_type", "e164", "extension", "area_code", "province_code"]


def _records(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [
        tuple(None if (not isinstance(v, bool) and pd.isna(v)) else v for v in row)
        for row in frame[COLUMNS].itertuples(index=False)
    ]


@pytest.mark.parametrize("method", ["fast", "reference"])
def test_reference_cases(method: str) -> None:
    raw = [c[0] for c in CASES]
    got = _records(check_phone(raw, method=method))
    for case, row in zip(CASES, got, strict=True):
        assert row == case[1:], case[0]


def test_phonenumbers_chinese_extension_defects() -> None:
    """What the normaliser is for (VALIDATION-NOTES.md): raw phonenumbers on these."""
    with pytest.raises(phonenumbers.NumberParseException):
        phonenumbers.parse("010-62345678转123", "CN")
    number = phonenumbers.parse("0571-88776655-8001", "CN")
    assert phonenumbers.national_significant_number(number) == "571887766558001"
    assert not phonenumbers.is_valid_number(number)


@pytest.mark.parametrize(
    ("num_type", "name", "reason"),
    [
        # the library's own example numbers are made-up runs: our rule calls them so
        (PhoneNumberType.MOBILE, "mobile", "placeholder"),  # 13123456789
        (PhoneNumberType.FIXED_LINE, "fixed_line", "placeholder"),  # 1012345678
        (PhoneNumberType.TOLL_FREE, "toll_free", "placeholder"),  # 8001234567
        (PhoneNumberType.SHARED_COST, "shared_cost", "placeholder"),  # 4001234567
        (PhoneNumberType.PREMIUM_RATE, "premium_rate", ""),  # 16812345
    ],
)
def test_metadata_example_numbers(num_type: int, name: str, reason: str) -> None:
    number = phonenumbers.example_number_for_type("CN", num_type)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    national = "0" + phonenumbers.national_significant_number(number)
    for method in ("fast", "reference"):
        got = check_phone([e164, national], method=method)
        assert got["number_type"].tolist() == [name, name]
        assert got["e164"].tolist() == [e164, e164]
        assert got["reason"].tolist() == [reason, reason]


def test_agrees_with_plain_phonenumbers_when_normaliser_is_idle() -> None:
    """Digit strings: valid-and-typed exactly when phonenumbers says so."""
    rng = np.random.default_rng(20261127)
    values = ["".join(map(str, rng.integers(0, 10, int(rng.integers(3, 14))))) for _ in range(3000)]
    values += [
        "1" + str(d) + "".join(map(str, rng.integers(0, 10, 9))) for d in rng.integers(3, 10, 3000)
    ]
    got = check_phone(values)
    for value, number_type, e164 in zip(values, got["number_type"], got["e164"], strict=True):
        try:
            number = phonenumbers.parse(value, "CN")
        except phonenumbers.NumberParseException:
            assert pd.isna(number_type), value
            continue
        if phonenumbers.is_valid_number(number):
            assert e164 == phonenumbers.format_number(number, PhoneNumberFormat.E164), value
            assert not pd.isna(number_type), value
        else:
            assert pd.isna(number_type) and pd.isna(e164), value


# ----------------------------------------------------------------- fast == reference

_MOBILE_PREFIXES = [
    "130",
    "133",
    "138",
    "139",
    "147",
    "150",
    "166",
    "170",
    "175",
    "179",
    "180",
    "189",
    "191",
    "199",
    "145",
    "162",
]
_AREA_CODES = sorted(phone_module._area_codes())
_EXAMPLES = [
    phonenumbers.national_significant_number(phonenumbers.example_number_for_type("CN", t))
    for t in (
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.PREMIUM_RATE,
    )
]
_PREFIXES = [
    "+86",
    "+86 ",
    "0086",
    "86",
    "+852",
    "+1",
    "0",
    "00",
    "+",
    "17951",
    "(+86)",
    "＋86",
    "+0",
    "+8",
    "12593",
    "1795100",
    "860",
    "+860",
]
_SUFFIXES = [
    "转123",
    "-123",
    " ext 12",
    "#9",
    "-8001",
    "分机号 66",
    " x12",
    "-1",
    "(转 5)",
    "-1234567",
    ",,12",
    ";ext=1",
    "－88",
    "转",
]
_NOISE = [*"abxXo#,;、|转 \t\n\x0b\x1c\x1f\x85", "😀", "\u200b", "\x00", "（", "）", "－", "．"]
_SEPARATORS = [" ", "-", "(", ")", ".", "/", "  ", " - ", "\u3000"]
_DIGITS = "0123456789"


@st.composite
def phone_texts(draw: st.DrawFn) -> str:
    """Valid CN numbers, service numbers and digit strings, then mutated."""
    base = draw(st.sampled_from(["mobile", "fixed", "example", "service", "digits"]))
    if base == "mobile":
        text = draw(st.sampled_from(_MOBILE_PREFIXES)) + draw(
            st.text(_DIGITS, min_size=8, max_size=8)
        )
    elif base == "fixed":
        text = (
            "0"
            + draw(st.sampled_from(_AREA_CODES))
            + draw(st.text(_DIGITS, min_size=7, max_size=8))
        )
    elif base == "example":
        text = draw(st.sampled_from(_EXAMPLES))
    elif base == "service":
        text = draw(
            st.sampled_from(
                ["95588", "10086", "110", "12315", "400", "800", "106", "1069", "96", "12"]
            )
        ) + draw(st.text(_DIGITS, max_size=6))
    else:
        text = draw(st.text(_DIGITS, max_size=18))
    ops = st.tuples(st.integers(0, 10), st.integers(0, 30))
    for op, pos in draw(st.lists(ops, max_size=4)):
        i = min(pos, len(text))
        if op == 0:
            text = text[:i] + text[i + 1 :]
        elif op == 1:
            text = text[:i] + draw(st.sampled_from(_DIGITS)) + text[i:]
        elif op == 2 and text:
            i = min(i, len(text) - 1)
            text = text[:i] + draw(st.sampled_from(_DIGITS)) + text[i + 1 :]
        elif op == 3:
            text = text[:i] + draw(st.sampled_from(_SEPARATORS)) + text[i:]
        elif op == 4:
            text = draw(st.sampled_from(_PREFIXES)) + text
        elif op == 5:
            text += draw(st.sampled_from(_SUFFIXES))
        elif op == 6:
            text = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)
        elif op == 7:
            text = text[:i] + draw(st.sampled_from(_NOISE)) + text[i:]
        elif op == 8:
            text = " " + text + " "
        elif op == 9:
            text += (
                draw(st.sampled_from([" ", "/", ",", "，"]))
                + draw(st.sampled_from(_MOBILE_PREFIXES))
                + "12345679"
            )
        else:
            text = text[:i]
    return text


def _assert_same(values: list[object], kind: str = "any") -> None:
    fast = check_phone(values, kind=kind, method="fast")
    reference = check_phone(values, kind=kind, method="reference")
    pd.testing.assert_frame_equal(fast, reference)
    # the same values in a pyarrow string column (encoded without Python strings)
    arrow = check_phone(pd.Series(values, dtype="str"), kind=kind, method="fast")
    pd.testing.assert_frame_equal(arrow, reference)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.lists(phone_texts(), min_size=1, max_size=25),
    st.sampled_from(["any", "mobile", "fixed_line"]),
)
def test_fast_equals_reference_property(values: list[str], kind: str) -> None:
    _assert_same(values, kind)


def test_fast_equals_reference_bulk() -> None:
    """Ten thousand mutated numbers in one call (seeded numpy generator)."""
    values: list[object] = []
    rng = np.random.default_rng(7)
    pieces = _PREFIXES + _SUFFIXES + _SEPARATORS + _NOISE
    for _ in range(10_000):
        r = rng.random()
        if r < 0.35:
            text = str(rng.choice(_MOBILE_PREFIXES)) + "".join(map(str, rng.integers(0, 10, 8)))
        elif r < 0.7:
            text = (
                "0"
                + str(rng.choice(_AREA_CODES))
                + "".join(map(str, rng.integers(0, 10, int(rng.integers(6, 9)))))
            )
        else:
            text = "".join(map(str, rng.integers(0, 10, int(rng.integers(0, 18)))))
        for _ in range(int(rng.integers(0, 3))):
            i = int(rng.integers(0, len(text) + 1))
            piece = str(rng.choice(pieces)) if rng.random() < 0.5 else str(rng.integers(0, 10))
            text = text[:i] + piece + text[i:] if rng.random() < 0.7 else text[:i] + text[i + 1 :]
        values.append(text)
    _assert_same(values)


# ----------------------------------------------------------------- robustness

_ANY_VALUE = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.text(st.characters(categories=["Cc", "Cf", "So", "Zs", "Nd"]), max_size=20),
    st.text(st.characters(categories=["Cs", "Co"]), max_size=5),  # lone surrogates
    st.builds(lambda s, k: s * k, st.text(min_size=1, max_size=3), st.integers(2000, 5000)),
    phone_texts(),
)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.lists(_ANY_VALUE, max_size=12), st.sampled_from(["fast", "reference"]))
def test_never_raises_and_keeps_index(values: list[object], method: str) -> None:
    index = pd.Index([f"row{i}" for i in range(len(values))][::-1])
    series = pd.Series(values, index=index, dtype=object)
    out = check_phone(series, method=method)
    assert out.index.equals(index)
    assert len(out) == len(values)
    assert out["valid"].dtype == bool
    assert set(out["reason"]) <= set(REASONS) | {""}
    assert (out["valid"] == (out["reason"] == "")).all()


def test_list_input_and_empty() -> None:
    out = check_phone([])
    assert list(out.columns) == phone_module.OUTPUT_COLUMNS and len(out) == 0
    out = check_phone(("13912345679",))
    assert out.index.tolist() == [0] and bool(out["valid"].iloc[0])


def test_kind() -> None:
    values = ["13912345679", "010-62345678", "400-810-8888", "95588"]
    mobile = check_phone(values, kind="mobile")["reason"].tolist()
    fixed = check_phone(values, kind="fixed_line")["reason"].tolist()
    assert mobile == ["", "not_mobile", "not_mobile", "service_number"]
    assert fixed == ["not_fixed_line", "", "not_fixed_line", "service_number"]


def test_option_errors() -> None:
    with pytest.raises(ValueError, match=r"kind \('landline'\) must be one of 'any', 'mobile'"):
        check_phone(["1"], kind="landline")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"method \('slow'\) must be one of 'fast', 'reference'"):
        check_phone(["1"], method="slow")  # type: ignore[arg-type]


# ----------------------------------------------------------------- data and docs


def test_placeholder_rule() -> None:
    import re

    pattern = re.compile(PLACEHOLDER_PATTERN)
    for text in [
        "13800000000",
        "13888888888",
        "13812345678",
        "01087654321",
        "00000",
        "7777777",
        "23456",
        "9876543",
        "13800138000",
    ]:
        assert pattern.match(text), text
    for text in ["13912345679", "1062345678", "4008108888", "1111", "1234", "24680"]:
        assert not pattern.match(text), text


def test_area_code_table_matches_phonenumbers() -> None:
    """Every shipped area code is what phonenumbers calls the geographic area code."""
    provinces_csv = Path(phone_module.__file__).parent.parent / "data" / "provinces.csv"
    with provinces_csv.open(encoding="utf-8") as fh:
        provinces = {row["gb2260_code"] for row in csv.DictReader(fh)}
    table = phone_module._area_codes()
    assert len(table) > 300
    assert set(table.values()) - {""} <= provinces
    rng = np.random.default_rng(3)
    checked = 0
    for area in table:
        tries = [str(first) + "".join(map(str, rng.integers(0, 10, length - 1)))
                 for length in (8, 7) for first in range(2, 10) for _ in range(2)]
        for local in tries:
            number = phonenumbers.parse("0" + area + local, "CN")
            if phonenumbers.number_type(number) == PhoneNumberType.FIXED_LINE:
                length = phonenumbers.length_of_geographical_area_code(number)
                assert phone_module._area_code(
                    phonenumbers.national_significant_number(number))[0] == area[:length]
                checked += 1
                break
    assert checked > 0.9 * len(table)


def test_reasons_documented() -> None:
    doc = DOCS.read_text(encoding="utf-8")
    for code, (zh, en) in REASONS.items():
        assert zh and en
        assert f"`{code}`" in doc, code
