"""Arguments the ledger records: who acts, which month, which province."""

from __future__ import annotations

import getpass

import pandas as pd

from beian_audit._provinces import province_codes
from beian_audit.errors import ArgumentError
from beian_audit.privacy import scrub_text


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user name on this system
        return None


def _who(actor: str | None) -> str | None:
    name = actor if actor is not None else _user()
    return None if name is None else scrub_text(str(name))[:100]


def _province(value: object) -> str:
    code = province_codes(pd.Series([value], dtype=object)).iloc[0]
    if code is None:
        raise ArgumentError(
            f"province ({value!r}) must be a province name, short name, ICP prefix or "
            "GB/T 2260 code, e.g. 广东省, 广东, 粤 or 440000"
        )
    return str(code)


def _month(value: object) -> str:
    from beian_audit.spotcheck import check_month

    return check_month(value)  # type: ignore[arg-type]
