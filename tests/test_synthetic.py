"""Tests of beian_audit.synthetic: the synthetic registry and its ground truth.

Independent judges: ``phonenumbers`` (phone validity and type), ``email_validator``
(email syntax), ``python-stdnum`` (check characters of resident ID numbers and
unified social credit codes), ``idna`` (IDN encoding), the standard library's
``ipaddress`` (CIDR arithmetic). Expected rates are the closed forms documented in
the module; where a number is computed by hand, the comment shows the arithmetic.
"""

from __future__ import annotations

import csv
import hashlib
import io
import ipaddress
import itertools
import math
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import idna
import numpy as np
import pandas as pd
import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from beian_audit import synthetic
from beian_audit.errors import BeianAuditError
from beian_audit.schema import ACCESSED_SITES_SCHEMA, FILING_SCHEMA, PROVIDER_SCHEMA
from beian_audit.synthetic import (
    DEFAULT_PARAMS,
    DEFECT_CODES,
    SyntheticDataNotFoundError,
    SyntheticParameterError,
    expected_rates,
    generate_registry,
    generate_world,
    load_accessed_sites,
    load_providers,
    load_synthetic_registry,
    realised_rates,
)
from beian_audit.synthetic.bundled import _BUNDLED_FILES
from beian_audit.synthetic.geography import _AREA_CODES, _short_place
from beian_audit.synthetic.params import _PARAM_DOCS
from beian_audit.synthetic.rates import _cluster_se
from beian_audit.synthetic.writers import _parquet_bytes

ROOT = Path(__file__).resolve().parents[1]
SPONSOR_CODES = [d.code for d in DEFECT_CODES if d.block == "sponsor"]
PHONE_COLUMNS = [
    "sponsor_principal_mobile",
    "website_principal_mobile",
    "sponsor_principal_phone",
    "website_principal_phone",
]


@pytest.fixture(scope="module")
def world() -> synthetic.SyntheticWorld:
    return generate_world(40_000, seed=20131)


@pytest.fixture(scope="module")
def small() -> synthetic.SyntheticWorld:
    return generate_world(3_000, seed=5)


def has_code(frame: pd.DataFrame, code: str) -> np.ndarray:
    codes = frame["truth_defects"].fillna("").str.split(";")
    return codes.map(lambda found: code in found).to_numpy(bool)


def phone_type(value: str) -> str:
    """phonenumbers' verdict: the PhoneNumberType name, or INVALID."""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return "INVALID"
    if not phonenumbers.is_valid_number(number):
        return "INVALID"
    return {
        phonenumbers.PhoneNumberType.MOBILE: "MOBILE",
        phonenumbers.PhoneNumberType.FIXED_LINE: "FIXED_LINE",
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "FIXED_LINE_OR_MOBILE",
    }.get(phonenumbers.number_type(number), "OTHER")


def verdicts(values: pd.Series, judge) -> pd.Series:  # type: ignore[no-untyped-def]
    """Apply ``judge`` once per distinct value."""
    table = {v: judge(v) for v in values.dropna().unique()}
    return values.map(table)


def email_ok(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# ----------------------------------------------------------------------------- structure


def test_determinism_same_seed(small: synthetic.SyntheticWorld) -> None:
    again = generate_world(3_000, seed=5)
    pd.testing.assert_frame_equal(small.filings, again.filings)
    pd.testing.assert_frame_equal(small.providers, again.providers)
    pd.testing.assert_frame_equal(small.accessed_sites, again.accessed_sites)
    pd.testing.assert_frame_equal(small.provider_truth, again.provider_truth)
    assert small.params == again.params


def test_different_seed_differs(small: synthetic.SyntheticWorld) -> None:
    other = generate_world(3_000, seed=6)
    assert not small.filings["sponsor_name"].equals(other.filings["sponsor_name"])
    assert not small.filings["truth_sponsor_ok"].equals(other.filings["truth_sponsor_ok"])


def test_generate_registry_is_world_filings(small: synthetic.SyntheticWorld) -> None:
    pd.testing.assert_frame_equal(generate_registry(3_000, seed=5), small.filings)


@pytest.mark.parametrize(
    ("table", "schema"),
    [
        ("filings", FILING_SCHEMA),
        ("providers", PROVIDER_SCHEMA),
        ("accessed_sites", ACCESSED_SITES_SCHEMA),
    ],
)
def test_columns_and_dtypes_are_canonical(
    small: synthetic.SyntheticWorld, table: str, schema: object
) -> None:
    frame = getattr(small, table)
    assert list(frame.columns) == schema.names  # type: ignore[attr-defined]
    for col in schema:  # type: ignore[attr-defined]
        assert frame[col.name].dtype == col.dtype, col.name
    assert isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0


def test_keys_are_unique_and_consistent(world: synthetic.SyntheticWorld) -> None:
    f = world.filings
    assert f["website_id"].is_unique
    assert f["domain"].is_unique
    assert f["website_icp_number"].is_unique
    assert world.providers["provider_id"].is_unique
    assert world.accessed_sites["site_id"].is_unique
    # One ICP number per sponsor, different sponsors different numbers.
    per_sponsor = f.groupby("sponsor_id")["sponsor_icp_number"].nunique()
    assert (per_sponsor == 1).all()
    assert f.drop_duplicates("sponsor_id")["sponsor_icp_number"].is_unique
    # Website numbers are the sponsor number plus -N.
    assert (f["website_icp_number"].str.rsplit("-", n=1).str[0] == f["sponsor_icp_number"]).all()
    # Sponsor attributes are constant within a sponsor.
    for col in ("sponsor_name", "sponsor_nature", "sponsor_cert_number", "provider_id"):
        assert (f.groupby("sponsor_id")[col].nunique(dropna=False) == 1).all(), col


def test_every_provider_id_exists(world: synthetic.SyntheticWorld) -> None:
    known = set(world.providers["provider_id"])
    assert set(world.filings["provider_id"]) <= known
    assert set(world.accessed_sites["provider_id"]) <= known
    names = dict(zip(world.providers["provider_id"], world.providers["provider_name"], strict=True))
    assert (world.filings["provider_id"].map(names) == world.filings["provider_name"]).all()


def test_missing_values_and_normal_form(world: synthetic.SyntheticWorld) -> None:
    for frame, schema in (
        (world.filings.head(10_000), FILING_SCHEMA),
        (world.providers, PROVIDER_SCHEMA),
        (world.accessed_sites, ACCESSED_SITES_SCHEMA),
    ):
        for col in schema:
            if col.kind != "string":
                assert not frame[col.name].isna().any(), col.name
                continue
            values = frame[col.name].dropna().unique()
            assert "" not in set(values), col.name
            for v in values:
                assert unicodedata.normalize("NFKC", v) == v, (col.name, v)
                assert v == v.strip(), (col.name, v)
                if col.identifier:
                    assert not re.search(r"\s", v), (col.name, v)
    # no defect: NA (an empty cell), as every reader of CSV/XLSX would give it back
    assert world.filings["truth_defects"].isna().sum() > 0


def test_small_and_edge_sizes() -> None:
    one = generate_world(1, seed=0)
    assert len(one.filings) == 1 and len(one.providers) == 30
    single = generate_world(200, seed=1, n_providers=1)
    assert set(single.filings["provider_id"]) == {"P0001"}
    assert not has_code(single.filings, "hosted_elsewhere").any()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(min_value=1, max_value=400), seed=st.integers(min_value=0, max_value=2**32))
def test_any_size_and_seed_gives_a_consistent_registry(n: int, seed: int) -> None:
    w = generate_world(n, seed=seed)
    f = w.filings
    assert len(f) == n and f["website_id"].is_unique and f["domain"].is_unique
    assert (
        f["truth_sponsor_ok"]
        == ~f["truth_defects"].fillna("").str.contains("|".join(SPONSOR_CODES))
    ).all()
    assert (
        f["truth_access_ok"]
        == ~f["truth_defects"]
        .fillna("")
        .str.contains("domain_unresolved|hosted_elsewhere|ip_not_filed")
    ).all()
    assert w.accessed_sites["truth_filed"].sum() == n


# ----------------------------------------------------------------------------- rates


def test_expected_rate_closed_form() -> None:
    e = expected_rates()
    # phone_dead: (1 - 0.70) * (w + r * w' * (1 - G)) with w = 0.20, r = 0.25,
    # w' = 0.20 / (1 - 0.06) (mix without rings), G = 0.08 + 0.04 + 0.20 + 0.06 (phone
    # group) = 0.38  ->  0.3 * (0.2 + 0.25 * 0.2127660 * 0.62) = 0.0698936.
    assert e["defect_rate:phone_dead"] == pytest.approx(0.0698936, abs=1e-6)
    # Rings are never a second defect: 0.3 * 0.06 = 0.018.
    assert e["defect_rate:ring_shared_mobile"] == pytest.approx(0.018)
    # Access codes are exclusive: 0.22 * 0.40 = 0.088.
    assert e["defect_rate:hosted_elsewhere"] == pytest.approx(0.088)
    # The sponsor codes account for at least all defective sponsors.
    total = sum(e[f"defect_rate:{c}"] for c in SPONSOR_CODES)
    assert total >= 1 - e["sponsor_accuracy"]


def test_realised_rates_within_sampling_error(world: synthetic.SyntheticWorld) -> None:
    table = realised_rates(world).to_frame().set_index("metric")
    checked = [m for m in table.index if m.startswith(("defect_rate:", "nature_share:"))]
    checked += ["filing_rate", "sponsor_accuracy", "access_accuracy", "material_uploaded"]
    for metric in checked:
        row = table.loc[metric]
        if row["expected"] == 0:
            assert row["realised"] == 0, metric
            continue
        # |realised - expected| < 4 standard errors (binomial, or clustered by sponsor
        # for sponsor-block rates, see SyntheticRates).
        assert abs(row["realised"] - row["expected"]) < 4 * row["se"], (metric, row.to_dict())
    assert table.loc["sponsor_accuracy", "expected"] == 0.70
    assert table.loc["access_accuracy", "expected"] == 0.78
    assert 0.990 <= table.loc["filing_rate", "realised"] <= 0.995


def test_concentration_and_sponsor_sizes(world: synthetic.SyntheticWorld) -> None:
    f = world.filings
    codes, _ = pd.factorize(f["sponsor_id"])
    expected = expected_rates(world.params)
    counts = f["provider_id"].value_counts()
    # Largest provider: indicator of its websites, clustered by sponsor.
    y = (f["provider_id"] == counts.index[0]).to_numpy(float)
    se = _cluster_se(y, codes)
    assert abs(y.mean() - expected["provider_largest_share"]) < 4 * se
    assert abs(counts.iloc[:10].sum() / len(f) - 0.50) < 0.02
    sizes = np.bincount(codes)
    assert abs(sizes.mean() - 1.25) < 4 * sizes.std(ddof=1) / math.sqrt(len(sizes))
    assert sizes.max() >= 5  # the Pareto tail shows up


def test_provider_accuracy_varies(world: synthetic.SyntheticWorld) -> None:
    truth = world.provider_truth
    # Beta(7, 3) has sd 0.138; the calibrated per-provider probabilities spread too.
    assert truth["sponsor_accuracy_p"].std() > 0.05
    by_provider = world.filings.groupby("provider_id")["truth_sponsor_ok"].mean()
    assert by_provider.max() - by_provider.min() > 0.15
    weighted = np.average(truth["sponsor_accuracy_p"], weights=truth["n_websites"])
    assert weighted == pytest.approx(0.70, abs=1e-9)


def test_unfiled_ranking_is_not_size_ranking(world: synthetic.SyntheticWorld) -> None:
    sites = world.accessed_sites
    unfiled = sites.loc[~sites["truth_filed"].to_numpy(bool), "provider_id"].value_counts()
    largest = world.filings["provider_id"].value_counts().index[:10]
    assert set(unfiled.index[:10]) != set(largest)
    # Heavy tail: the top provider holds well over its fair share of unfiled sites.
    assert unfiled.iloc[0] > 3 * unfiled.sum() / len(world.providers)


def test_realised_rates_result_object(small: synthetic.SyntheticWorld) -> None:
    rates = realised_rates(small)
    assert repr(rates).startswith("SyntheticRates(n_websites=3000")
    d = rates.to_dict()
    assert d["schema_version"] and d["kind"] == "SyntheticRates"
    same = realised_rates(small.filings, accessed_sites=small.accessed_sites, params=small.params)
    pd.testing.assert_frame_equal(rates.to_frame(), same.to_frame())
    with pytest.raises(SyntheticParameterError, match="SyntheticWorld or a DataFrame"):
        realised_rates([1, 2])  # type: ignore[arg-type]
    with pytest.raises(SyntheticParameterError, match="lacks the columns"):
        realised_rates(small.filings.drop(columns="truth_defects"))


def test_world_result_object(small: synthetic.SyntheticWorld) -> None:
    assert repr(small) == (
        "SyntheticWorld(n_websites=3000, n_sponsors="
        f"{small.filings['sponsor_id'].nunique()}, n_providers=30, seed=5)"
    )
    assert small.to_frame()["rows"].tolist()[:3] == [3000, 30, len(small.accessed_sites)]
    assert "<table" in small._repr_html_()


# ----------------------------------------------------------------------------- defects are real


def test_phones_judged_by_phonenumbers(world: synthetic.SyntheticWorld) -> None:
    f = world.filings
    # Non-defective phones: the first 10,000 records (0.1 % of them is 10 numbers).
    clean = f["truth_sponsor_ok"].to_numpy(bool) & (np.arange(len(f)) < 10_000)
    for col in ("sponsor_principal_mobile", "website_principal_mobile"):
        types = verdicts(f.loc[clean, col], phone_type)
        assert (types == "MOBILE").mean() >= 0.999, col
    for col in ("sponsor_principal_phone", "website_principal_phone"):
        types = verdicts(f.loc[clean, col], phone_type)
        assert types.isin(["FIXED_LINE", "MOBILE", "FIXED_LINE_OR_MOBILE"]).mean() >= 0.999
        assert (types == "FIXED_LINE").mean() > 0.7
    # Every phone_malformed record has a phone that phonenumbers rejects.
    bad = has_code(f, "phone_malformed")
    assert bad.sum() > 100
    invalid = pd.concat([verdicts(f.loc[bad, c], phone_type) for c in PHONE_COLUMNS], axis=1)
    assert (invalid == "INVALID").any(axis=1).all()


def test_office_phone_area_code_matches_city(world: synthetic.SyntheticWorld) -> None:
    from phonenumbers import geocoder

    f = world.filings[world.filings["truth_sponsor_ok"].to_numpy(bool)]
    fixed = f["sponsor_principal_phone"].str.match(r"^0\d{2,3}-\d{7,8}$").to_numpy(bool)
    sample = f.loc[fixed].drop_duplicates("sponsor_city").head(300)
    hits = 0
    for phone, province, city in zip(
        sample["sponsor_principal_phone"],
        sample["sponsor_province"],
        sample["sponsor_city"],
        strict=True,
    ):
        desc = geocoder.description_for_number(phonenumbers.parse(phone, "CN"), "zh")
        assert province[:2] in desc, (phone, province, desc)
        hits += _short_place(city) in desc or city[:2] in desc
    # A few area codes are shared by several cities and named after one of them
    # (0558 亳州/阜阳, 0731 株洲/长沙 …): the city itself is named in nearly all.
    assert hits / len(sample) > 0.9


def test_area_code_table_against_phonenumbers() -> None:
    for entry in _AREA_CODES.split():
        _, area, length = entry.split(":")
        for first in "23568":
            number = f"0{area}-{first}{'1234567'[: int(length) - 1]}"
            assert phone_type(number) == "FIXED_LINE", number


def test_placeholder_phones(world: synthetic.SyntheticWorld) -> None:
    f = world.filings
    mobiles = f.loc[has_code(f, "phone_placeholder"), "sponsor_principal_mobile"]
    assert len(mobiles) > 50
    # A placeholder: eight equal trailing digits, or a well-known dummy number.
    placeholder = mobiles.str.match(r"^1\d\d(\d)\1{7}$") | mobiles.isin(
        ["13800138000", "13012345678"]
    )
    assert placeholder.all()
    clean = f.loc[f["truth_sponsor_ok"].to_numpy(bool), "sponsor_principal_mobile"]
    assert not clean.str.match(r"^1\d\d(\d)\1{7}$").any()


def test_ring_members_share_one_mobile(world: synthetic.SyntheticWorld) -> None:
    f = world.filings.drop_duplicates("sponsor_id")
    ring = has_code(f, "ring_shared_mobile")
    sharing = f.groupby("sponsor_principal_mobile")["sponsor_id"].transform("nunique")
    assert ring.sum() > 50
    assert (sharing[ring] >= 3).all()
    # Outside rings and placeholders no two sponsors share a mobile.
    other = ~ring & ~has_code(f, "phone_placeholder")
    assert (sharing[other] == 1).all()


def test_emails_judged_by_email_validator(world: synthetic.SyntheticWorld) -> None:
    f = world.filings
    clean = f["truth_sponsor_ok"].to_numpy(bool) & (np.arange(len(f)) < 10_000)
    for col in ("sponsor_principal_email", "website_principal_email"):
        assert verdicts(f.loc[clean, col], email_ok).all(), col
    invalid = f.loc[has_code(f, "email_invalid"), "sponsor_principal_email"]
    assert len(invalid) > 50 and not verdicts(invalid, email_ok).any()
    typo = f.loc[has_code(f, "email_typo_domain"), "sponsor_principal_email"]
    assert len(typo) > 50 and verdicts(typo, email_ok).all()
    typo_domains = {
        "qq.con",
        "qq.cm",
        "qq.cpm",
        "163.con",
        "163.cm",
        "163.vom",
        "126.con",
        "126.cm",
        "sina.con",
        "sina.cm",
        "hotmial.com",
        "gmial.com",
    }
    assert typo.str.split("@").str[1].isin(typo_domains).all()


def test_identity_numbers_judged_by_stdnum(world: synthetic.SyntheticWorld) -> None:
    f = world.filings.drop_duplicates("sponsor_id")
    bad = has_code(f, "id_checksum")
    cert = f["sponsor_cert_number"]
    is_id = (f["sponsor_cert_type"] == "居民身份证").to_numpy(bool)

    def ric_ok(v: str) -> bool:
        return ric.calc_check_digit(v) == v[-1]

    def uscc_ok(v: str) -> bool:
        return uscc.is_valid(v)

    cert_ok = np.zeros(len(f), dtype=bool)
    cert_ok[is_id] = verdicts(cert[is_id], ric_ok).to_numpy(bool)
    cert_ok[~is_id] = verdicts(cert[~is_id], uscc_ok).to_numpy(bool)
    pid_ok = verdicts(f["sponsor_principal_id_number"], ric_ok).to_numpy(bool)
    assert bad.sum() > 50
    assert (~(cert_ok & pid_ok))[bad].all()
    assert (cert_ok & pid_ok)[~bad].all()
    wp = world.filings["website_principal_id_number"]
    wp_bad = has_code(world.filings, "id_checksum")
    assert verdicts(wp[~wp_bad], ric_ok).all()


def gb11714_ok(code: str) -> bool:
    """GB 11714 organisation code check: weights 3 7 9 10 5 8 4 2, C9 = 11 - sum mod 11."""
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in code[:8]]
    c9 = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return code[8] == {10: "X", 11: "0"}.get(c9, str(c9))


def test_embedded_organisation_codes(world: synthetic.SyntheticWorld) -> None:
    # The example of the GB 11714-1997 standard itself: D2143569-X.
    assert gb11714_ok("D2143569X") and not gb11714_ok("D21435691")
    f = world.filings.drop_duplicates("sponsor_id")
    codes = f.loc[f["sponsor_cert_type"] == "统一社会信用代码", "sponsor_cert_number"]
    assert codes.str[8:17].map(gb11714_ok).all()
    # Registering authority and type agree with the nature (GB 32100 Table 1).
    pairs = f.loc[codes.index, "sponsor_cert_number"].str[:2]
    nature = f.loc[codes.index, "sponsor_nature"]
    allowed = {
        "企业": {"91", "92"},
        "事业单位": {"12"},
        "政府机关": {"11"},
        "社会团体": {"51"},
        "民办非企业单位": {"52"},
        "基金会": {"53"},
    }
    assert all(p in allowed[n] for p, n in zip(pairs, nature, strict=True))


def test_resident_ids_are_plausible(world: synthetic.SyntheticWorld) -> None:
    divisions = pd.read_csv(
        ROOT / "src" / "beian_audit" / "data" / "divisions.csv", comment="#", dtype=str
    )
    counties = set(
        divisions.loc[(divisions["level"] == "county") & (divisions["current"] == "1"), "code"]
    )
    f = world.filings
    for col in ("sponsor_principal_id_number", "website_principal_id_number"):
        ids = f[col].drop_duplicates()
        assert ids.str[:6].isin(counties).all()
        birth = pd.to_datetime(ids.str[6:14], format="%Y%m%d")  # raises on a bad date
        assert (birth < pd.Timestamp("1995-01-01")).all()
    for col in ("sponsor_principal_id_number", "website_principal_id_number"):
        age = f["approval_date"] - pd.to_datetime(f[col].str[6:14], format="%Y%m%d")
        assert (age.dt.days > 18 * 365).all(), col


def test_addresses(world: synthetic.SyntheticWorld) -> None:
    f = world.filings.drop_duplicates("sponsor_id")
    no_door = has_code(f, "address_no_door")
    elsewhere = has_code(f, "address_province_mismatch")
    addr = f["sponsor_address"]
    assert no_door.sum() > 50 and elsewhere.sum() > 50
    assert not addr[no_door].str.contains(r"号|\d").any()
    clean = ~no_door & ~elsewhere
    assert (addr[clean].str.contains("号") | addr[clean].str.endswith("(已是最详细地址)")).all()
    assert addr.str.endswith("(已是最详细地址)").sum() > 0
    starts = [a.startswith(p) for a, p in zip(addr, f["sponsor_province"], strict=True)]
    starts = np.array(starts)
    assert starts[clean].all() and not starts[elsewhere].any()
    in_city = [c in a for a, c in zip(addr, f["sponsor_county"], strict=True)]
    assert np.array(in_city)[clean].all()


def test_icp_prefix_and_nature_certificate(world: synthetic.SyntheticWorld) -> None:
    provinces = pd.read_csv(ROOT / "src" / "beian_audit" / "data" / "provinces.csv", dtype=str)
    prefix = dict(zip(provinces["province_zh"], provinces["icp_prefix"], strict=True))
    f = world.filings.drop_duplicates("sponsor_id")
    icp = f["sponsor_icp_number"]
    assert icp.str.match(r"^.ICP备(\d{6}|\d{8}|\d{10})号$").all()
    same = (icp.str[0] == f["sponsor_province"].map(prefix)).to_numpy(bool)
    bad = has_code(f, "icp_prefix_mismatch")
    assert bad.sum() > 30 and not same[bad].any() and same[~bad].all()
    # 8-digit serials start with the two-digit year of the first filing.
    eight = icp.str.extract(r"备(\d{8})号")[0].dropna()
    assert eight.str[:2].astype(int).between(3, 13).all()
    ncm = has_code(f, "nature_cert_mismatch")
    person = (f["sponsor_nature"] == "个人").to_numpy(bool)
    company_like = "公司|商行|经营部|工作室|门市部|店$"
    company_name = f["sponsor_name"].str.contains(company_like).to_numpy(bool)
    id_card = (f["sponsor_cert_type"] == "居民身份证").to_numpy(bool)
    contradiction = (person & company_name) | (~person & id_card)
    assert ncm.sum() > 30 and contradiction[ncm].all() and not contradiction[~ncm].any()
    assert (
        f.loc[person & ~ncm, "sponsor_name"] == f.loc[person & ~ncm, "sponsor_principal_name"]
    ).all()


def _ranges(providers: pd.DataFrame) -> dict[str, list[ipaddress.IPv4Network]]:
    return {
        pid: [ipaddress.ip_network(r) for r in text.split(";")]
        for pid, text in zip(providers["provider_id"], providers["ip_ranges"], strict=True)
    }


def test_ip_ranges_disjoint_and_public(world: synthetic.SyntheticWorld) -> None:
    nets = sorted((net, pid) for pid, lst in _ranges(world.providers).items() for net in lst)
    for (a, _), (b, _) in itertools.pairwise(nets):
        assert not a.overlaps(b)
    assert all(net.is_global for net, _ in nets)


def test_access_truth(world: synthetic.SyntheticWorld) -> None:
    f = world.filings
    ranges = _ranges(world.providers)
    owner_nets = sorted(
        (int(n.network_address), int(n.broadcast_address), pid)
        for pid, lst in ranges.items()
        for n in lst
    )
    starts = np.array([s for s, _, _ in owner_nets])

    def owner(ip: str) -> str:
        x = int(ipaddress.ip_address(ip))
        i = int(np.searchsorted(starts, x, side="right")) - 1
        s, e, pid = owner_nets[i]
        assert s <= x <= e
        return pid

    filed = f["ip_addresses"].str.split(";")
    assert all(
        owner(ip) == pid for ips, pid in zip(filed, f["provider_id"], strict=True) for ip in ips
    )
    resolved = f["resolved_ip"]
    unresolved = has_code(f, "domain_unresolved")
    assert (resolved.isna().to_numpy() == unresolved).all()
    where = resolved.fillna("").map(lambda ip: owner(ip) if ip else "")
    in_filed = np.array([r in ips for r, ips in zip(resolved.fillna(""), filed, strict=True)])
    elsewhere = has_code(f, "hosted_elsewhere")
    not_filed = has_code(f, "ip_not_filed")
    ok = f["truth_access_ok"].to_numpy(bool)
    own = (where == f["provider_id"]).to_numpy(bool)
    assert in_filed[ok].all() and own[ok].all()
    assert (~own)[elsewhere].all()
    assert own[not_filed].all() and not in_filed[not_filed].any()


def test_domains_and_accessed_sites(world: synthetic.SyntheticWorld) -> None:
    f = world.filings
    for d in f["domain"]:
        idna.encode(d, uts46=True)  # raises on an invalid name
    assert (~f["domain"].str.isascii()).mean() == pytest.approx(0.01, abs=0.004)
    sites = world.accessed_sites
    filed = sites[sites["truth_filed"].to_numpy(bool)]
    assert len(filed) == len(f)

    def base(d: str) -> str:
        d = d.lower()
        d = re.sub(r"^(www|m|bbs|shop|blog|news|mail)\.", "", d)
        return idna.decode(d) if "xn--" in d else d

    reported = filed["domain"].map(base)
    assert sorted(reported) == sorted(f["domain"])
    unfiled = sites.loc[~sites["truth_filed"].to_numpy(bool), "domain"].map(base)
    assert not unfiled.isin(set(f["domain"])).any()
    assert (sites["domain"].str.startswith("www.")).mean() > 0.2
    assert (sites["domain"] != sites["domain"].str.lower()).mean() > 0.02


# ----------------------------------------------------------------------------- parameters


def test_unknown_parameter_is_rejected() -> None:
    with pytest.raises(TypeError, match="unknown parameter\\(s\\) 'sponsor_acuracy'"):
        generate_world(10, seed=1, sponsor_acuracy=0.7)
    with pytest.raises(SyntheticParameterError, match="'sponsor_accuracy'"):
        generate_world(10, seed=1, bogus=1)  # the message lists the allowed names


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sponsor_accuracy": 1.5}, "sponsor_accuracy"),
        ({"filing_rate": "high"}, "filing_rate"),
        ({"nature_mix": {"公司": 1.0}}, "unknown categories '公司'"),
        ({"nature_mix": {"企业": 0.0}}, "positive total"),
        ({"n_providers": 0}, "n_providers"),
        ({"websites_per_sponsor": 0.5}, "websites_per_sponsor"),
        ({"provider_largest_share": 0.6}, "provider_largest_share"),
        ({"approval_first_year": 2014}, "approval_first_year"),
        ({"ring_size_mean": 2}, "ring_size_mean"),
    ],
)
def test_bad_parameter_values(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        generate_world(10, seed=1, **kwargs)


@pytest.mark.parametrize(("n", "seed"), [(0, 1), (-5, 1), (True, 1), (1.5, 1), (10, -1), (10, "x")])
def test_bad_size_or_seed(n: object, seed: object) -> None:
    with pytest.raises(SyntheticParameterError):
        generate_world(n, seed=seed)  # type: ignore[arg-type]


def test_parameters_take_effect() -> None:
    w = generate_world(
        4_000, seed=3, sponsor_accuracy=0.9, filing_rate=0.95, nature_mix={"个人": 1.0}
    )
    assert (w.filings["sponsor_nature"] == "个人").all()
    assert w.filings["truth_sponsor_ok"].mean() == pytest.approx(0.9, abs=0.03)
    assert w.accessed_sites["truth_filed"].mean() == pytest.approx(0.95, abs=0.01)
    assert w.params["sponsor_accuracy"] == 0.9
    assert w.params["nature_mix"]["个人"] == 1.0


def test_every_parameter_is_documented() -> None:
    doc = generate_world.__doc__ or ""
    page = (ROOT / "docs" / "synthetic.md").read_text(encoding="utf-8")
    for key in DEFAULT_PARAMS:
        assert key in doc, key
        assert key in _PARAM_DOCS, key
        assert f"`{key}`" in page, key
    for d in DEFECT_CODES:
        assert f"`{d.code}`" in page, d.code


# ----------------------------------------------------------------------------- bundled files


@pytest.fixture(scope="module")
def bundled_world() -> synthetic.SyntheticWorld:
    return generate_world(synthetic.BUNDLED_N_WEBSITES, seed=synthetic.BUNDLED_SEED)


def test_bundled_files_equal_a_fresh_generation(bundled_world: synthetic.SyntheticWorld) -> None:
    pd.testing.assert_frame_equal(load_synthetic_registry(), bundled_world.filings)
    pd.testing.assert_frame_equal(load_accessed_sites(), bundled_world.accessed_sites)
    pd.testing.assert_frame_equal(load_providers(), bundled_world.providers)


def test_bundled_parquet_bytes_are_reproducible(bundled_world: synthetic.SyntheticWorld) -> None:
    folder = ROOT / "datasets" / "synthetic"
    assert (folder / "registry.parquet").read_bytes() == _parquet_bytes(bundled_world.filings)
    assert (folder / "providers.parquet").read_bytes() == _parquet_bytes(bundled_world.providers)
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for name in (
        "registry.parquet",
        "registry_zh.csv",
        "registry_sample.xlsx",
        "accessed_sites.parquet",
        "providers.parquet",
    ):
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert digest in readme, name
    assert "python -m beian_audit.synthetic build" in readme


def test_bundled_csv_and_xlsx() -> None:
    import openpyxl

    folder = ROOT / "datasets" / "synthetic"
    raw = (folder / "registry_zh.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    header = next(reader)
    assert header == [c.label_zh for c in FILING_SCHEMA]
    assert sum(1 for _ in reader) == synthetic.BUNDLED_N_WEBSITES
    wb = openpyxl.load_workbook(folder / "registry_sample.xlsx", read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert list(rows[0]) == [c.label_zh for c in FILING_SCHEMA]
    assert len(rows) == 201
    registry = load_synthetic_registry()
    assert rows[1][0] == registry.loc[0, "website_id"]
    assert rows[1][FILING_SCHEMA.names.index("sponsor_name")] == registry.loc[0, "sponsor_name"]


def test_bundled_csv_round_trips() -> None:
    registry = load_synthetic_registry()
    text = pd.read_csv(
        ROOT / "datasets" / "synthetic" / "registry_zh.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    assert list(text.columns) == [c.label_zh for c in FILING_SCHEMA]
    for col in FILING_SCHEMA:
        got = text[col.label_zh]
        if col.kind == "string":  # missing values are written as empty fields
            expected = registry[col.name].fillna("").astype(object)
        elif col.kind == "boolean":
            expected = registry[col.name].map({True: "True", False: "False"}).astype(object)
        else:
            expected = registry[col.name].dt.strftime("%Y-%m-%d").astype(object)
        assert got.astype(object).equals(expected), col.name


@pytest.mark.parametrize(
    ("loader", "schema"),
    [
        (load_synthetic_registry, FILING_SCHEMA),
        (load_providers, PROVIDER_SCHEMA),
        (load_accessed_sites, ACCESSED_SITES_SCHEMA),
    ],
)
def test_loaders_return_canonical_dtypes(loader, schema) -> None:  # type: ignore[no-untyped-def]
    frame = loader()
    assert list(frame.columns) == schema.names
    for col in schema:
        assert frame[col.name].dtype == col.dtype, col.name


def test_loaders_work_from_an_installed_layout(tmp_path: Path) -> None:
    # The wheel maps datasets/synthetic/ to beian_audit/_datasets/; rebuild that layout
    # away from the checkout and load from it in a fresh interpreter.
    package = tmp_path / "site" / "beian_audit"
    shutil.copytree(
        ROOT / "src" / "beian_audit", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    (package / "_datasets").mkdir()
    for name in ("registry.parquet", "accessed_sites.parquet", "providers.parquet"):
        shutil.copy(ROOT / "datasets" / "synthetic" / name, package / "_datasets" / name)
    code = (
        "import beian_audit.synthetic as s; import beian_audit.synthetic.bundled as b; "
        "print(b._dataset_file('registry.parquet')); "
        "print(len(s.load_synthetic_registry()), len(s.load_accessed_sites()), "
        "len(s.load_providers()))"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    first, counts = result.stdout.splitlines()
    assert Path(first).parent == package / "_datasets"
    assert counts.split()[0] == str(synthetic.BUNDLED_N_WEBSITES)


def test_missing_bundled_file_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_BUNDLED_FILES, "registry", "no_such_file.parquet")
    with pytest.raises(SyntheticDataNotFoundError, match=r"python -m beian_audit\.synthetic build"):
        load_synthetic_registry()
    assert issubclass(SyntheticDataNotFoundError, BeianAuditError)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert synthetic.main(["summary", "--n", "2000", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "sponsor_accuracy" in out and "generate_world(2000, seed=1)" in out
    assert synthetic.main(["summary"]) == 0
    assert "bundled registry" in capsys.readouterr().out
    first, second = tmp_path / "a", tmp_path / "b"
    synthetic.main(["build", "--out", str(first), "--n", "400", "--seed", "9"])
    synthetic.main(["build", "--out", str(second), "--n", "400", "--seed", "9"])
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    assert {p.name for p in first.iterdir()} == {
        "registry.parquet",
        "registry_zh.csv",
        "registry_sample.xlsx",
        "accessed_sites.parquet",
        "providers.parquet",
        "README.md",
    }
