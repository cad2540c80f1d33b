"""Tests of beian_audit.reporting.blacklist.

Expected hits are worked out by hand for the small frames (each case says
why); on the synthetic registry they are compared with a plain pandas
selection of the rows that carry the blacklisted raw values.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beian_audit.errors import DataQualityWarning, SchemaError
from beian_audit.reporting import BlacklistMatch, match_blacklist
from beian_audit.reporting.blacklist import _ascii_host, _loose

# a valid unified social credit code and its embedded organisation code (checked by
# beian_audit.checks.identity; the code is fictitious)
USCC = "91520122MAM2RJFDXQ"
ORG = "MAM2RJFD-X"


@pytest.fixture()
def registry() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "website_id": ["W1", "W2", "W3", "W4", "W5", "W6"],
            "provider_id": ["P1", "P1", "P2", "P2", "P3", "P3"],
            "sponsor_cert_number": [USCC.lower(), ORG, "370213196602217463", "X", None, "Y"],
            "sponsor_principal_id_number": [None, None, None, "37021319660221000x", None, None],
            "domain": [
                "www.bad.cn",
                "good.cn",
                "bad.cn.evil.com",
                "a.b.shop.example.cn",
                "www.example.cn",
                "例子.中国",
            ],
            "sponsor_principal_mobile": [
                "+86 133 2918 5769",
                "13329185768",
                None,
                "８６１３３２９１８５７６９",
                None,
                None,
            ],
            "website_icp_number": [
                "浙ICP备13000001号-1",
                "浙ICP备13000002号-1",
                "浙ICP备13000002号-2",
                None,
                None,
                "京icp备10046444号-3",
            ],
            "approval_date": pd.to_datetime(
                ["2013-01-01", "2013-06-01", None, None, None, "2013-07-01"]
            ),
        }
    )


def _kinds(match: BlacklistMatch) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for row in match.hits.itertuples():
        out.setdefault(row.key, []).append((row.kind, row.rule))
    return {k: sorted(v) for k, v in out.items()}


def test_each_kind_and_rule(registry):
    blacklist = pd.DataFrame(
        {
            "kind": [
                "sponsor",
                "sponsor",
                "domain",
                "domain",
                "mobile",
                "website",
                "website",
                "domain",
                "sponsor",
            ],
            "value": [
                USCC,
                "370213196602217463",
                "bad.cn",
                "shop.example.cn",
                "133-2918-5769",
                "浙ICP备13000002号",
                "W6",
                "xn--fsqu00a.xn--fiqs8s",
                "37021319660221000X",
            ],
            "reason": ["fraud"] * 9,
            "listed_on": ["2013-03-01"] * 9,
        }
    )
    m = match_blacklist(registry, blacklist)
    assert m.source == "registry" and m.key == "website_id"
    assert _kinds(m) == {
        # USCC upper-cased; www.bad.cn is a subdomain of bad.cn; mobile in +86 form
        "W1": [("domain", "subdomain"), ("mobile", "e164"), ("sponsor", "credit_code")],
        # the organisation code inside the blacklisted credit code; sponsor number -> its -1
        "W2": [("sponsor", "org_code_in_credit_code"), ("website", "sponsor_icp_number")],
        # resident ID; bad.cn.evil.com is NOT under bad.cn; -2 covered by the sponsor number
        "W3": [("sponsor", "resident_id"), ("website", "sponsor_icp_number")],
        # principal's ID with a lower-case x; a.b.shop.example.cn under shop.example.cn;
        # the mobile with a full-width 86 prefix
        "W4": [("domain", "subdomain"), ("mobile", "e164"), ("sponsor", "resident_id")],
        # (W5: www.example.cn is a sibling of shop.example.cn, not under it: no hit)
        # IDN in Unicode form matches its ASCII form; website id
        "W6": [("domain", "domain"), ("website", "website_id")],
    }
    assert not m.hits["accessed_again"].any()
    # approved on or after the listing date (2013-03-01)? W1 before, W2 after, W3 unknown
    after = m.hits.drop_duplicates("key").set_index("key")["after_listing"]
    assert after.loc[["W1", "W2"]].tolist() == [False, True]
    assert after["W3"] is pd.NA
    assert set(m.hits["reason"]) == {"fraud"}


def test_hits_per_provider_and_rows(registry):
    blacklist = pd.DataFrame({"kind": ["domain", "mobile"], "value": ["bad.cn", "13329185769"]})
    m = match_blacklist(registry, blacklist)
    per = m.hits_per_provider()
    # P1: W1 (domain + mobile); P2: W4 (mobile)
    assert per["provider_id"].tolist() == ["P1", "P2"]
    assert per["rows_hit"].tolist() == [1, 1]
    assert per["hits"].tolist() == [2, 1]
    assert per[["sponsor", "domain", "mobile", "website"]].to_numpy().tolist() == [
        [0, 1, 1, 0],
        [0, 0, 1, 0],
    ]
    rows = m.rows_hit()
    assert rows["key"].tolist() == ["W1", "W4"]
    assert rows["kinds"].tolist() == ["domain;mobile", "mobile"]


def test_accessed_sites_hits_are_accessed_again():
    sites = pd.DataFrame(
        {
            "site_id": ["S1", "S2", "S3"],
            "provider_id": ["P1", "P2", "P2"],
            "domain": ["m.bad.cn", "fine.cn", "BAD.CN"],
        }
    )
    m = match_blacklist(sites, pd.DataFrame({"kind": ["domain"], "value": ["bad.cn"]}))
    assert m.source == "accessed_sites" and m.key == "site_id"
    again = m.accessed_again
    assert again["key"].tolist() == ["S1", "S3"]
    assert again["rule"].tolist() == ["subdomain", "domain"]
    assert "accessed_again=2" in repr(m)
    assert m.hits_per_provider()["rows_hit"].tolist() == [1, 1]


def test_values_are_masked_unless_revealed(registry):
    blacklist = pd.DataFrame({"kind": ["sponsor", "mobile"],
                              "value": ["370213196602217463", "13329185769"]})  # fmt: skip
    m = match_blacklist(registry, blacklist)
    shown = m.to_frame()
    rendered = shown.to_string() + repr(m) + m._repr_html_() + m.to_json()
    for raw in ("370213196602217463", "13329185769", "+86 133 2918 5769", "3329185769"):
        assert raw not in rendered
    assert "370213********7463" in shown["value"].tolist()
    raw = m.to_frame(reveal=True)
    assert "370213196602217463" in raw["value"].tolist()


def test_to_csv_masks(registry, tmp_path):
    m = match_blacklist(registry, pd.DataFrame({"kind": ["mobile"], "value": ["13329185769"]}))
    text = m.to_csv(tmp_path / "hits.csv").read_text(encoding="utf-8-sig")
    assert "13329185769" not in text and "133****5769" in text


def test_no_hits_and_columns_override(registry):
    m = match_blacklist(registry, pd.DataFrame({"kind": ["domain"], "value": ["nowhere.cn"]}))
    assert m.hits.empty and m.hits_per_provider().empty and m.rows_hit().empty
    assert list(m.to_frame().columns)[:4] == ["row", "key", "provider_id", "kind"]
    reg = registry.assign(other_mobile=["13912345678"] + [None] * 5)
    bl = pd.DataFrame({"kind": ["mobile"], "value": ["139 1234 5678"]})
    assert match_blacklist(reg, bl).hits.empty
    m = match_blacklist(reg, bl, columns={"mobile": ["other_mobile"]})
    assert m.hits["key"].tolist() == ["W1"]
    m = match_blacklist(reg.drop(columns="website_id"), bl, columns={"mobile": "other_mobile"})
    assert m.key == "(position)" and m.hits["key"].tolist() == [0]


def test_bad_blacklist():
    frame = pd.DataFrame({"website_id": ["W1"], "domain": ["a.cn"]})
    with pytest.raises(SchemaError) as err:
        match_blacklist(frame, pd.DataFrame({"kind": ["domain", "ip", "mobile"],
                                             "value": ["a.cn", "1.2.3.4", None]}))  # fmt: skip
    cases = err.value.failure_cases
    assert cases[["row", "reason"]].to_numpy().tolist() == [[1, "unknown_kind"], [2, "missing"]]
    with pytest.raises(SchemaError, match="lacks"):
        match_blacklist(frame, pd.DataFrame({"value": ["a.cn"]}))
    with pytest.raises(ValueError, match="source"):
        match_blacklist(frame, pd.DataFrame({"kind": ["domain"], "value": ["a.cn"]}),
                        source="other")  # type: ignore[arg-type]  # fmt: skip
    with pytest.warns(DataQualityWarning, match="could not be normalised"):
        m = match_blacklist(frame, pd.DataFrame({"kind": ["domain", "mobile"],
                                                 "value": ["com.cn", "not a phone"]}))  # fmt: skip
    assert sorted(m.unusable["kind"]) == ["domain", "mobile"]


def test_synthetic_registry_hits_equal_plain_selection():
    from beian_audit.synthetic import generate_world

    world = generate_world(3000, seed=8)
    reg = world.filings
    rng = np.random.default_rng(0)
    picks = reg.iloc[rng.choice(len(reg), size=40, replace=False)]
    ids = picks["sponsor_cert_number"].dropna().iloc[:15]
    mobiles = picks["sponsor_principal_mobile"].dropna().iloc[15:30]
    domains = picks["domain"].dropna().iloc[30:]
    blacklist = pd.concat(
        [
            pd.DataFrame({"kind": "sponsor", "value": ids.to_numpy()}),
            pd.DataFrame({"kind": "mobile", "value": mobiles.to_numpy()}),
            pd.DataFrame({"kind": "domain", "value": domains.to_numpy()}),
        ],
        ignore_index=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # invalid synthetic phones
        m = match_blacklist(reg, blacklist)
    got = {(k, kind) for k, kind in zip(m.hits["key"], m.hits["kind"], strict=True)}
    # plain selection: rows carrying exactly the blacklisted raw values (a superset
    # check, because normalised matching can also find re-spelled values)
    plain = set()
    plain |= {(w, "sponsor") for w in reg.loc[reg["sponsor_cert_number"].isin(ids), "website_id"]}
    phone_cols = [c for c in reg.columns if c.endswith(("_mobile", "_phone"))]
    mobile_rows = reg[phone_cols].isin(set(mobiles)).any(axis=1)
    plain |= {(w, "mobile") for w in reg.loc[mobile_rows, "website_id"]}
    plain |= {(w, "domain") for w in reg.loc[reg["domain"].isin(domains), "website_id"]}
    valid_mobiles = set(m.hits.loc[m.hits["kind"] == "mobile", "blacklist_value"])
    plain = {
        (w, k) for w, k in plain
        if k != "mobile" or reg.set_index("website_id").loc[w, phone_cols].isin(valid_mobiles).any()
    }  # fmt: skip
    assert plain <= got
    assert len(got) >= 30


# --------------------------------------------------------------------------- pre-filter
_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@st.composite
def _reformatted(draw, values: list[str]) -> tuple[str, str]:
    """A value of the synthetic registry, re-spelled as people type it."""
    raw = draw(st.sampled_from(values))
    text = raw
    if draw(st.booleans()):
        text = text.lower()
    if draw(st.booleans()):
        text = text.translate(_FULL_WIDTH)
    cut = draw(st.integers(0, len(text)))
    sep = draw(st.sampled_from(["", " ", "-", ".", "\t"]))
    text = draw(st.sampled_from(["", " "])) + text[:cut] + sep + text[cut:]
    return raw, text


@pytest.fixture(scope="module")
def synthetic_ids() -> list[str]:
    from beian_audit.synthetic import generate_world

    reg = generate_world(400, seed=4).filings
    values = pd.concat([reg["sponsor_cert_number"], reg["sponsor_principal_id_number"]])
    return sorted(set(values.dropna()))


@settings(max_examples=60)
@given(data=st.data())
def test_normalised_identity_equals_loose_text(synthetic_ids, data):
    # the pre-filter relies on this: every normalised form is the NFKC upper-case
    # letters-and-digits text of the input
    from beian_audit.checks.identity import check_credit_code, check_org_code, check_resident_id

    _, text = data.draw(_reformatted(synthetic_ids))
    loose = _loose(pd.Series([text], dtype=object))[0]
    for check in (check_resident_id, check_credit_code, check_org_code):
        normalised = check([text])["normalised"][0]
        if isinstance(normalised, str):
            assert normalised == loose


@settings(max_examples=60)
@given(
    labels=st.lists(
        st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True), min_size=1, max_size=3
    ),
    suffix=st.sampled_from(["cn", "com.cn", "com", "net", "org.cn"]),
    scheme=st.sampled_from(["", "http://", "HTTPS://"]),
    tail=st.sampled_from(["", "/", "/a/b?x=1", ":8080", ":8080/index.html", "."]),
    upper=st.booleans(),
)
def test_ascii_host_equals_check_domain(labels, suffix, scheme, tail, upper):
    from beian_audit.checks.network import check_domain

    value = scheme + ".".join([*labels, suffix]) + tail
    value = value.upper() if upper else value
    checked = check_domain([value])
    if checked["valid"][0]:
        assert _ascii_host(pd.Series([value]))[0] == checked["host"][0]


def test_prefilter_never_drops_a_match(synthetic_ids, monkeypatch):
    from beian_audit.reporting import blacklist as module
    from beian_audit.synthetic import generate_world

    original = generate_world(400, seed=4).filings
    reg = original.copy()
    rng = np.random.default_rng(1)
    # re-spell a third of the identifiers and mobiles the way people type them
    pick = rng.random(len(reg)) < 0.33
    reg.loc[pick, "sponsor_cert_number"] = (
        reg.loc[pick, "sponsor_cert_number"].str.lower().str.slice_replace(4, 4, "-")
    )
    reg.loc[pick, "sponsor_principal_mobile"] = "+86 " + reg.loc[pick, "sponsor_principal_mobile"]
    reg.loc[pick, "domain"] = "http://WWW." + reg.loc[pick, "domain"] + "/index.html"
    blacklist = pd.DataFrame(
        {
            "kind": ["sponsor"] * 40 + ["mobile"] * 40 + ["domain"] * 40 + ["website"] * 40,
            "value": [
                *synthetic_ids[:40],
                *original["sponsor_principal_mobile"][:40],
                *original["domain"][:40],
                *original["sponsor_icp_number"][:40],
            ],
        }
    ).dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        fast = match_blacklist(reg, blacklist).hits
        monkeypatch.setattr(module, "_candidates", lambda values, *a: np.ones(len(values), bool))
        slow = match_blacklist(reg, blacklist).hits
    pd.testing.assert_frame_equal(fast, slow)
    assert len(fast) > 80
