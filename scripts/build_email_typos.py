"""Rebuild ``src/beian_audit/data/email_typos.csv``: misspelt mail domains -> the intended one.

``check_email`` flags an address whose domain is in this list as ``typo_domain``
(syntactically valid, but almost surely not what the filer meant) and suggests the
corrected address. The list is written by rule, not scraped, so that every row has
a stated reason and nothing else gets in:

* **providers**: the mail domains most seen in Chinese filings — the NetEase,
  Tencent, Sina, Sohu, Alibaba and China Mobile services, plus the international
  ones (Gmail, Hotmail / Outlook / Live, Yahoo, iCloud);
* subdomains need no rows of their own: ``check_email`` also matches a typo as a
  domain suffix (``vip.qq.con`` -> ``vip.qq.com``);
* **TLD slips** of ``.com`` (one key off, one letter missing, doubled or swapped):
  ``.con .cm .cpm .vom .xom .comm .coom .ocm .cmo .om`` — and of ``.net`` for
  ``yeah.net``: ``.ne .nte .met .nett``;
* **name slips** of the international providers: swapped, dropped or doubled
  letters (``gmial``, ``gmai``, ``hotmial``, ``outlok``, ``yahooo`` …).

Deliberately left out, because they are real mail or web domains in their own right
or too ambiguous to correct: other TLDs of the same name (``sina.cn``, ``163.net``,
``126.net``, ``qq.cn``, ``.co``), digit swaps (``136.com``, ``162.com``) and
anything with a missing dot (``qqcom``: email-validator already rejects it).

Rebuild command::

    .venv/bin/python scripts/build_email_typos.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "beian_audit" / "data" / "email_typos.csv"

COM_PROVIDERS = (
    "qq.com", "foxmail.com", "163.com", "126.com", "sina.com", "sohu.com", "aliyun.com",
    "139.com", "21cn.com",
    "gmail.com", "hotmail.com", "outlook.com", "live.com", "yahoo.com", "icloud.com",
)
NET_PROVIDERS = ("yeah.net",)

COM_SLIPS = {
    "con": "n for m (adjacent keys)",
    "cm": "o dropped",
    "cpm": "p for o (adjacent keys)",
    "vom": "v for c (adjacent keys)",
    "xom": "x for c (adjacent keys)",
    "comm": "m doubled",
    "coom": "o doubled",
    "ocm": "c and o swapped",
    "cmo": "o and m swapped",
    "om": "c dropped",
}
NET_SLIPS = {
    "ne": "t dropped",
    "nte": "e and t swapped",
    "met": "m for n (adjacent keys)",
    "nett": "t doubled",
}
NAME_SLIPS = {
    "gmail.com": ("gmial", "gmai", "gamil", "gmal", "gnail", "gmaill", "gmali", "gmil"),
    "hotmail.com": ("hotmial", "hotmai", "hotmal", "homail", "hotmaill", "hotmil", "hotamil",
                    "hotnail"),
    "outlook.com": ("outlok", "outlookk", "outloo", "oulook", "otlook", "outllok"),
    "yahoo.com": ("yaho", "yahooo", "yhoo", "yahho"),
    "foxmail.com": ("foxmial", "foxmai", "foxmal", "foxmaill", "fxmail"),
    "icloud.com": ("iclould", "icoud", "iclod"),
}


def build() -> list[dict[str, str]]:
    rows = []
    for correct in COM_PROVIDERS:
        stem = correct[: -len("com")]
        for tld, why in COM_SLIPS.items():
            rows.append({"typo": stem + tld, "correct": correct,
                         "rationale": f"TLD slip .{tld} for .com: {why}"})
    for correct in NET_PROVIDERS:
        stem = correct[: -len("net")]
        for tld, why in NET_SLIPS.items():
            rows.append({"typo": stem + tld, "correct": correct,
                         "rationale": f"TLD slip .{tld} for .net: {why}"})
    for correct, slips in NAME_SLIPS.items():
        name = correct.split(".")[0]
        for slip in slips:
            rows.append({"typo": slip + ".com", "correct": correct,
                         "rationale": f"name slip {slip} for {name}"})
    typos = [r["typo"] for r in rows]
    assert len(typos) == len(set(typos)), "duplicate typo"
    assert not set(typos) & set(COM_PROVIDERS + NET_PROVIDERS), "a typo is a provider"
    return sorted(rows, key=lambda r: (r["correct"], r["typo"]))


def main() -> None:
    buf = io.StringIO()
    buf.write("# Misspelt mail domains -> intended domain, written by rule by "
              "scripts/build_email_typos.py (see its docstring for the rules and exclusions)\n")
    writer = csv.DictWriter(buf, fieldnames=["typo", "correct", "rationale"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(build())
    OUT.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {len(build())} typo domains to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
