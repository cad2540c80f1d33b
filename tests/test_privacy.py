"""Masking of personal data (beian_audit.privacy)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from beian_audit.privacy import mask_frame, mask_series, mask_value

KINDS = ["name", "id", "phone", "email", "address", "ip"]


@given(st.text(min_size=4, max_size=60), st.sampled_from(KINDS))
def test_masked_value_never_shows_the_whole_value(text: str, kind: str) -> None:
    masked = mask_value(text, kind)  # type: ignore[arg-type]
    assert isinstance(masked, str)
    assert masked != text or set(text) <= {"*"}
    # at most 10 characters of the original survive for any kind
    shown = sum(1 for a, b in zip(masked, text, strict=False) if a == b and a != "*")
    assert shown <= 10 or kind in {"email"}


@given(st.from_regex(r"[a-z0-9._]{1,20}@[a-z0-9]{1,10}\.(com|cn)", fullmatch=True))
def test_email_keeps_only_first_letter_and_domain(email: str) -> None:
    local, _, domain = email.partition("@")
    masked = mask_value(email, "email")
    assert masked == local[:1] + "***@" + domain


def test_missing_values_pass_through() -> None:
    s = pd.Series(["13812345678", None], dtype="string")
    out = mask_series(s, "phone")
    assert out.isna().tolist() == [False, True]
    assert mask_value(float("nan"), "id") != mask_value(float("nan"), "id")  # NaN stays NaN


def test_reveal_returns_raw() -> None:
    df = pd.DataFrame({"sponsor_principal_email": ["a@b.cn"]})
    assert mask_frame(df, reveal=True) is df
    assert mask_frame(df).iloc[0, 0] == "a***@b.cn"


def test_bad_kind() -> None:
    with pytest.raises(ValueError, match=r"kind \('nope'\) must be one of"):
        mask_value("x", "nope")  # type: ignore[arg-type]
