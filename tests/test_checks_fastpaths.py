"""The vectorised fast paths give exactly the frames of the per-value reference paths.

Every checker with a ``method="fast"`` path (identity numbers, ICP numbers, domains,
filed IP lists, addresses, division matching) is compared with ``method="reference"``
with ``pandas.testing.assert_frame_equal`` -- every column, dtype and index -- on

* values taken from the bundled synthetic registry (the shapes a registry holds),
  mutated the way registries get them wrong: digit changes, insertions and deletions,
  separators, full-width forms, case, truncation, emoji, other scripts;
* arbitrary text, None / NaN, integers and floats, lone surrogates, 2 kB strings
  (the reference address rules take seconds on 10 kB of digits);
* both the object-dtype path (through ``as_text``) and the pyarrow string path.

The reference paths are the per-value rules whose own tests (``test_checks_*.py``)
carry the published reference cases, so agreement here carries those verdicts over.
Extra deterministic checks cover what random inputs rarely reach: every rule of the
bundled Public Suffix List, the IPv4 special-purpose ranges of :mod:`ipaddress`
(boundaries included), batch boundaries of the address scan and the row-by-row mode
for inputs whose values rarely repeat. Example counts are modest; the CI profile
(``tests/conftest.py``) derandomises Hypothesis.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import beian_audit as ba
from beian_audit.checks import _common, address, ip_lists, network
from beian_audit.checks.address import check_address, match_divisions
from beian_audit.checks.icp import check_icp_number
from beian_audit.checks.identity import check_credit_code, check_org_code, check_resident_id
from beian_audit.checks.network import IpRangeIndex, check_domain, parse_ip_list

AS_OF = date(2026, 1, 1)


@functools.cache
def registry() -> pd.DataFrame:
    return ba.load_synthetic_registry()


@functools.cache
def seeds(column: str) -> tuple[str, ...]:
    """Distinct values of a column of the bundled registry (the first 3000 rows)."""
    values = registry()[column].head(3000).dropna().astype(str).unique()
    return tuple(sorted(values))


# --------------------------------------------------------------------------- strategies

#: Characters a mutation may insert: digits, check letters, separators, full-width and
#: CJK forms that the normalisers treat specially, other scripts and emoji.
NOISE = (
    "0123456789Xx-. _/;,|~:@"
    "０１２３４５６７８９ＸＡ－．　"
    "号號省市区县路街栋室信箱中国ICPicp备证公网安。"
    "ABCDEFGHJKLMNPQRTUWXYZabcxyz"
    "é\u00a0\u200b\ufeff\u0301😀"
)


@st.composite
def mutated(draw: st.DrawFn, column: str | tuple[str, ...]) -> object:
    """A registry value with up to three random edits, or an arbitrary odd value."""
    columns = (column,) if isinstance(column, str) else column
    pool = [v for c in columns for v in seeds(c)]
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(
            st.one_of(
                st.none(),
                st.just(math.nan),
                st.integers(-(10**20), 10**20),
                st.floats(allow_nan=True, allow_infinity=True),
                st.text(max_size=30),
                st.just("😀" * 3),
                st.just("\ud800 lone surrogate"),
                st.just("1" * 2_000),
                st.just(""),
                st.just("   "),
            )
        )
    text = draw(st.sampled_from(pool))
    for _ in range(draw(st.integers(0 if kind > 4 else 1, 3))):
        op = draw(st.integers(0, 7))
        i = draw(st.integers(0, len(text)))
        if op == 0 and text:  # change a character to a digit
            i = min(i, len(text) - 1)
            text = text[:i] + str(draw(st.integers(0, 9))) + text[i + 1 :]
        elif op == 1:  # insert noise
            text = text[:i] + draw(st.sampled_from(NOISE)) + text[i:]
        elif op == 2 and text:  # delete
            i = min(i, len(text) - 1)
            text = text[:i] + text[i + 1 :]
        elif op == 3:  # full-width digits / letters
            text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
        elif op == 4:
            text = draw(st.sampled_from([text.lower(), text.upper(), text.swapcase()]))
        elif op == 5:  # truncate
            text = text[:i]
        elif op == 6:  # separators around or inside
            sep = draw(st.sampled_from([" ", "-", "  ", "\t", "\u3000", ";", ",", "/"]))
            text = sep + text if i % 2 else text[:i] + sep + text[i:]
        else:  # glue another registry value on
            text = text + draw(st.sampled_from(["", " ", ";", "号", "-"])) + draw(
                st.sampled_from(pool)
            )
    return text


def batches(column: str | tuple[str, ...]) -> st.SearchStrategy[list[object]]:
    return st.lists(mutated(column), min_size=1, max_size=15)


def as_string_series(values: list[object]) -> pd.Series:
    """The values that pandas' pyarrow string dtype can hold, as such a Series."""
    keep = [
        v if isinstance(v, str) else None
        for v in values
        if not (isinstance(v, str) and any("\ud800" <= c <= "\udfff" for c in v))
    ]
    return pd.Series(keep, dtype="str", index=[f"s{i}" for i in range(len(keep))])


def agree(func: Callable[..., pd.DataFrame], values: list[object], **kwargs: Any) -> None:
    """Fast and reference frames are identical, on object and on pyarrow string input."""
    for data in (
        pd.Series(values, dtype=object, index=[f"r{i}" for i in range(len(values))]),
        as_string_series(values),
    ):
        fast = func(data, method="fast", **kwargs)
        reference = func(data, method="reference", **kwargs)
        pd.testing.assert_frame_equal(fast, reference)


# --------------------------------------------------------------------------- properties

ID_COLUMNS = ("sponsor_principal_id_number", "website_principal_id_number", "sponsor_cert_number")


@settings(max_examples=40)
@given(batches(ID_COLUMNS), st.sampled_from(["reject", "accept"]))
def test_resident_id(values: list[object], first_generation: str) -> None:
    agree(check_resident_id, values, as_of=AS_OF, first_generation=first_generation)


@settings(max_examples=25)
@given(st.lists(st.from_regex(r"[0-9]{6}(18|19|20|99|00)[0-9]{2}[0-9]{4}[0-9]{3}[0-9Xx]",
                              fullmatch=True), min_size=1, max_size=20))
def test_resident_id_dates_and_checksums(values: list[object]) -> None:
    """All birth-date shapes (Feb 29, month 13, year 0018 ...) and check characters."""
    agree(check_resident_id, values, as_of=AS_OF)
    agree(check_resident_id, [v[:6] + v[8:17] for v in values], as_of=AS_OF)  # 15 digits


@settings(max_examples=40)
@given(batches("sponsor_cert_number"))
def test_credit_code(values: list[object]) -> None:
    agree(check_credit_code, values)


@settings(max_examples=25)
@given(st.lists(st.from_regex(r"[0-9A-HJ-NP-Za-hj-np-z]{18}", fullmatch=True), max_size=20))
def test_credit_code_any_alphabet(values: list[object]) -> None:
    """Every authority / type pair, region and check character, including invalid ones."""
    agree(check_credit_code, values)


@settings(max_examples=30)
@given(batches("sponsor_cert_number"))
def test_org_code(values: list[object]) -> None:
    org = [v[8:17] if isinstance(v, str) and len(v) == 18 else v for v in values]
    agree(check_org_code, org + values)


@settings(max_examples=40)
@given(batches(("sponsor_icp_number", "website_icp_number")))
def test_icp_number(values: list[object]) -> None:
    agree(check_icp_number, values, as_of=AS_OF)


@settings(max_examples=25)
@given(st.lists(st.from_regex(r"[京沪粤川蜀云滇甘陇贵黔X]?[Ii][Cc][Pp]备[0-9]{0,12}(-[0-9]{0,7}[Aa]?)?号?"
                              r"(-[0-9]{0,7}[Aa]?)?", fullmatch=True), max_size=20))
def test_icp_number_shapes(values: list[object]) -> None:
    agree(check_icp_number, values, as_of=AS_OF)


@settings(max_examples=40)
@given(batches(("domain", "home_url")))
def test_domain(values: list[object]) -> None:
    agree(check_domain, values)


LABEL = st.from_regex(r"[a-zA-Z0-9\-]{1,8}|xn--[a-z0-9]{1,6}|[例子数润网络中国公司]{1,3}",
                      fullmatch=True)


@settings(max_examples=30)
@given(st.lists(st.lists(LABEL, min_size=1, max_size=5).map(".".join), max_size=20))
def test_domain_label_shapes(values: list[object]) -> None:
    agree(check_domain, values)


@settings(max_examples=30)
@given(batches(("ip_addresses", "resolved_ip")))
def test_ip_list(values: list[object]) -> None:
    agree(parse_ip_list, values)


V4 = st.integers(0, 2**32 - 1).map(lambda i: str(ipaddress.IPv4Address(i)))


@settings(max_examples=25)
@given(st.lists(st.lists(V4, min_size=1, max_size=4).map(";".join), max_size=20))
def test_ip_list_any_address(values: list[object]) -> None:
    agree(parse_ip_list, values)


@settings(max_examples=30)
@given(batches(("sponsor_address", "sponsor_cert_address")))
def test_address(values: list[object]) -> None:
    agree(check_address, values)
    agree(match_divisions, values)


@settings(max_examples=20)
@given(batches("sponsor_address"), st.data())
def test_address_with_declared_province(values: list[object], data: st.DataObject) -> None:
    values = [v for v in values if not (isinstance(v, str) and "\ud800" in v)] or [None]
    provinces = [None, "浙江", "浙江省", "330000", "33", "xx", 11, "北京市", "江苏"]
    declared = data.draw(st.lists(st.sampled_from(provinces), min_size=len(values),
                                  max_size=len(values)))
    agree(check_address, values, declared_province=declared)
    agree(check_address, values, declared_province=data.draw(st.sampled_from(provinces[1:])))


@functools.cache
def division_names() -> tuple[str, ...]:
    names = address.load_divisions()["name"].tolist()
    return tuple(sorted(set(names)))


STREET = ["路", "街", "大道", "中路", "东路", "广场", "大厦", "市场", "场", "号", "1号", "88号",
          "5-2-301", "3栋", "已是最详细地址", "信箱", "门", "站", "中", "市"]


@settings(max_examples=30)
@given(st.lists(st.lists(st.one_of(st.sampled_from(division_names()), st.sampled_from(STREET)),
                         min_size=1, max_size=6).map("".join), min_size=1, max_size=20))
def test_address_name_chains(values: list[object]) -> None:
    """Chains of division names (full and historical) and street words, run together."""
    agree(check_address, values)
    agree(match_divisions, values)


# --------------------------------------------------------------------------- deterministic


def test_registry_columns_agree() -> None:
    """The first 1500 rows of every checked column of the bundled registry."""
    head = registry().head(1500)
    cases: list[tuple[Callable[..., pd.DataFrame], str, dict[str, Any]]] = [
        (check_resident_id, "sponsor_principal_id_number", {"as_of": AS_OF}),
        (check_resident_id, "sponsor_cert_number", {"as_of": AS_OF}),
        (check_credit_code, "sponsor_cert_number", {}),
        (check_org_code, "sponsor_cert_number", {}),
        (check_icp_number, "website_icp_number", {"as_of": AS_OF}),
        (check_icp_number, "sponsor_icp_number", {"as_of": AS_OF}),
        (check_domain, "domain", {}),
        (parse_ip_list, "ip_addresses", {}),
        (check_address, "sponsor_address", {}),
        (check_address, "sponsor_cert_address", {}),
    ]
    for func, column, kwargs in cases:
        fast = func(head[column], method="fast", **kwargs)
        reference = func(head[column], method="reference", **kwargs)
        pd.testing.assert_frame_equal(fast, reference)


def test_every_public_suffix_rule() -> None:
    """Hosts built on every wildcard and exception rule and on a spread of plain rules."""
    rules = sorted(network._psl()._publicsuffix)
    special = [r for r in rules if r[0] in "*!"]
    plain = [r for r in rules if r[0] not in "*!" and r.isascii()][::7]
    hosts = []
    for rule in special + plain:
        body = rule.lstrip("!")
        for prefix in ("", "a.", "b.a.", "www.", "city.", "x.city."):
            hosts.append(prefix + body.replace("*", "zz"))
            hosts.append(prefix + body.removeprefix("*."))
    fast = check_domain(hosts, method="fast")
    reference = check_domain(hosts, method="reference")
    pd.testing.assert_frame_equal(fast, reference)


def test_ipv4_global_table_matches_ipaddress() -> None:
    """is_global from the interval table equals ipaddress at every boundary and at random."""
    table = ip_lists._ipv4_global_table()
    assert table is not None
    bounds, verdict = table
    rng = np.random.default_rng(0)
    probes = np.concatenate(
        [bounds - 1, bounds, bounds + 1, rng.integers(0, 2**32, 20_000)]
    )
    probes = probes[(probes >= 0) & (probes < 2**32)]
    fast = verdict[np.searchsorted(bounds, probes, side="right") - 1]
    slow = np.array([ipaddress.IPv4Address(int(p)).is_global for p in probes])
    assert (fast == slow).all()


@settings(max_examples=25)
@given(st.lists(mutated(("resolved_ip", "ip_addresses")), max_size=30))
def test_range_lookup_matches_ipaddress(values: list[object]) -> None:
    """The vectorised address parsing of IpRangeIndex.lookup, against ipaddress itself."""
    ranges = ["1.0.0.0/8", "60.0.0.0/6", "100.64.0.0/10", "2001:db8::/32", "220.0.0.0/8"]
    nets = [ipaddress.ip_network(r) for r in ranges]
    index = IpRangeIndex.from_ranges(list(range(len(ranges))), ranges)
    texts = [v for v in values if isinstance(v, str)
             and not any("\ud800" <= c <= "\udfff" for c in v)] + [None]
    expected = []
    for v in texts:
        try:
            addr = ipaddress.ip_address(unicodedata.normalize("NFKC", v).strip()) if v else None
        except ValueError:
            addr = None
        if addr is not None and addr.version == 6 and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        hits = [i for i, n in enumerate(nets)
                if addr is not None and addr.version == n.version and addr in n]
        expected.append(hits[0] if hits else -1)  # the ranges do not overlap
    for data in (pd.Series(texts, dtype=object), pd.Series(texts, dtype="str")):
        assert index.lookup_position(data).tolist() == expected


def test_address_scan_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batch boundaries of the lock-step scan change nothing."""
    values = [*registry()["sponsor_address"].head(400), "", None, "中国北京市朝阳区1号"]
    reference = check_address(values, method="reference")
    for size in (1, 7, 64):
        monkeypatch.setattr(address, "_CHUNK", size)
        pd.testing.assert_frame_equal(check_address(values, method="fast"), reference)


@pytest.mark.parametrize("sample", [2, 3])
def test_row_by_row_mode(monkeypatch: pytest.MonkeyPatch, sample: int) -> None:
    """Inputs whose values rarely repeat are checked row by row, with the same result."""
    monkeypatch.setattr(_common, "_DEDUPE_SAMPLE", sample)
    head = registry().head(300)
    for func, column, kwargs in (
        (check_resident_id, "sponsor_cert_number", {"as_of": AS_OF}),
        (check_credit_code, "sponsor_cert_number", {}),
        (check_icp_number, "website_icp_number", {"as_of": AS_OF}),
        (check_domain, "domain", {}),
        (parse_ip_list, "ip_addresses", {}),
    ):
        values = pd.concat([head[column], head[column].head(20), pd.Series([None, "x"])],
                           ignore_index=True).astype("str")
        # every present row is its own "distinct" value: no hashing
        assert len(_common._distinct_text(values)[2]) == values.notna().sum()
        pd.testing.assert_frame_equal(func(values, method="fast", **kwargs),
                                      func(values, method="reference", **kwargs))


def test_check_filings_fast_equals_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """check_filings with every checker forced to its reference path gives the same report."""
    frame = registry().head(1500)
    providers = ba.load_providers()
    fast = ba.check_filings(frame, providers=providers, as_of=AS_OF)
    import beian_audit.checks.icp as icp_mod
    import beian_audit.checks.identity as identity_mod

    for module, name in ((identity_mod, "check_resident_id"), (identity_mod, "check_credit_code"),
                         (identity_mod, "check_org_code"), (icp_mod, "check_icp_number"),
                         (network, "check_domain"), (network, "parse_ip_list"),
                         (address, "check_address")):
        monkeypatch.setattr(module, name,
                            functools.partial(getattr(module, name), method="reference"))
    reference = ba.check_filings(frame, providers=providers, as_of=AS_OF)
    for part in ("flags", "failures", "verdict", "groups"):
        pd.testing.assert_frame_equal(getattr(fast, part), getattr(reference, part))


@pytest.mark.parametrize(
    "func",
    [check_resident_id, check_credit_code, check_org_code, check_icp_number, check_domain,
     parse_ip_list, check_address, match_divisions],
)
def test_method_is_validated(func: Callable[..., pd.DataFrame]) -> None:
    with pytest.raises(ValueError, match=r"method \('vectorised'\) must be one of 'fast', "
                                          r"'reference'"):
        func(["x"], method="vectorised")
