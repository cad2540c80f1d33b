"""Tests of beian_audit.checks.network: domains, filed IP lists, IP-range lookup.

Reference values:

* ``例子`` -> ``xn--fsqu00a`` and ``中国`` -> ``xn--fiqs8s``: the Punycode forms of the
  IANA IDN test label "例子" (例子.测试 = xn--fsqu00a.xn--0zwm56d) and of the .中国
  country-code TLD in the IANA root zone;
* ``faß.de`` -> ``xn--fa-hia.de``: the standard IDNA 2008 example (UTS-46
  non-transitional) where IDNA 2003, Python's built-in codec, gives ``fass.de``;
* ``com.cn`` and ``公司.cn`` (``xn--55qx5d.cn``) are public suffixes listed in the
  Public Suffix List's ICANN section;
* every IP answer is checked against the standard library's :mod:`ipaddress`
  (``ip in ip_network(...)``) by brute force in the property tests.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import socket
import unicodedata
from pathlib import Path
from typing import Any

import idna
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beian_audit.checks import network
from beian_audit.checks.network import (
    IP_REASONS,
    REASONS,
    IpRangeIndex,
    check_domain,
    ip_in_ranges,
    parse_ip_list,
)
from beian_audit.errors import SchemaError

# --------------------------------------------------------------------------- domains


@pytest.mark.parametrize(
    ("raw", "host", "host_unicode", "registered", "suffix"),
    [
        ("http://www.Example.com/path", "www.example.com", "www.example.com", "example.com", "com"),
        (
            "https://user:pw@Example.COM.cn:8443/x?y#z",
            "example.com.cn",
            "example.com.cn",
            "example.com.cn",
            "com.cn",
        ),
        ("www.baidu.com.", "www.baidu.com", "www.baidu.com", "baidu.com", "com"),
        ("ｗｗｗ．ｂａｉｄｕ．ｃｏｍ", "www.baidu.com", "www.baidu.com", "baidu.com", "com"),
        ("www.baidu。com", "www.baidu.com", "www.baidu.com", "baidu.com", "com"),
        (
            "例子.中国",
            "xn--fsqu00a.xn--fiqs8s",
            "例子.中国",
            "xn--fsqu00a.xn--fiqs8s",
            "xn--fiqs8s",
        ),
        (
            "xn--fsqu00a.xn--fiqs8s",
            "xn--fsqu00a.xn--fiqs8s",
            "例子.中国",
            "xn--fsqu00a.xn--fiqs8s",
            "xn--fiqs8s",
        ),
        (
            "www.例子.公司.cn",
            "www.xn--fsqu00a.xn--55qx5d.cn",
            "www.例子.公司.cn",
            "xn--fsqu00a.xn--55qx5d.cn",
            "xn--55qx5d.cn",
        ),
        ("faß.de", "xn--fa-hia.de", "faß.de", "xn--fa-hia.de", "de"),
        (
            "user.github.io",
            "user.github.io",
            "user.github.io",
            "github.io",
            "io",
        ),  # ICANN section only
    ],
)
def test_domain_reference(
    raw: str, host: str, host_unicode: str, registered: str, suffix: str
) -> None:
    out = check_domain([raw]).iloc[0]
    assert out["valid"] and out["reason"] == ""
    assert (out["host"], out["host_unicode"], out["registered_domain"], out["public_suffix"]) == (
        host,
        host_unicode,
        registered,
        suffix,
    )


def test_builtin_codec_differs_from_idna2008() -> None:
    # the reason the module uses the idna package
    assert "faß.de".encode("idna") == b"fass.de"
    assert check_domain(["faß.de"])["host"].item() == "xn--fa-hia.de"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1.2.3.4", "is_ip"),
        ("http://1.2.3.4:80/", "is_ip"),
        ("[2001:db8::1]", "is_ip"),
        ("https://[2001:db8::1]:8443/", "is_ip"),
        ("exa mple.com", "bad_syntax"),
        ("-abc.com", "bad_syntax"),
        ("a..b.com", "bad_syntax"),
        ("ab--cd.com", "bad_syntax"),
        ("a_b.com", "bad_syntax"),
        ("1.2.3", "bad_syntax"),
        ("http://", "bad_syntax"),
        ("a" * 64 + ".com", "bad_syntax"),
        ("☃.com", "idna_error"),  # U+2603 is DISALLOWED in IDNA 2008
        ("localhost", "no_public_suffix"),
        ("foo.invalid", "no_public_suffix"),
        ("com.cn", "is_public_suffix"),
        ("", "missing"),
    ],
)
def test_domain_reasons(raw: str, reason: str) -> None:
    out = check_domain([raw]).iloc[0]
    assert out["reason"] == reason and not out["valid"]


def test_public_suffix_list_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    network._psl.cache_clear()
    assert check_domain(["www.example.com.cn"])["registered_domain"].item() == "example.com.cn"


LDH = st.text(alphabet="abcXYZ09-", min_size=0, max_size=70)


@given(st.lists(LDH, min_size=1, max_size=5).map(".".join))
def test_ascii_fast_path_agrees_with_idna(host: str) -> None:
    fast = network._fast_ascii(host)
    try:
        reference: str | None = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        reference = None
    if fast is not None:
        assert fast == reference


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30))
def test_host_matches_idna_reference(text: str) -> None:
    out = check_domain([text]).iloc[0]
    if out["reason"] in ("", "no_public_suffix", "is_public_suffix"):
        host = network._extract_host(unicodedata.normalize("NFKC", text).strip().replace("。", "."))
        assert out["host"] == idna.encode(host, uts46=True).decode("ascii")


# --------------------------------------------------------------------------- IP lists


def test_parse_ip_list_reference() -> None:
    values = pd.Series(
        [
            "1.2.3.4；1.2.3.10 ~ 1.2.3.20, 2400:3200::1",  # full-width separator, range, IPv6
            "8.8.8.0/24 | 01.2.3.4",  # CIDR; leading zeros are not an address (ipaddress)
            "10.0.0.1、192.168.1.1",
            "1.2.3.20-1.2.3.10",
            "1.2.3.4-2001:db8::1",
            "１．２．３．４",  # full-width digits and dots
            None,
            "",
        ],
        index=[10, 11, 12, 13, 14, 15, 16, 17],
    )
    out = parse_ip_list(values)
    assert out.index.tolist() == [10, 10, 10, 11, 11, 12, 12, 13, 14, 15, 16, 17]
    assert out["reason"].tolist() == [
        "",
        "",
        "",
        "",
        "bad_ip",
        "not_global",
        "not_global",
        "reversed_range",
        "bad_range",
        "",
        "missing",
        "missing",
    ]
    assert out["item"].tolist() == [0, 1, 2, 0, 1, 0, 1, 0, 0, 0, 0, 0]
    first = out.iloc[3]
    assert (first["first"], first["last"], first["is_range"]) == ("8.8.8.0", "8.8.8.255", True)
    assert out.iloc[2]["version"] == 6
    assert (out["reason"].eq("") == out["valid"]).all()


# --------------------------------------------------------------------------- range index


def test_index_most_specific_and_first_listed() -> None:
    index = IpRangeIndex.from_ranges(
        ["big", "small", "dup-first", "dup-second", "v6"],
        ["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16", "10.2.0.0/16", "2001:db8::/32"],
    )
    got = index.lookup(
        ["10.1.2.3", "10.9.9.9", "10.2.0.1", "11.0.0.0", "2001:db8::5", "::ffff:10.1.0.1", "bad"]
    )
    assert got.tolist() == ["small", "big", "dup-first", pd.NA, "v6", "small", pd.NA]
    frame = index.to_frame()
    # 10.0/16 big, 10.1/16 small, 10.2/16 dup-first (adjacent to 10.1/16), rest of 10/8 big
    assert frame["provider_id"].tolist() == ["big", "small", "dup-first", "big", "v6"]
    assert frame["first"].tolist()[:4] == ["10.0.0.0", "10.1.0.0", "10.2.0.0", "10.3.0.0"]
    assert repr(index) == "IpRangeIndex(ranges=5, intervals=5)"
    assert index.to_dict()["schema_version"]


def test_index_keeps_series_index_and_dtype() -> None:
    index = IpRangeIndex.from_ranges(pd.Series([7, 8]), ["1.0.0.0/8", "2.0.0.0/8"])
    got = index.lookup(pd.Series(["2.1.1.1", None], index=["x", "y"]))
    assert got.index.tolist() == ["x", "y"] and str(got.dtype) == "Int64"
    assert got.tolist() == [8, pd.NA]


def test_index_invalid_ranges() -> None:
    with pytest.raises(SchemaError) as info:
        IpRangeIndex.from_ranges(["a", "b"], ["1.2.3.0/33;1.2.3.0/24", "x"])
    cases = info.value.failure_cases
    assert cases["row"].tolist() == [0, 1] and set(cases["reason"]) == {"bad_range", "bad_ip"}
    skipped = IpRangeIndex.from_ranges(
        ["a", "b"], ["1.2.3.0/33;1.2.3.0/24", "x"], on_invalid="skip"
    )
    assert skipped.n_ranges == 1
    with pytest.raises(ValueError, match=r"on_invalid \('ignore'\) must be one of 'raise', 'skip'"):
        IpRangeIndex.from_ranges(["a"], ["1.2.3.4"], on_invalid="ignore")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="same length"):
        IpRangeIndex.from_ranges(["a"], [])


def test_empty_index() -> None:
    index = IpRangeIndex.from_ranges([], [])
    assert index.lookup(["1.2.3.4"]).isna().all()
    assert ip_in_ranges([], ["1.0.0.0/8"]).tolist() == []


def _brute_force(
    ips: list[str], nets: list[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> list[int]:
    out = []
    for ip in ips:
        addr = ipaddress.ip_address(ip)
        hits = [i for i, net in enumerate(nets) if addr.version == net.version and addr in net]
        out.append(min(hits, key=lambda i: (nets[i].num_addresses, i)) if hits else -1)
    return out


V4_NET = st.builds(
    lambda addr, plen: ipaddress.ip_network(f"{ipaddress.IPv4Address(addr)}/{plen}", strict=False),
    st.integers(0x0A000000, 0x0A00FFFF),
    st.integers(12, 32),
)
V4_IP = st.integers(0x09FFFF00, 0x0A010100).map(lambda n: str(ipaddress.IPv4Address(n)))


@settings(max_examples=150)
@given(st.lists(V4_NET, max_size=15), st.lists(V4_IP, max_size=30))
def test_ipv4_lookup_matches_ipaddress(nets: list[ipaddress.IPv4Network], ips: list[str]) -> None:
    got = ip_in_ranges(ips, [str(n) for n in nets])
    assert got.tolist() == _brute_force(ips, nets)


V6_NET = st.builds(
    lambda addr, plen: ipaddress.ip_network(f"{ipaddress.IPv6Address(addr)}/{plen}", strict=False),
    st.integers(0x20010DB8 << 96, (0x20010DB8 << 96) + (1 << 80)),
    st.integers(40, 128),
)
V6_IP = st.integers(0x20010DB8 << 96, (0x20010DB8 << 96) + (1 << 80)).map(
    lambda n: str(ipaddress.IPv6Address(n))
)


@settings(max_examples=100)
@given(st.lists(V6_NET, max_size=10), st.lists(V6_IP, max_size=20))
def test_ipv6_lookup_matches_ipaddress(nets: list[ipaddress.IPv6Network], ips: list[str]) -> None:
    got = ip_in_ranges(ips, [str(n) for n in nets])
    assert got.tolist() == _brute_force(ips, nets)


@given(
    st.text(alphabet="0123456789.", max_size=16)
    | st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)))
)
def test_ipv4_fast_parse_agrees_with_ipaddress(text: str) -> None:
    fast = network._V4.fullmatch(text)
    try:
        reference: int | None = int(ipaddress.IPv4Address(text))
    except ValueError:
        reference = None
    if fast is None:
        assert reference is None
    else:
        a, b, c, d = (int(x) for x in fast.groups())
        assert (a << 24) | (b << 16) | (c << 8) | d == reference


def test_integer_input_is_read_as_ipv4() -> None:
    index = IpRangeIndex.from_ranges(["a"], ["1.2.3.0/24"])
    ints = np.array([int(ipaddress.IPv4Address("1.2.3.9")), 5, -1, 2**40], dtype=np.int64)
    assert index.lookup_position(ints).tolist() == [0, -1, -1, -1]
    nullable = pd.Series([int(ipaddress.IPv4Address("1.2.3.9")), None], dtype="Int64")
    assert index.lookup(nullable).tolist() == ["a", pd.NA]


def test_large_lookup_is_vectorised() -> None:
    rng = np.random.default_rng(7)
    nets = [f"{a}.{b}.0.0/16" for a, b in rng.integers(1, 223, size=(500, 2))]
    ips = [str(ipaddress.IPv4Address(int(n))) for n in rng.integers(0x01000000, 0xDF000000, 20_000)]
    got = ip_in_ranges(ips, nets)
    sample = list(range(0, 20_000, 97))
    parsed = [ipaddress.ip_network(n) for n in nets]
    assert got[sample].tolist() == _brute_force([ips[i] for i in sample], parsed)


# --------------------------------------------------------------------------- robustness

ANY_VALUE = st.one_of(
    st.none(),
    st.just("\ud800 lone surrogate \udfff"),  # pandas' string dtype cannot store these
    st.just(math.nan),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="abc.-:/[]@1234567890xn例子。 ;", max_size=40),
    st.just("😀.com"),
    st.just("a." * 5_000 + "com"),
    st.just("1.2.3.4;" * 1_000),
)


@settings(max_examples=40)
@given(st.lists(ANY_VALUE, max_size=10))
def test_never_raises_and_keeps_index(values: list[object]) -> None:
    series = pd.Series(values, index=[f"r{i}" for i in range(len(values))], dtype=object)
    out = check_domain(series)
    assert list(out.index) == list(series.index)
    assert out["valid"].dtype == bool
    assert set(out["reason"]) <= set(REASONS) | {""}
    ips = parse_ip_list(series)
    assert set(ips.index) <= set(series.index) and set(ips["reason"]) <= set(IP_REASONS) | {""}
    index = IpRangeIndex.from_ranges(range(len(values)), series, on_invalid="skip")
    assert len(index.lookup(series)) == len(series)


def test_every_code_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "checks-identity.md").read_text(
        encoding="utf-8"
    )
    for code, (zh, en) in {**REASONS, **IP_REASONS}.items():
        assert f"`{code}`" in doc and zh in doc and en in doc, code


# --------------------------------------------------------------------------- fast paths


@pytest.mark.parametrize("method", ["fast", "reference"])
@pytest.mark.parametrize(
    ("host", "registered", "suffix"),
    [
        # The Public Suffix List's own rules (ICANN section): "*.kobe.jp" with the
        # exception "!city.kobe.jp", and "*.ck" with "!www.ck"; expected values by the
        # list's documented algorithm (the longest matching rule wins, an exception
        # rule drops its leftmost label, a wildcard matches any one label).
        ("a.b.kobe.jp", "a.b.kobe.jp", "b.kobe.jp"),
        ("x.city.kobe.jp", "city.kobe.jp", "kobe.jp"),
        ("city.kobe.jp", "city.kobe.jp", "kobe.jp"),
        ("a.www.ck", "www.ck", "ck"),
        ("www.example.com.cn", "example.com.cn", "com.cn"),
        ("x.gov.cn", "x.gov.cn", "gov.cn"),
        ("数润.网络", "xn--kdvs6p.xn--io0a7i", "xn--io0a7i"),  # 网络 is an IDN gTLD
    ],
)
def test_public_suffix_rules(method: str, host: str, registered: str, suffix: str) -> None:
    out = check_domain([host], method=method).iloc[0]  # type: ignore[arg-type]
    assert out["valid"]
    assert (out["registered_domain"], out["public_suffix"]) == (registered, suffix)


@pytest.mark.parametrize("method", ["fast", "reference"])
def test_public_suffix_alone_by_wildcard(method: str) -> None:
    out = check_domain(["foo.ck", "kobe.jp", "b.kobe.jp"], method=method)  # type: ignore[arg-type]
    assert out["reason"].tolist() == ["is_public_suffix"] * 3


@pytest.mark.parametrize("method", ["fast", "reference"])
def test_parse_ip_list_special_ranges(method: str) -> None:
    # RFC 6598 shared space and RFC 1918 private space are not global; 8.8.8.8 is
    out = parse_ip_list(["100.64.0.1;8.8.8.8", "192.168.1.1,10.1.2.3|1.1.1.1"],
                        method=method)  # type: ignore[arg-type]
    assert out["reason"].tolist() == ["not_global", "", "not_global", "not_global", ""]
    assert out.index.tolist() == [0, 0, 1, 1, 1] and out["item"].tolist() == [0, 1, 0, 1, 2]


# --------------------------------------------------------------------------- filing domain
@functools.cache
def _library_psl(only_icann: bool) -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(only_icann=only_icann, accept_unknown=False)


def _library_filing_domain(host: str) -> str | None:
    """Reference: ``publicsuffixlist`` itself, whole list, ICANN section as the fallback."""
    full = _library_psl(False).privatesuffix(host)
    icann = _library_psl(True).privatesuffix(host)
    return full if full is not None else icann


@pytest.mark.parametrize("method", ["fast", "reference"])
@pytest.mark.parametrize(
    "host",
    [
        "x.github.io",  # a tenant of a private-section suffix
        "github.io",  # the suffix itself: the platform's own site
        "shop.myshopify.com",
        "www.shop.myshopify.com",
        "bucket.oss-cn-hangzhou.aliyuncs.com",  # not in the bundled list's private section
        "x.s3.amazonaws.com",
        "www.example.com.cn",  # ICANN only
    ],
)
def test_filing_domain_is_the_whole_list_registered_domain(method: str, host: str) -> None:
    out = check_domain([host], method=method, private_suffixes=True).iloc[0]  # type: ignore[arg-type]
    plain = check_domain([host], method=method).iloc[0]  # type: ignore[arg-type]
    assert out["filing_domain"] == _library_filing_domain(host)
    # registered_domain keeps its ICANN meaning; the other columns are unchanged
    assert out.drop("filing_domain").equals(plain)


def test_filing_domain_fast_path_agrees_with_the_library_on_every_private_rule() -> None:
    """Every private-section rule, its tenants and their subdomains: fast == library."""
    from beian_audit.checks import network

    rules = network._psl(False)._publicsuffix - network._psl(True)._publicsuffix
    keys = sorted({r.removeprefix("!").removeprefix("*.") for r in rules})
    keys = [k for k in keys if k.isascii()]
    assert len(keys) > 1000  # the private section is there
    hosts = [h for k in keys for h in (k, f"t.{k}", f"www.t.{k}", f"a.b.c.{k}")]
    hosts += ["www.example.com.cn", "a.b.kobe.jp", "1.2.3.4", "", None, "foo.invalid"]
    fast = check_domain(hosts, private_suffixes=True)
    ref = check_domain(hosts, method="reference", private_suffixes=True)
    pd.testing.assert_frame_equal(fast, ref)
    valid = fast["host"].notna() & fast["registered_domain"].notna()
    expected = [_library_filing_domain(h) for h in fast.loc[valid, "host"]]
    assert fast.loc[valid, "filing_domain"].tolist() == expected
    assert fast.loc[~valid, "filing_domain"].isna().all()


def test_private_suffixes_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="private_suffixes"):
        check_domain(["a.cn"], private_suffixes="yes")  # type: ignore[arg-type]
