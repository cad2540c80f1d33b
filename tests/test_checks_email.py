"""Tests for beian_audit.checks.email.

Where the expected values come from: ``email_validator.validate_email`` 2.4.0 with
``check_deliverability=False`` (the independent reference) on the NFKC-normalised,
stripped text — its normalised form (domain lower-cased by UTS-46, Punycode decoded
to Unicode, RFC 2142 role mailboxes such as ``Info`` lower-cased) and its error
message, mapped to a code by the table in the module. ``typo_domain`` rows come from
``data/email_typos.csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import email_validator
import numpy as np
import pandas as pd
import pytest
from email_validator import EmailSyntaxError, EmailUndeliverableError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from beian_audit.checks import email as email_module
from beian_audit.checks.email import REASONS, check_email

DOCS = Path(__file__).resolve().parents[1] / "docs" / "checks-contact.md"
COLUMNS = ["valid", "reason", "normalised", "domain", "suggestion"]
NA = None

# raw, valid, reason, normalised, domain, suggestion
CASES = [
    ("zhangsan@qq.com", True, "", "zhangsan@qq.com", "qq.com", NA),
    ("Zhang.San@QQ.COM", True, "", "Zhang.San@qq.com", "qq.com", NA),
    ("Info@Example.COM", True, "", "info@example.com", "example.com", NA),  # RFC 2142 role
    ("  lisi@126.com  ", True, "", "lisi@126.com", "126.com", NA),
    # NFKC first: full-width at-sign and letters (raw email-validator rejects the ＠)
    ("zhangsan＠163.com", True, "", "zhangsan@163.com", "163.com", NA),
    ("ｚｈａｎｇｓａｎ＠ｑｑ．ｃｏｍ", True, "", "zhangsan@qq.com", "qq.com", NA),
    ("a@qq。com", True, "", "a@qq.com", "qq.com", NA),  # ideographic full stop (UTS-46)
    # internationalised
    ("张三@例子.中国", True, "", "张三@例子.中国", "例子.中国", NA),
    ("a@xn--fsqu00a.xn--fiqs8s", True, "", "a@例子.中国", "例子.中国", NA),
    ("用户@qq.com", True, "", "用户@qq.com", "qq.com", NA),
    ("a@a--b.com", True, "", "a@a--b.com", "a--b.com", NA),
    # typo domains (data/email_typos.csv), suffix match for subdomains
    ("lisi@qq.con", False, "typo_domain", "lisi@qq.con", "qq.con", "lisi@qq.com"),
    ("a@163.cm", False, "typo_domain", "a@163.cm", "163.cm", "a@163.com"),
    ("a@126.con", False, "typo_domain", "a@126.con", "126.con", "a@126.com"),
    ("a@gmial.com", False, "typo_domain", "a@gmial.com", "gmial.com", "a@gmail.com"),
    ("a@hotmial.com", False, "typo_domain", "a@hotmial.com", "hotmial.com", "a@hotmail.com"),
    ("a@sina.con", False, "typo_domain", "a@sina.con", "sina.con", "a@sina.com"),
    ("a@vip.qq.con", False, "typo_domain", "a@vip.qq.con", "vip.qq.con", "a@vip.qq.com"),
    ("Info@QQ.CON", False, "typo_domain", "info@qq.con", "qq.con", "info@qq.com"),
    ("a@qq.co", True, "", "a@qq.co", "qq.co", NA),  # a real TLD: deliberately not listed
    # email-validator's errors, mapped
    ("a..b@126.com", False, "consecutive_dots", NA, NA, NA),
    ("a@163..com", False, "consecutive_dots", NA, NA, NA),
    ("a.@163.com", False, "bad_local_part", NA, NA, NA),
    (".a@163.com", False, "bad_local_part", NA, NA, NA),
    ("@qq.com", False, "bad_local_part", NA, NA, NA),
    ("a b@qq.com", False, "bad_local_part", NA, NA, NA),
    ("a@163.com.", False, "bad_domain", NA, NA, NA),
    ("a@qq.com。", False, "bad_domain", NA, NA, NA),
    ("a@-163.com", False, "bad_domain", NA, NA, NA),
    ("a@", False, "bad_domain", NA, NA, NA),
    ("a@localhost", False, "bad_domain", NA, NA, NA),  # no period
    ("a@qq", False, "bad_domain", NA, NA, NA),
    ("a@123.456", False, "bad_domain", NA, NA, NA),  # TLD must end with a letter
    ("a@q q.com", False, "bad_domain", NA, NA, NA),
    ("a@ab--cd.com", False, "bad_domain", NA, NA, NA),  # R-LDH label
    ("a@xn--abc.com", False, "bad_domain", NA, NA, NA),  # not valid IDNA
    ("a@@qq.com", False, "bad_domain", NA, NA, NA),
    ("a@example.local", False, "special_use_domain", NA, NA, NA),
    ("a@x.test", False, "special_use_domain", NA, NA, NA),
    ("a@b.invalid", False, "special_use_domain", NA, NA, NA),
    ('"john doe"@qq.com', False, "quoted_local_part", NA, NA, NA),
    ("Zhang San <zs@qq.com>", False, "display_name", NA, NA, NA),
    ("a@[1.2.3.4]", False, "domain_literal", NA, NA, NA),
    ("a\u200b@qq.com", False, "unsafe_characters", NA, NA, NA),
    ("x" * 250 + "@qq.com", False, "too_long", NA, NA, NA),
    ("zhangsan", False, "no_at", NA, NA, NA),
    ("zhangsan#qq.com", False, "no_at", NA, NA, NA),
    (12345, False, "no_at", NA, NA, NA),
    ("", False, "missing", NA, NA, NA),
    (" ", False, "missing", NA, NA, NA),
    (None, False, "missing", NA, NA, NA),
    (float("nan"), False, "missing", NA, NA, NA),
]


def _records(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [
        tuple(None if (not isinstance(v, bool) and pd.isna(v)) else v for v in row)
        for row in frame[COLUMNS].itertuples(index=False)
    ]


@pytest.mark.parametrize("method", ["fast", "reference"])
def test_reference_cases(method: str) -> None:
    got = _records(check_email([c[0] for c in CASES], method=method))
    for case, row in zip(CASES, got, strict=True):
        assert row == case[1:], case[0]


def test_email_validator_rejects_full_width_at() -> None:
    """Why NFKC comes first: the library rejects the full-width at-sign as such."""
    with pytest.raises(EmailSyntaxError, match="full-width"):
        validate_email("zhangsan＠163.com", check_deliverability=False)


def test_no_dns_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import email_validator.deliverability as deliverability

    def boom(*args: object, **kwargs: object) -> dict[str, object]:
        raise AssertionError("DNS was queried")

    monkeypatch.setattr(deliverability, "validate_email_deliverability", boom)
    for method in ("fast", "reference"):
        assert check_email(["a@qq.com", "b@example.org"], method=method)["valid"].all()


@pytest.mark.parametrize("method", ["fast", "reference"])
def test_deliverability_when_asked(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    import email_validator.deliverability as deliverability

    asked: list[str] = []

    def fake(domain: str, *args: object, **kwargs: object) -> dict[str, object]:
        asked.append(domain)
        if domain == "no-mx.example.com":
            raise EmailUndeliverableError("The domain name no-mx.example.com does not exist.")
        return {"mx": [(10, "mx." + domain)], "mx_fallback_type": None}

    monkeypatch.setattr(deliverability, "validate_email_deliverability", fake)
    out = check_email(["a@qq.com", "b@no-mx.example.com", "c@qq.con", "d@@x", "a@qq.com"],
                      check_deliverability=True, method=method)
    assert out["reason"].tolist() == ["", "undeliverable", "typo_domain", "bad_domain", ""]
    # typo and syntax failures are never looked up; repeated addresses once
    assert sorted(asked) == ["no-mx.example.com", "qq.com"]


# ----------------------------------------------------------------- fast == reference

_ATEXT_CHARS = "abcXYZ019_!#$%&'*+-/=?^`{|}~"
_LOCALS = ["zhangsan", "Zhang.San", "a", "a.b", "info", "Info", "SALES", "x+y", "o'neil",
           "张三", "ü", "1234567", "a" * 70, "postmaster", '"quoted"', '"a b"', '"a\\"b"']
_DOMAINS = ["qq.com", "QQ.COM", "163.com", "126.con", "qq.con", "gmial.com", "vip.qq.con",
            "example.local", "a.test", "x.invalid", "localhost", "b.onion", "c.arpa",
            "例子.中国", "xn--fsqu00a.xn--fiqs8s", "xn--abc.com", "ab--cd.com", "a--b.com",
            "münchen.de", "ＱＱ．ＣＯＭ", "sub.domain.co.uk", "a.1", "a.b1", "123.com",
            "[1.2.3.4]", "[IPv6:::1]", "x" * 64 + ".com", ("a" * 60 + ".") * 4 + "com",
            "qq。com", "a_b.com", "b.c-m"]
_NOISE = [*".-_@ aZ9\"<>()[]\\,;:\t", "é", "中", "\u200b", "\u0301", "ａ", "＠", "。", "😀",
          "\x00", "..", "@@"]


@st.composite
def email_texts(draw: st.DrawFn) -> str:
    """Valid-looking addresses (ASCII, IDN, quoted, special-use …), then mutated."""
    local = draw(st.one_of(st.sampled_from(_LOCALS),
                           st.text(_ATEXT_CHARS + ".", min_size=1, max_size=12)))
    domain = draw(st.one_of(
        st.sampled_from(_DOMAINS),
        st.lists(st.text("abz09-", min_size=1, max_size=8), min_size=1, max_size=4).map(
            ".".join),
    ))
    text = local + draw(st.sampled_from(["@", "@", "@", "＠", "", "@@", " @ "])) + domain
    ops = st.tuples(st.integers(0, 5), st.integers(0, 80))
    for op, pos in draw(st.lists(ops, max_size=3)):
        i = min(pos, len(text))
        if op == 0:
            text = text[:i] + text[i + 1:]
        elif op == 1:
            text = text[:i] + draw(st.sampled_from(_NOISE)) + text[i:]
        elif op == 2:
            text = text.upper()
        elif op == 3:
            text = " " + text + "  "
        elif op == 4:
            text = text[:i] + "." + text[i:]
        else:
            text += draw(st.sampled_from([".", "..", "-", ".com", ".cn", "。"]))
    return text


def _assert_same(values: list[object]) -> None:
    reference = check_email(values, method="reference")
    pd.testing.assert_frame_equal(check_email(values, method="fast"), reference)
    # the same values in a pyarrow string column (encoded without Python strings)
    pd.testing.assert_frame_equal(check_email(pd.Series(values, dtype="str")), reference)


@settings(max_examples=120, derandomize=True, deadline=None)
@given(st.lists(email_texts(), min_size=1, max_size=60))
def test_fast_equals_reference_property(values: list[str]) -> None:
    _assert_same(values)


def test_fast_equals_reference_bulk() -> None:
    """Eight thousand mutated addresses in one call (seeded numpy generator)."""
    rng = np.random.default_rng(11)
    values: list[object] = []
    for _ in range(8000):
        text = str(rng.choice(_LOCALS)) + str(rng.choice(["@", "@", "@", "＠", "", "@@"]))
        text += str(rng.choice(_DOMAINS))
        for _ in range(int(rng.integers(0, 3))):
            i = int(rng.integers(0, len(text) + 1))
            if rng.random() < 0.6:
                text = text[:i] + str(rng.choice(_NOISE)) + text[i:]
            else:
                text = text[:i] + text[i + 1:]
        values.append(text)
    _assert_same(values)


# ----------------------------------------------------------------- robustness

_ANY_VALUE = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.text(st.characters(categories=["Cc", "Cf", "So", "Zs", "Mn"]), max_size=20),
    st.text(st.characters(categories=["Cs", "Co"]), max_size=5),  # lone surrogates
    st.builds(lambda s, k: s * k, st.text(min_size=1, max_size=3), st.integers(2000, 5000)),
    st.builds(lambda k: "a" * k + "@qq.com", st.integers(1, 10_000)),
    email_texts(),
)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.lists(_ANY_VALUE, max_size=12), st.sampled_from(["fast", "reference"]))
def test_never_raises_and_keeps_index(values: list[object], method: str) -> None:
    index = pd.Index([f"row{i}" for i in range(len(values))][::-1])
    out = check_email(pd.Series(values, index=index, dtype=object), method=method)
    assert out.index.equals(index)
    assert len(out) == len(values)
    assert out["valid"].dtype == bool
    assert set(out["reason"]) <= set(REASONS) | {""}
    assert (out["valid"] == (out["reason"] == "")).all()


def test_empty_and_options() -> None:
    out = check_email([])
    assert list(out.columns) == email_module.OUTPUT_COLUMNS and len(out) == 0
    with pytest.raises(ValueError, match=r"method \('slow'\) must be one of 'fast', 'reference'"):
        check_email(["a@qq.com"], method="slow")  # type: ignore[arg-type]


# ----------------------------------------------------------------- data and docs


def _typo_rows() -> list[dict[str, str]]:
    path = Path(email_module.__file__).parent.parent / "data" / "email_typos.csv"
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def test_typo_table() -> None:
    rows = _typo_rows()
    typos = [r["typo"] for r in rows]
    correct = {r["correct"] for r in rows}
    assert len(typos) == len(set(typos)) and not set(typos) & correct
    assert all(r["rationale"] for r in rows)
    # every typo is a syntactically valid address (else email-validator already
    # rejects it and the row would be dead) and every suggestion is valid
    out = check_email([f"u@{t}" for t in typos])
    assert (out["reason"] == "typo_domain").all()
    assert out["suggestion"].tolist() == [f"u@{r['correct']}" for r in rows]
    assert check_email(out["suggestion"])["valid"].all()


def test_message_mapping_covers_email_validator_messages() -> None:
    """Each code's pattern matches a message email-validator 2.4.0 really raises."""
    examples = {
        "no_at": "An email address must have an @-sign.",
        "bad_local_part": "There must be something before the @-sign.",
        "consecutive_dots": "An email address cannot have two periods in a row.",
        "quoted_local_part": "Quoting the part before the @-sign is not allowed here.",
        "display_name": "A display name and angle brackets around the email address are "
                        "not permitted here.",
        "domain_literal": "A bracketed IP address after the @-sign is not allowed here.",
        "bad_domain": "The part after the @-sign is not valid. It should have a period.",
        "special_use_domain": "The part after the @-sign is a special-use or reserved name "
                              "that cannot be used with email.",
        "unsafe_characters": "The email address contains unsafe characters: ZERO WIDTH SPACE.",
        "too_long": "The email address is too long (1 character too many).",
    }
    for code, message in examples.items():
        assert email_module._reason_code(message) == code
        assert email_module._reason_code("After Unicode normalization: " + message) == code
    assert email_module._reason_code("Something new.") == "syntax"
    assert email_validator.__version__


def test_reasons_documented() -> None:
    doc = DOCS.read_text(encoding="utf-8")
    for code, (zh, en) in REASONS.items():
        assert zh and en
        assert f"`{code}`" in doc, code
