"""Email addresses: syntax with email-validator, common-provider typos, a reason per value.

:func:`check_email` runs ``email_validator.validate_email`` (offline: no DNS unless
``check_deliverability=True``) after Unicode NFKC normalisation and white-space
stripping — NFKC turns the full-width ``＠`` and full-width letters that Chinese
input methods produce into ASCII, which email-validator would otherwise reject or
keep. The library's error messages are mapped to stable reason codes
(:data:`REASONS`); a syntactically valid address whose domain is a known misspelling
of a common mail provider (``qq.con``, ``163.cm``, ``gmial.com``; the list ships as
``data/email_typos.csv`` with the rule behind each row) is reported as
``typo_domain`` with the corrected address in ``suggestion``.

``method="fast"`` (the default) accepts the plain ASCII addresses that email-validator
certainly accepts — a dot-atom local part of the library's own ``ATEXT`` characters,
a host name of letter-digit-hyphen labels ending in a letter, no ``--`` (so no
Punycode), no special-use domain, at most 254 characters — with vectorised
regular expressions over the distinct values, and rejects ASCII text without any
``@``, ``<`` or ``"`` as ``no_at``; everything else goes to email-validator itself.
``method="reference"`` calls email-validator for every distinct value. Both give the
same result on every input (property tests in the test suite).

Examples
--------
>>> check_email(["Zhang.San@QQ.com", "zhangsan＠163.com", "lisi@qq.con", "a..b@126.com",
...              "wangwu@example.local", None])
   valid              reason         normalised     domain     suggestion
0   True                       Zhang.San@qq.com     qq.com            NaN
1   True                      zhangsan@163.com    163.com            NaN
2  False         typo_domain         lisi@qq.con     qq.con    lisi@qq.com
3  False    consecutive_dots                NaN        NaN            NaN
4  False  special_use_domain                NaN        NaN            NaN
5  False             missing                NaN        NaN            NaN
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Literal

import email_validator
import numpy as np
import pandas as pd
from email_validator import EmailSyntaxError, EmailUndeliverableError, validate_email
from email_validator.rfc_constants import (
    ATEXT,
    CASE_INSENSITIVE_MAILBOX_NAMES,
    EMAIL_MAX_LENGTH,
)

from beian_audit._options import check_choice
from beian_audit.checks._common import (
    _assemble,
    _checker_frame,
    _distinct_text,
    as_text,
    check_bool,
    checker_values,
    map_distinct,
    nfkc_strip,
    nfkc_strip_all,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["REASONS", "check_email"]

Method = Literal["fast", "reference"]

#: Reason codes: code -> (Chinese message, English message). ``""`` means valid.
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("邮箱为空", "missing value"),
    "no_at": ("缺少 @ 符号", "no @-sign"),
    "bad_local_part": ("@ 前面的部分不合规", "invalid part before the @-sign"),
    "consecutive_dots": ("有两个连续的句点", "two periods in a row"),
    "quoted_local_part": (
        "@ 前的部分带引号（不接受）", "quoted part before the @-sign (not accepted)"
    ),
    "display_name": ("带有显示名称或尖括号", "display name or angle brackets around the address"),
    "domain_literal": ("@ 后是方括号括起的 IP 地址", "bracketed IP address after the @-sign"),
    "bad_domain": ("@ 后面的域名不合规", "invalid domain after the @-sign"),
    "special_use_domain": (
        "保留或特殊用途域名（.local、.test、.invalid 等）",
        "special-use or reserved domain (.local, .test, .invalid …)",
    ),
    "unsafe_characters": (
        "含有不安全字符（控制字符、不可见字符等）",
        "unsafe characters (control, invisible, line-break …)",
    ),
    "too_long": ("邮箱地址过长", "address too long"),
    "syntax": ("其他语法错误", "other syntax error"),
    "typo_domain": (
        "常见邮箱域名拼写错误（如 qq.con），见建议地址",
        "misspelt common mail domain (qq.con …), see suggestion",
    ),
    "undeliverable": ("域名无法收信（DNS 检查）", "the domain cannot receive mail (DNS check)"),
}

OUTPUT_COLUMNS = ["valid", "reason", "normalised", "domain", "suggestion"]
_TEXT_COLUMNS = OUTPUT_COLUMNS[1:]
_METHODS = ("fast", "reference")

#: email-validator message -> reason code; the first pattern that matches wins.
#: Messages from "After Unicode normalization: …" are matched on their inner part.
_MESSAGE_CODES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), code)
    for pattern, code in (
        (r"special-use or reserved name", "special_use_domain"),
        (r"is too long", "too_long"),
        (r"must have an @-sign|at-sign|commercial at", "no_at"),
        (r"two periods in a row", "consecutive_dots"),
        (r"Quoting the part before the @-sign", "quoted_local_part"),
        (r"display name|angle bracket|anything after the email address", "display_name"),
        (r"in brackets|bracketed", "domain_literal"),
        (r"unsafe characters", "unsafe_characters"),
        (r"before the @-sign|cannot start with a|close quote", "bad_local_part"),
        (r"after the @-sign|cannot end with a|period and a hyphen|two dashes", "bad_domain"),
    )
)
_NORMALIZATION_PREFIX = "After Unicode normalization: "

_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#: The fast-accept shape: ``ATEXT`` dot-atom, ``@``, two or more host-name labels, the
#: last ending in a letter. Also required: no ``--``, length <= EMAIL_MAX_LENGTH and
#: no special-use domain.
FAST_ACCEPT_PATTERN = rf"^[{ATEXT}]+(?:\.[{ATEXT}]+)*@(?:{_LABEL}\.)+{_LABEL}$"
_ENDS_WITH_LETTER = "[A-Za-z]$"
_FAST_REJECT_NO_AT = '[@<"]'


def _special_use_pattern() -> str:
    names = "|".join(re.escape(d) for d in email_validator.SPECIAL_USE_DOMAIN_NAMES)
    return rf"(?:^|\.)(?:{names})$"


@functools.cache
def _typos() -> dict[str, str]:
    """Typo domain -> intended domain, from ``data/email_typos.csv``."""
    text = files("beian_audit").joinpath("data", "email_typos.csv").read_text(encoding="utf-8")
    lines = (line for line in io.StringIO(text) if not line.startswith("#"))
    return {row["typo"]: row["correct"] for row in csv.DictReader(lines)}


def _suggestion(normalised: str, domain: str) -> str | None:
    """The corrected address when ``domain`` is, or ends with, a known typo domain."""
    table = _typos()
    suffix = domain
    while True:
        if suffix in table:
            local = normalised.rsplit("@", 1)[0]
            return f"{local}@{domain[: len(domain) - len(suffix)]}{table[suffix]}"
        dot = suffix.find(".")
        if dot < 0:
            return None
        suffix = suffix[dot + 1:]


def _reason_code(message: str) -> str:
    if message.startswith(_NORMALIZATION_PREFIX):
        message = message[len(_NORMALIZATION_PREFIX):]
    for pattern, code in _MESSAGE_CODES:
        if pattern.search(message):
            return code
    return "syntax"


_MISSING = {"valid": False, "reason": "missing", "normalised": None, "domain": None,
            "suggestion": None}


def _syntax_one(text: str) -> dict[str, Any]:
    """email-validator's verdict on one normalised string, with a typo check."""
    if not text:
        return dict(_MISSING)
    try:
        info = validate_email(text, check_deliverability=False)
    except EmailSyntaxError as exc:
        return {"valid": False, "reason": _reason_code(str(exc)), "normalised": None,
                "domain": None, "suggestion": None}
    suggestion = _suggestion(info.normalized, info.domain)
    return {
        "valid": suggestion is None,
        "reason": "" if suggestion is None else "typo_domain",
        "normalised": info.normalized,
        "domain": info.domain,
        "suggestion": suggestion,
    }


def _deliverable(text: str, resolver: Any) -> bool:
    """DNS check of an address whose syntax is already known to be valid."""
    try:
        validate_email(text, check_deliverability=True, dns_resolver=resolver)
    except EmailUndeliverableError:
        return False
    return True


def _reference_one(raw: str, resolver: Any = None) -> dict[str, Any]:
    """The whole check of one raw string with plain email-validator calls."""
    text = nfkc_strip(raw)
    row = _syntax_one(text)
    if resolver is not None and row["valid"] and not _deliverable(text, resolver):
        row = {**row, "valid": False, "reason": "undeliverable"}
    return row


def _np(array: pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False))


def _fast_syntax(texts: list[str]) -> dict[str, np.ndarray]:
    """Same as ``[_syntax_one(t) for t in texts]``, vectorised where certain."""
    import pyarrow as pa
    import pyarrow.compute as pc

    m = len(texts)
    out: dict[str, np.ndarray] = {
        "valid": np.zeros(m, dtype=bool),
        "reason": np.full(m, "", dtype=object),
        "normalised": np.full(m, None, dtype=object),
        "domain": np.full(m, None, dtype=object),
        "suggestion": np.full(m, None, dtype=object),
    }
    if m == 0:
        return out
    array = pa.array(texts, type=pa.string())
    length = _np(pc.utf8_length(array))
    ascii_text = _np(pc.string_is_ascii(array))
    accept = (
        ascii_text
        & _np(pc.match_substring_regex(array, FAST_ACCEPT_PATTERN))
        & _np(pc.match_substring_regex(array, _ENDS_WITH_LETTER))
        & ~_np(pc.match_substring(array, "--"))
        & (length <= EMAIL_MAX_LENGTH)
    )
    idx = np.flatnonzero(accept)
    if len(idx):
        parts = pc.split_pattern(array.take(idx), "@")
        local = pc.list_element(parts, 0)
        domain = pc.ascii_lower(pc.list_element(parts, 1))
        special = _np(pc.match_substring_regex(domain, _special_use_pattern()))
        mailbox = _np(pc.is_in(pc.ascii_lower(local),
                               value_set=pa.array(CASE_INSENSITIVE_MAILBOX_NAMES)))
        local = pc.if_else(pa.array(mailbox), pc.ascii_lower(local), local)
        normalised = _np(pc.binary_join_element_wise(local, domain, "@"))
        domains = _np(domain)
        keep = ~special
        idx, normalised, domains = idx[keep], normalised[keep], domains[keep]
        accept[:] = False
        accept[idx] = True
        suggestion = [_suggestion(n, d) for n, d in zip(normalised, domains, strict=True)]
        typo = np.array([s is not None for s in suggestion], dtype=bool)
        out["valid"][idx] = ~typo
        out["reason"][idx] = np.where(typo, "typo_domain", "")
        out["normalised"][idx] = normalised
        out["domain"][idx] = domains
        out["suggestion"][idx] = np.asarray(suggestion, dtype=object)
    no_at = (
        ~accept & ascii_text & (length > 0)
        & ~_np(pc.match_substring_regex(array, _FAST_REJECT_NO_AT))
    )
    out["reason"][no_at] = "no_at"
    out["reason"][length == 0] = "missing"
    for i in np.flatnonzero(~accept & ~no_at & (length > 0)):
        row = _syntax_one(texts[i])
        for key, column in out.items():
            column[i] = row[key]
    return out



def check_email(
    values: Iterable[object] | pd.Series,
    *,
    check_deliverability: bool = False,
    method: Method = "fast",
) -> pd.DataFrame:
    """Validate email addresses and give a reason code for each failure.

    Parameters
    ----------
    values : list, array or Series
        Raw values; ``None`` / NaN are ``missing``, numbers are read as text.
    check_deliverability : bool, default False
        Also ask DNS whether each syntactically valid domain accepts mail
        (email-validator's deliverability check, once per distinct address through
        a caching resolver). Off by default: the check never touches the network
        unless asked.
    method : {"fast", "reference"}, default "fast"
        ``"reference"`` calls ``email_validator.validate_email`` for every distinct
        value; ``"fast"`` settles plain ASCII addresses with vectorised patterns
        first and gives the same result.

    Returns
    -------
    DataFrame
        Same index and length as ``values``, columns ``valid`` (bool), ``reason``
        (code from :data:`REASONS`, ``""`` when valid), ``normalised``
        (email-validator's normalised address: domain lower-cased and, for IDN,
        in Unicode), ``domain``, and ``suggestion`` (the corrected address for a
        typo domain). Missing text is NaN.

    Raises
    ------
    ValueError
        If ``method`` is not one of the allowed values.

    Notes
    -----
    Before validation each value is NFKC-normalised and stripped of surrounding
    white space. Reasons come from email-validator's messages (first match in the
    table ``_MESSAGE_CODES``; ``syntax`` when none matches); ``typo_domain``
    applies to addresses email-validator accepts; ``undeliverable`` only with
    ``check_deliverability=True`` and only to addresses that pass both.

    Examples
    --------
    >>> r = check_email(["Info@Example.COM", "张三@例子.中国", "a.@163.com",
    ...                  "name@gmial.com", "13912345679"])
    >>> r[["valid", "reason", "normalised", "suggestion"]]
       valid          reason          normalised          suggestion
    0   True                  info@example.com                 NaN
    1   True                       张三@例子.中国                 NaN
    2  False  bad_local_part                 NaN                 NaN
    3  False     typo_domain      name@gmial.com      name@gmail.com
    4  False           no_at                 NaN                 NaN
    """
    values = checker_values(values)
    check_choice("method", method, _METHODS)
    check_deliverability = check_bool("check_deliverability", check_deliverability)
    resolver = email_validator.caching_resolver() if check_deliverability else None
    if method == "reference":
        out = map_distinct(as_text(values), lambda v: _reference_one(v, resolver), _MISSING,
                           columns=OUTPUT_COLUMNS)
        return _checker_frame(out, OUTPUT_COLUMNS, _TEXT_COLUMNS)
    index, codes, uniques = _distinct_text(values, always=True)
    texts = [*nfkc_strip_all(uniques), ""]  # last row: missing values
    table = _fast_syntax(texts)
    if resolver is not None:
        for i in np.flatnonzero(table["valid"]):
            if not _deliverable(texts[i], resolver):
                table["valid"][i] = False
                table["reason"][i] = "undeliverable"
    frame = _checker_frame(table, OUTPUT_COLUMNS, _TEXT_COLUMNS)
    return _assemble(codes, index, len(uniques), [(np.arange(len(frame)), frame)])
