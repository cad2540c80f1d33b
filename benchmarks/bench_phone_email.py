"""Throughput of check_phone / check_email (fast path) against plain per-row loops.

Generates ``--n`` realistic registry values of each kind (default 1,000,000): phone
numbers and emails in the formats filings use, with defects, and repeated the way a
registry repeats them (one sponsor files several websites, rings of fake filings
share one mobile). Then it times, on the same values,

* ``library loop``: one ``phonenumbers.parse`` + ``is_valid_number`` + ``number_type``
  (or one ``email_validator.validate_email``) per row, nothing else — what the
  libraries cost on their own;
* ``reference loop``: the package's plain per-row check (the same normaliser and
  reason rules as ``check_phone`` / ``check_email``, calling the library for every
  row, no deduplication);
* ``fast``: ``check_phone(values)`` / ``check_email(values)``.

It asserts that the fast path gives the same verdict columns as the reference loop on
every row, and prints records/s and the speed-ups (from CPU time, so that other jobs
on a shared machine do not distort them; wall time is printed too). Run::

    python benchmarks/bench_phone_email.py [--n 1000000] [--seed 0]

The generator here is deliberately simple and self-contained (the synthetic-registry
module is a separate piece of work); its mix is an assumption, printed with the
results.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from beian_audit.checks import email as email_mod
from beian_audit.checks import phone as phone_mod
from beian_audit.checks.email import check_email
from beian_audit.checks.phone import check_phone

MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 "
    "170 171 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()
AREA_CODES = ("10", "20", "21", "22", "23", "24", "25", "27", "28", "29", "311", "371",
              "431", "451", "471", "512", "531", "532", "551", "571", "574", "591", "592",
              "731", "755", "757", "769", "771", "851", "871", "898", "931", "991")
FREE_MAIL = ("qq.com", "qq.com", "qq.com", "qq.com", "163.com", "163.com", "126.com",
             "foxmail.com", "sina.com", "sohu.com", "gmail.com", "hotmail.com",
             "outlook.com", "aliyun.com", "139.com", "yeah.net")
WORDS = ("tech", "net", "data", "cloud", "soft", "info", "shop", "web", "china", "jiaoyu",
         "keji", "xinxi", "wangluo", "media", "design", "trade", "hz", "sz", "bj", "sh")
TLDS = (".com",) * 8 + (".cn",) * 6 + (".com.cn", ".com.cn", ".net", ".net", ".org", ".cc", ".top",
        ".中国")


def _digits(rng: np.random.Generator, k: int) -> str:
    return "".join(map(str, rng.integers(0, 10, k)))


def _phone(rng: np.random.Generator) -> object:
    """One person's phone as written in a filing (about 10 % defective)."""
    r = rng.random()
    if r < 0.62:  # mobile
        number = rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)
        f = rng.random()
        if f < 0.70:
            return number
        if f < 0.80:
            return f"{number[:3]} {number[3:7]} {number[7:]}"
        if f < 0.86:
            return f"{number[:3]}-{number[3:7]}-{number[7:]}"
        if f < 0.93:
            return rng.choice(["+86 ", "+86", "86", "0086 ", "+86-"]) + number
        if f < 0.95:
            return number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
        return int(number)  # read from Excel as a number
    if r < 0.88:  # fixed line
        area = str(rng.choice(AREA_CODES))
        local = str(rng.integers(2, 9)) + _digits(rng, 7)
        f = rng.random()
        if f < 0.45:
            return f"0{area}-{local}"
        if f < 0.60:
            return f"0{area}{local}"
        if f < 0.70:
            return f"(0{area}){local}"
        if f < 0.78:
            return f"0{area} {local[:4]} {local[4:]}"
        if f < 0.84:
            return f"+86-{area}-{local}"
        if f < 0.92:
            return f"0{area}-{local}-{rng.integers(1, 9999)}"
        return f"0{area}-{local}" + rng.choice(["转", "分机", " ext ", "-转"]) + str(
            rng.integers(1, 999))
    if r < 0.90:  # 400 / 800
        return rng.choice(["400", "800"]) + "-" + _digits(rng, 3) + "-" + _digits(rng, 4)
    # defects
    d = rng.random()
    if d < 0.15:
        return rng.choice([None, "", " ", "无", "-", "/"])
    if d < 0.30:
        return rng.choice(["13800000000", "13888888888", "13912345678", "12345678",
                           "00000000", "11111111111", "13800138000"])
    if d < 0.45:
        number = rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)
        return number[:-1] if rng.random() < 0.5 else number + _digits(rng, 1)
    if d < 0.55:
        return str(rng.integers(2, 9)) + _digits(rng, 7)  # local number without area code
    if d < 0.65:
        number = rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)
        i = int(rng.integers(1, 10))
        return number[:i] + rng.choice(["l", "o", "O", "、", "a"]) + number[i + 1:]
    if d < 0.72:
        return rng.choice(["95588", "10086", "10010", "12345", "110", "95533"])
    if d < 0.80:
        return rng.choice(["+852 2123 4567", "+1 650 253 0000", "+44 20 7946 0958",
                           "+886 2 2345 6789"])
    if d < 0.90:
        a = rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)
        b = rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)
        return a + rng.choice(["/", "，", " ", ";"]) + b
    return "手机：" + rng.choice(MOBILE_PREFIXES) + _digits(rng, 8)


def _email(rng: np.random.Generator) -> object:
    """One person's email as written in a filing (about 8 % defective)."""
    r = rng.random()
    if r < 0.50:
        local = str(rng.integers(10_000, 9_999_999_999))
        domain = "qq.com" if rng.random() < 0.85 else "foxmail.com"
    elif r < 0.75:
        local = rng.choice(["zhang", "li", "wang", "liu", "chen", "yang", "zhao", "huang"])
        local += rng.choice(["", ".", "_"]) + rng.choice(["san", "si", "wei", "fang", "jun"])
        local += str(rng.integers(0, 2000)) if rng.random() < 0.6 else ""
        domain = str(rng.choice(FREE_MAIL))
    else:
        local = str(rng.choice(["admin", "info", "service", "contact", "webmaster", "hr",
                                "Sales", "support", "kefu", "market"]))
        domain = "".join(rng.choice(WORDS, int(rng.integers(1, 3)))) + str(rng.choice(TLDS))
    address = f"{local}@{domain}"
    d = rng.random()
    if d < 0.92:
        return address if rng.random() < 0.97 else address.upper()
    d = rng.random()
    if d < 0.15:
        return rng.choice([None, "", "无", "-"])
    if d < 0.35:  # typo domain
        return local + "@" + rng.choice(["qq.con", "163.cm", "126.con", "gmial.com",
                                          "hotmial.com", "sina.con", "qq.co", "qq.cm"])
    if d < 0.50:
        return address.replace("@", rng.choice(["＠", "", "@@", " @ ", "#"]))
    if d < 0.60:
        return address + rng.choice([".", " ", "。", ","])
    if d < 0.70:
        return address.replace(".", "..", 1)
    if d < 0.80:
        return "张三" + address
    if d < 0.90:
        return address.replace("@", "@.", 1)
    return local


def registry_values(n: int, make: Callable[[np.random.Generator], object],
                    rng: np.random.Generator) -> list[object]:
    """``n`` values from ``0.6 n`` people: each once, the other ``0.4 n`` rows repeats.

    Repeats follow a heavy tail (weight of the k-th person ~ 1 / (k + 20)^0.9): most
    people file once or twice, a few numbers recur hundreds of times (shared agency
    contacts, rings of fake filings).
    """
    pool = [make(rng) for _ in range(max(1, int(0.6 * n)))]
    weights = 1.0 / (np.arange(len(pool)) + 20.0) ** 0.9
    repeats = rng.choice(len(pool), size=n - len(pool), p=weights / weights.sum())
    idx = rng.permutation(np.concatenate([np.arange(len(pool)), repeats]))
    return [pool[i] for i in idx]


def _library_loop_phone(values: list[object]) -> None:
    import phonenumbers

    for v in values:
        if v is None:
            continue
        try:
            number = phonenumbers.parse(str(v), "CN")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            phonenumbers.number_type(number)


def _library_loop_email(values: list[object]) -> None:
    from email_validator import EmailNotValidError, validate_email

    for v in values:
        if v is None:
            continue
        try:
            validate_email(str(v), check_deliverability=False)
        except EmailNotValidError:
            pass


def _reference_loop(values: list[object], one: Callable[[str], dict[str, Any]],
                    missing: dict[str, Any]) -> pd.DataFrame:
    """The plain per-row check: same rules, the library called on every row."""
    from beian_audit.checks._common import as_text

    text = as_text(values).tolist()
    return pd.DataFrame.from_records([missing if v is None else one(v) for v in text])


def _timed(label: str, n: int, func: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``func`` once; print wall and CPU time; return the CPU seconds and the result.

    Speed-ups are computed from CPU time (``time.process_time``, all threads of this
    process), which other jobs on a shared machine do not inflate; wall time is
    printed alongside.
    """
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label:<16} {cpu:8.2f} s CPU {n / cpu:12,.0f} records/s"
          f"   ({wall:.2f} s wall)")
    return cpu, result


def _same(fast: pd.DataFrame, reference: pd.DataFrame, columns: list[str]) -> None:
    for col in columns:
        a = fast[col].to_numpy(dtype=object)
        b = reference[col].to_numpy(dtype=object)
        a = np.where(pd.isna(a), None, a)
        b = np.where(pd.isna(b), None, b)
        differ = np.flatnonzero(a != b)
        assert len(differ) == 0, f"{col}: {len(differ)} rows differ, first at {differ[:5]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.n

    phones = registry_values(n, _phone, rng)
    emails = registry_values(n, _email, rng)
    for name, values in (("phone", phones), ("email", emails)):
        distinct = pd.Series([None if v is None else str(v) for v in values]).nunique()
        print(f"{name}: {n:,} values, {distinct:,} distinct ({distinct / n:.0%})")

    print("check_phone")
    t_lib, _ = _timed("library loop", n, lambda: _library_loop_phone(phones))
    missing = phone_mod._derive_one({**phone_mod._CORE_DEFAULT, "pre": "missing"}, "any")
    t_ref, ref = _timed("reference loop", n,
                        lambda: _reference_loop(phones, phone_mod._reference_one, missing))
    t_fast, fast = _timed("fast", n, lambda: check_phone(phones))
    _same(fast, ref, ["valid", "reason", "number_type", "e164", "extension"])
    print(f"  identical verdicts on all {n:,} rows; speed-up {t_ref / t_fast:.1f}x vs the "
          f"reference loop, {t_lib / t_fast:.1f}x vs the library loop")
    print("  reasons:", fast["reason"].replace("", "(valid)").value_counts().to_dict())

    print("check_email")
    t_lib, _ = _timed("library loop", n, lambda: _library_loop_email(emails))
    t_ref, ref = _timed("reference loop", n,
                        lambda: _reference_loop(emails, email_mod._reference_one,
                                                email_mod._MISSING))
    t_fast, fast = _timed("fast", n, lambda: check_email(emails))
    _same(fast, ref, ["valid", "reason", "normalised", "domain", "suggestion"])
    print(f"  identical verdicts on all {n:,} rows; speed-up {t_ref / t_fast:.1f}x vs the "
          f"reference loop, {t_lib / t_fast:.1f}x vs the library loop")
    print("  reasons:", fast["reason"].replace("", "(valid)").value_counts().to_dict())


if __name__ == "__main__":
    main()
