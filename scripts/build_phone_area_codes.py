"""Rebuild ``src/beian_audit/data/phone_area_codes.csv``: fixed-line area code -> province.

Source: the installed ``phonenumbers`` package (Apache-2.0), never the network.

* which digit strings are mainland area codes (长途区号), and how long each is, comes
  from phonenumbers' CN metadata: every 2-digit (``10``, ``2x``) and 3-digit
  (``300``-``999``) prefix is tried with a range of local numbers; a prefix is kept
  when at least one number under it is a valid ``FIXED_LINE`` whose
  ``length_of_geographical_area_code`` is exactly the prefix length;
* the place comes from ``phonenumbers.geocoder.description_for_number(n, "zh")``
  (e.g. ``浙江省杭州市``), mapped to a GB/T 2260 province code by matching the start
  of the description against ``provinces.csv`` (full name or short form: ``广西南宁市``
  starts with ``广西``).

Every description found under one area code must name the same province, or the
build stops. A prefix whose descriptions name no province (phonenumbers only says
``中国``) is kept with an empty province code.

Rebuild command::

    .venv/bin/python scripts/build_phone_area_codes.py

The output is sorted and deterministic: the same phonenumbers version gives the same
bytes. ``check_phone`` reads it to fill ``area_code`` and ``province_code``; the test
suite checks the area codes against ``length_of_geographical_area_code``.
"""

from __future__ import annotations

import csv
import importlib.metadata as md
import io
import sys
from pathlib import Path

import phonenumbers
from phonenumbers import PhoneNumberType, geocoder

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "beian_audit" / "data" / "phone_area_codes.csv"
PROVINCES = ROOT / "src" / "beian_audit" / "data" / "provinces.csv"


def _provinces() -> list[tuple[str, str]]:
    """(name prefix, province code), longest names first."""
    with PROVINCES.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    names = [(r["province_zh"], r["gb2260_code"]) for r in rows]
    names += [(r["province_short_zh"], r["gb2260_code"]) for r in rows]
    return sorted(names, key=lambda item: -len(item[0]))


def _province_of(description: str, names: list[tuple[str, str]]) -> str:
    for name, code in names:
        if description.startswith(name):
            return code
    return ""


def _candidates(prefix: str) -> list[str]:
    """National significant numbers to try under one area-code prefix."""
    out = []
    for local_length in (7, 8):
        for first in "23456789":
            for fill in "0123456789":
                out.append(prefix + first + fill * (local_length - 1))
    return out


def build() -> list[dict[str, str]]:
    names = _provinces()
    prefixes = ["10"] + [f"2{d}" for d in range(10)]
    prefixes += [f"{a}{b:02d}" for a in range(3, 10) for b in range(100)]
    rows = []
    for prefix in prefixes:
        descriptions = set()
        for nsn in _candidates(prefix):
            number = phonenumbers.PhoneNumber(country_code=86, national_number=int(nsn))
            if (
                phonenumbers.is_valid_number(number)
                and phonenumbers.number_type(number) == PhoneNumberType.FIXED_LINE
                and phonenumbers.length_of_geographical_area_code(number) == len(prefix)
            ):
                descriptions.add(geocoder.description_for_number(number, "zh"))
        if not descriptions:
            continue
        provinces = {_province_of(d, names) for d in descriptions} - {""}
        if len(provinces) > 1:
            sys.exit(f"area code {prefix} maps to several provinces: {sorted(descriptions)}")
        description = min(descriptions, key=lambda d: (len(d), d))
        rows.append({
            "area_code": prefix,
            "province_code": provinces.pop() if provinces else "",
            "description_zh": description,
        })
    return rows


def main() -> None:
    rows = build()
    buf = io.StringIO()
    buf.write(
        "# Mainland fixed-line area codes -> GB/T 2260 province, built by "
        "scripts/build_phone_area_codes.py from phonenumbers "
        f"{md.version('phonenumbers')} (CN metadata + zh geocoder)\n"
    )
    writer = csv.DictWriter(buf, fieldnames=["area_code", "province_code", "description_zh"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    OUT.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {len(rows)} area codes to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
