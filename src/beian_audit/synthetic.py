"""A synthetic national ICP filing registry with ground truth (DOMAIN.md §7).

:func:`generate_world` builds a whole fictitious registry: access providers with
announced IP ranges, sponsors (主体) with certificates, addresses and principals,
their websites with filing numbers, domains and access information, the lists of
sites each provider says it hosts, and — the point of it all — the **ground
truth** of every record: which sponsor and access blocks are really correct, and
which defects were injected. Estimators and validators can then be checked
against the truth instead of against each other.

Every number that shapes the registry is a documented *assumption* calibrated to
the public figures in DOMAIN.md §4 and §7 (3.5 M websites, 1.25 websites per
sponsor, ~1,000 providers with the largest near 17 %, sponsor accuracy ≈ 70 %,
access accuracy ≈ 78 %, filing rate of hosted sites 99.0–99.5 %). The full list
with defaults is :data:`DEFAULT_PARAMS` and the defect codes are
:data:`DEFECT_CODES`.

The output is a function of ``(n_websites, seed, params)`` only: one
``numpy.random.default_rng(seed)`` (PCG64) stream consumed in a fixed order,
vectorised numpy / pyarrow, no Python ``hash()`` and no set or dict-hash order.

All persons, companies, numbers and addresses are random and fictitious; any
resemblance to a real person's ID or phone number is coincidental — never call
or mail them.

Examples
--------
>>> from beian_audit.synthetic import generate_world, realised_rates
>>> world = generate_world(2_000, seed=7)
>>> world.filings.shape[0], world.filings["website_id"].is_unique
(2000, True)
>>> bool(world.filings["provider_id"].isin(world.providers["provider_id"]).all())
True
>>> rates = realised_rates(world).to_frame().set_index("metric")
>>> float(rates.loc["sponsor_accuracy", "expected"])
0.7
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import re
import sys
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import (
    BeianAuditError,
    SyntheticDataNotFoundError,
    SyntheticParameterError,
)
from beian_audit.schema import ACCESSED_SITES_SCHEMA, FILING_SCHEMA, PROVIDER_SCHEMA, Schema

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = [
    "DEFAULT_PARAMS",
    "DEFECT_CODES",
    "DefectCode",
    "SyntheticDataNotFoundError",
    "SyntheticParameterError",
    "SyntheticRates",
    "SyntheticWorld",
    "build_bundled",
    "defect_codes",
    "expected_rates",
    "generate_registry",
    "generate_world",
    "load_accessed_sites",
    "load_providers",
    "load_synthetic_registry",
    "main",
    "realised_rates",
]

#: Version of the generator algorithm; bump when the same seed gives other data.
GENERATOR_VERSION = "1"

#: Seed and size of the bundled registry in ``datasets/synthetic/``.
BUNDLED_SEED = 2013
BUNDLED_N_WEBSITES = 35_000


# --------------------------------------------------------------------------- errors


# --------------------------------------------------------------------------- defect codes


@dataclass(frozen=True, slots=True, kw_only=True)
class DefectCode:
    """One injected defect: its code, block, how it can be detected and its meaning.

    ``detect`` is ``"record"`` when a machine can decide it from the record alone,
    ``"registry"`` when it needs other records of the registry, ``"dns"`` when it
    needs a DNS lookup and the providers' IP ranges, and ``"human"`` when only a
    human verifier (calling, visiting, querying an authoritative register) finds it.
    """

    code: str
    block: Literal["sponsor", "access"]
    detect: Literal["record", "registry", "dns", "human"]
    group: str
    description: str


DEFECT_CODES: tuple[DefectCode, ...] = (
    DefectCode(
        code="phone_malformed",
        block="sponsor",
        detect="record",
        group="phone",
        description="Mobile of wrong length or with a letter, or office phone without "
        "area code or one digit short: fails phonenumbers.",
    ),
    DefectCode(
        code="phone_placeholder",
        block="sponsor",
        detect="record",
        group="phone",
        description="Mobile is a placeholder such as 13800000000 or repeated digits.",
    ),
    DefectCode(
        code="phone_dead",
        block="sponsor",
        detect="human",
        group="phone",
        description="Valid-looking mobile that is not in service (空号); found by calling.",
    ),
    DefectCode(
        code="ring_shared_mobile",
        block="sponsor",
        detect="registry",
        group="phone",
        description="Member of a ring of unrelated sponsors sharing one mobile (fake filings).",
    ),
    DefectCode(
        code="email_invalid",
        block="sponsor",
        detect="record",
        group="email",
        description="Email that fails syntax (two @, no @, no dot, '..', '.@', comma).",
    ),
    DefectCode(
        code="email_typo_domain",
        block="sponsor",
        detect="record",
        group="email",
        description="Email at a mistyped webmail domain (qq.con, 163.cm …): valid syntax.",
    ),
    DefectCode(
        code="address_no_door",
        block="sponsor",
        detect="record",
        group="address",
        description="Postal address stops at the road or estate: no door number, no 号.",
    ),
    DefectCode(
        code="address_fictitious",
        block="sponsor",
        detect="human",
        group="address",
        description="Well-formed postal address that does not exist; found on a visit.",
    ),
    DefectCode(
        code="address_province_mismatch",
        block="sponsor",
        detect="record",
        group="address",
        description="Postal address lies in another province than the declared one.",
    ),
    DefectCode(
        code="id_checksum",
        block="sponsor",
        detect="record",
        group="identity",
        description="Check character of the credit code or resident ID number is wrong.",
    ),
    DefectCode(
        code="id_name_mismatch",
        block="sponsor",
        detect="human",
        group="identity",
        description="Valid certificate number that belongs to another name (register query).",
    ),
    DefectCode(
        code="nature_cert_mismatch",
        block="sponsor",
        detect="record",
        group="identity",
        description="Nature contradicts certificate: a …公司 filed as 个人, or an "
        "organisation filed with a resident ID card.",
    ),
    DefectCode(
        code="icp_prefix_mismatch",
        block="sponsor",
        detect="record",
        group="icp",
        description="Province prefix of the filing number differs from the sponsor's province.",
    ),
    DefectCode(
        code="stale_contact",
        block="sponsor",
        detect="human",
        group="stale",
        description="Contact details were right once but are out of date; found by calling.",
    ),
    DefectCode(
        code="domain_unresolved",
        block="access",
        detect="dns",
        group="access",
        description="The domain does not resolve (resolved_ip is missing).",
    ),
    DefectCode(
        code="hosted_elsewhere",
        block="access",
        detect="dns",
        group="access",
        description="The domain resolves into another provider's announced range.",
    ),
    DefectCode(
        code="ip_not_filed",
        block="access",
        detect="dns",
        group="access",
        description="Resolves inside the filed provider's range but not to a filed IP.",
    ),
)

_SPONSOR_CODES = tuple(d.code for d in DEFECT_CODES if d.block == "sponsor")
_ACCESS_CODES = tuple(d.code for d in DEFECT_CODES if d.block == "access")
_CODE_BIT = {d.code: i for i, d in enumerate(DEFECT_CODES)}


def defect_codes() -> pd.DataFrame:
    """The defect codes as a table (code, block, detect, group, description).

    Examples
    --------
    >>> t = defect_codes()
    >>> t.loc[t["code"] == "id_checksum", "detect"].item()
    'record'
    >>> sorted(t["block"].unique())
    ['access', 'sponsor']
    """
    return pd.DataFrame(
        {
            "code": [d.code for d in DEFECT_CODES],
            "block": [d.block for d in DEFECT_CODES],
            "detect": [d.detect for d in DEFECT_CODES],
            "group": [d.group for d in DEFECT_CODES],
            "description": [d.description for d in DEFECT_CODES],
        }
    )


# --------------------------------------------------------------------------- parameters

_NATURES = ("企业", "个人", "事业单位", "政府机关", "社会团体", "民办非企业单位", "基金会")
_ACCESS_MODES = ("专线", "主机托管", "虚拟主机", "云接入", "其他")
_HUBS = ("广东省", "北京市", "浙江省", "江苏省", "上海市")

#: Every generator parameter with its default. All are modelling assumptions,
#: calibrated to DOMAIN.md §4 / §7 where a public figure exists; see
#: ``docs/synthetic.md`` for the reasoning behind each one.
DEFAULT_PARAMS: Mapping[str, Any] = {
    # structure
    "n_providers": None,
    "websites_per_sponsor": 1.25,
    "sponsor_tail_share": 0.001,
    "sponsor_tail_alpha": 1.8,
    "sponsor_tail_min": 5,
    "sponsor_tail_max": 300,
    "provider_largest_share": 0.17,
    "provider_top10_share": 0.50,
    "provider_hub_share": 0.65,
    "national_provider_share": 0.1,
    "nature_mix": {
        "企业": 0.648,
        "个人": 0.296,
        "事业单位": 0.026,
        "政府机关": 0.016,
        "社会团体": 0.012,
        "民办非企业单位": 0.002,
    },
    "server_in_sponsor_province": 0.35,
    "access_mode_mix": {
        "专线": 0.08,
        "主机托管": 0.22,
        "虚拟主机": 0.50,
        "云接入": 0.15,
        "其他": 0.05,
    },
    "approval_first_year": 2005,
    "approval_last_year": 2013,
    "approval_growth": 1.25,
    "idn_share": 0.01,
    "two_ip_share": 0.3,
    # people and contacts
    "same_principal_org": 0.6,
    "same_principal_person": 0.95,
    "office_phone_is_mobile": 0.15,
    "detailed_address_remark": 0.02,
    # truth
    "sponsor_accuracy": 0.70,
    "access_accuracy": 0.78,
    "provider_quality_concentration": 10.0,
    "sponsor_defect_mix": {
        "phone_malformed": 0.08,
        "phone_placeholder": 0.04,
        "phone_dead": 0.20,
        "ring_shared_mobile": 0.06,
        "email_invalid": 0.04,
        "email_typo_domain": 0.04,
        "address_no_door": 0.10,
        "address_fictitious": 0.06,
        "address_province_mismatch": 0.04,
        "id_checksum": 0.05,
        "id_name_mismatch": 0.10,
        "nature_cert_mismatch": 0.04,
        "icp_prefix_mismatch": 0.03,
        "stale_contact": 0.12,
    },
    "second_defect_rate": 0.25,
    "ring_size_mean": 6.0,
    "access_defect_mix": {
        "domain_unresolved": 0.40,
        "hosted_elsewhere": 0.40,
        "ip_not_filed": 0.20,
    },
    "filing_rate": 0.9925,
    "provider_laxity_sigma": 1.5,
    "material_uploaded": 0.80,
    "integration_passed": 0.85,
}

_RATE_PARAMS = (
    "sponsor_tail_share",
    "provider_largest_share",
    "provider_top10_share",
    "provider_hub_share",
    "national_provider_share",
    "server_in_sponsor_province",
    "idn_share",
    "two_ip_share",
    "same_principal_org",
    "same_principal_person",
    "office_phone_is_mobile",
    "detailed_address_remark",
    "sponsor_accuracy",
    "access_accuracy",
    "second_defect_rate",
    "filing_rate",
    "material_uploaded",
    "integration_passed",
)
_MIX_KEYS: dict[str, tuple[str, ...]] = {
    "nature_mix": _NATURES,
    "access_mode_mix": _ACCESS_MODES,
    "sponsor_defect_mix": _SPONSOR_CODES,
    "access_defect_mix": _ACCESS_CODES,
}


def _fmt_allowed(values: Sequence[str]) -> str:
    return ", ".join(repr(v) for v in values)


def _resolve_params(n_websites: object, seed: object, params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate user parameters and return the effective ones (defaults filled in)."""
    if isinstance(n_websites, bool) or not isinstance(n_websites, int | np.integer):
        raise SyntheticParameterError(f"n_websites ({n_websites!r}) must be a positive integer")
    if n_websites < 1:
        raise SyntheticParameterError(f"n_websites ({n_websites!r}) must be a positive integer")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SyntheticParameterError(f"seed ({seed!r}) must be a non-negative integer")
    unknown = sorted(k for k in params if k not in DEFAULT_PARAMS)
    if unknown:
        raise SyntheticParameterError(
            f"unknown parameter(s) {_fmt_allowed(unknown)}; allowed parameters are "
            f"{_fmt_allowed(list(DEFAULT_PARAMS))}"
        )
    out: dict[str, Any] = {}
    for key, default in DEFAULT_PARAMS.items():
        value = params.get(key, default)
        if key in _MIX_KEYS:
            out[key] = _check_mix(key, value, _MIX_KEYS[key])
        elif key in _RATE_PARAMS:
            out[key] = _check_number(key, value, 0.0, 1.0)
        elif key == "n_providers":
            if value is None:
                value = max(30, round(int(n_websites) / 3500))
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise SyntheticParameterError(
                    f"n_providers ({value!r}) must be None or a positive integer"
                )
            out[key] = int(value)
        elif key in (
            "sponsor_tail_min",
            "sponsor_tail_max",
            "approval_first_year",
            "approval_last_year",
        ):
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise SyntheticParameterError(f"{key} ({value!r}) must be an integer")
            out[key] = int(value)
        else:
            out[key] = _check_number(key, value, 0.0, math.inf)
    if out["websites_per_sponsor"] < 1:
        raise SyntheticParameterError(
            f"websites_per_sponsor ({out['websites_per_sponsor']!r}) must be at least 1"
        )
    if not 1 <= out["sponsor_tail_min"] <= out["sponsor_tail_max"]:
        raise SyntheticParameterError(
            "sponsor_tail_min and sponsor_tail_max must satisfy 1 <= min <= max, got "
            f"{out['sponsor_tail_min']!r} and {out['sponsor_tail_max']!r}"
        )
    if out["sponsor_tail_alpha"] <= 0:
        raise SyntheticParameterError(
            f"sponsor_tail_alpha ({out['sponsor_tail_alpha']!r}) must be positive"
        )
    if not 1990 <= out["approval_first_year"] <= out["approval_last_year"] <= 2100:
        raise SyntheticParameterError(
            "approval_first_year and approval_last_year must satisfy 1990 <= first <= last "
            f"<= 2100, got {out['approval_first_year']!r} and {out['approval_last_year']!r}"
        )
    if out["approval_growth"] <= 0 or out["ring_size_mean"] < 3:
        raise SyntheticParameterError(
            "approval_growth must be positive and ring_size_mean at least 3, got "
            f"{out['approval_growth']!r} and {out['ring_size_mean']!r}"
        )
    if out["provider_quality_concentration"] <= 0:
        raise SyntheticParameterError(
            "provider_quality_concentration "
            f"({out['provider_quality_concentration']!r}) must be positive"
        )
    if out["filing_rate"] <= 0:
        raise SyntheticParameterError(f"filing_rate ({out['filing_rate']!r}) must be positive")
    if out["n_providers"] > 10 and not (
        out["provider_top10_share"] / 10
        <= out["provider_largest_share"]
        < out["provider_top10_share"]
        < 1
    ):
        raise SyntheticParameterError(
            "provider_largest_share and provider_top10_share must satisfy top10/10 <= largest "
            f"< top10 < 1, got {out['provider_largest_share']!r} and "
            f"{out['provider_top10_share']!r}"
        )
    _tail_and_body(out)  # raises when the sponsor-size parameters are inconsistent
    out["n_websites"] = int(n_websites)
    out["seed"] = int(seed)
    out["generator_version"] = GENERATOR_VERSION
    return out


def _check_number(key: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise SyntheticParameterError(f"{key} ({value!r}) must be a number")
    value = float(value)
    if not (low <= value <= high) or math.isnan(value):
        raise SyntheticParameterError(f"{key} ({value!r}) must be between {low} and {high}")
    return value


def _check_mix(key: str, value: object, allowed: tuple[str, ...]) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise SyntheticParameterError(f"{key} ({value!r}) must be a mapping of category -> weight")
    bad = sorted(str(k) for k in value if k not in allowed)
    if bad:
        raise SyntheticParameterError(
            f"{key} has unknown categories {_fmt_allowed(bad)}; allowed are {_fmt_allowed(allowed)}"
        )
    weights = {k: _check_number(f"{key}[{k!r}]", value.get(k, 0.0), 0.0, math.inf) for k in allowed}
    total = sum(weights.values())
    if total <= 0:
        raise SyntheticParameterError(f"{key} must have a positive total weight")
    return {k: w / total for k, w in weights.items()}


def _tail_and_body(p: Mapping[str, Any]) -> tuple[float, float]:
    """Mean of the Pareto tail and of the geometric body of websites per sponsor."""
    xmin, xmax, alpha = p["sponsor_tail_min"], p["sponsor_tail_max"], p["sponsor_tail_alpha"]
    k = np.arange(xmin + 1, xmax + 1, dtype=float)
    tail_mean = float(xmin + np.sum((xmin / k) ** alpha))
    tau = p["sponsor_tail_share"]
    if tau >= 1:
        raise SyntheticParameterError("sponsor_tail_share must be below 1")
    body_mean = (p["websites_per_sponsor"] - tau * tail_mean) / (1 - tau)
    if body_mean < 1:
        raise SyntheticParameterError(
            f"websites_per_sponsor ({p['websites_per_sponsor']!r}) is too small for the Pareto "
            f"tail (share {tau!r}, mean {tail_mean:.3g}); lower sponsor_tail_share"
        )
    return tail_mean, body_mean


# --------------------------------------------------------------------------- reference data

# City (or municipality) GB/T 2260 code : telephone area code without the trunk 0 :
# subscriber-number length. Derived once from the phonenumbers geocoder (zh) and the
# CN fixed-line metadata; tests/test_synthetic.py checks every entry against both.
_AREA_CODES = """
110000:10:8 120000:22:8 130100:311:8 130200:315:7 130300:335:7 130400:310:7 130500:319:7
130600:312:7 130700:313:7 130800:314:7 130900:317:7 131000:316:7 131100:318:7
140100:351:7 140200:352:7 140300:353:7 140400:355:7 140500:356:7 140600:349:7
140700:354:7 140800:359:7 140900:350:7 141000:357:7 141100:358:7 150100:471:7
150200:472:7 150300:473:7 150400:476:7 150500:475:7 150600:477:7 150700:470:7
150800:478:7 150900:474:7 152200:482:7 152500:479:7 152900:483:7 210100:24:8
210200:411:8 210300:412:7 210400:24:8 210500:24:8 210600:415:7 210700:416:7 210800:417:7
210900:418:7 211000:419:7 211100:427:7 211200:24:8 211300:421:7 211400:429:7
220100:431:8 220200:432:8 220300:434:7 220400:437:7 220500:435:8 220600:439:7
220700:438:7 220800:436:7 222400:433:8 230100:451:8 230200:452:7 230300:467:7
230400:468:7 230500:469:7 230600:459:7 230700:458:7 230800:454:7 230900:464:7
231000:453:7 231100:456:7 231200:455:7 232700:457:7 310000:21:8 320100:25:8 320200:510:8
320300:516:8 320400:519:8 320500:512:8 320600:513:8 320700:518:8 320800:517:8
320900:515:8 321000:514:8 321100:511:8 321200:523:8 321300:527:8 330100:571:8
330200:574:8 330300:577:8 330400:573:8 330500:572:7 330600:575:8 330700:579:8
330800:570:7 330900:580:7 331000:576:8 331100:578:7 340100:551:8 340200:553:7
340300:552:7 340400:554:7 340500:555:7 340600:561:7 340700:562:7 340800:556:7
341000:559:7 341100:550:7 341200:558:7 341300:557:7 341500:564:7 341600:558:7
341700:566:7 341800:563:7 350100:591:8 350200:592:7 350300:594:7 350400:598:7
350500:595:8 350600:596:7 350700:599:7 350800:597:7 350900:593:7 360100:791:8
360200:798:7 360300:799:7 360400:792:7 360500:790:7 360600:701:7 360700:797:7
360800:796:7 360900:795:7 361000:794:7 361100:793:7 370100:531:8 370200:532:8
370300:533:7 370400:632:7 370500:546:7 370600:535:7 370700:536:7 370800:537:7
370900:538:7 371000:631:7 371100:633:7 371300:539:7 371400:534:7 371500:635:7
371600:543:7 371700:530:7 410100:371:8 410200:371:8 410300:379:8 410400:375:7
410500:372:7 410600:392:7 410700:373:7 410800:391:7 410900:393:7 411000:374:7
411100:395:7 411200:398:7 411300:377:8 411400:370:7 411500:376:7 411600:394:7
411700:396:7 420100:27:8 420200:714:7 420300:719:7 420500:717:7 420600:710:7
420700:711:7 420800:724:7 420900:712:7 421000:716:7 421100:713:7 421200:715:7
421300:722:7 422800:718:7 430100:731:8 430200:731:8 430300:731:8 430400:734:7
430500:739:7 430600:730:7 430700:736:7 430800:744:7 430900:737:7 431000:735:7
431100:746:7 431200:745:7 431300:738:7 433100:743:7 440100:20:8 440200:751:7
440300:755:8 440400:756:7 440500:754:8 440600:757:8 440700:750:7 440800:759:7
440900:668:7 441200:758:7 441300:752:7 441400:753:7 441500:660:7 441600:762:7
441700:662:7 441800:763:7 445100:768:7 445200:663:7 445300:766:7 450100:771:7
450200:772:7 450300:773:7 450400:774:7 450500:779:7 450600:770:7 450700:777:7
450800:775:7 450900:775:7 451000:776:7 451100:774:7 451200:778:7 451300:772:7
451400:771:7 460100:898:8 460200:898:8 460300:898:8 500000:23:8 510100:28:8 510300:813:7
510400:812:7 510500:830:7 510600:838:7 510700:816:7 510800:839:7 510900:825:7
511000:832:7 511100:833:7 511300:817:7 511400:28:8 511500:831:7 511600:826:7
511700:818:7 511800:835:7 511900:827:7 512000:28:8 513200:837:7 513300:836:7
513400:834:7 520100:851:8 520200:858:7 520300:851:8 520400:851:8 520500:857:7
520600:856:7 522300:859:7 522600:855:7 522700:854:7 530100:871:8 530300:874:7
530400:877:7 530500:875:7 530600:870:7 530700:888:7 530800:879:7 530900:883:7
532300:878:7 532500:873:7 532600:876:7 532800:691:7 532900:872:7 533100:692:7
533300:886:7 533400:887:7 540100:891:7 540200:892:7 540300:895:7 540400:894:7
540500:893:7 540600:896:7 542500:897:7 610100:29:8 610200:919:7 610300:917:7 610400:29:8
610500:913:7 610600:911:7 610700:916:7 610800:912:7 610900:915:7 611000:914:7
620100:931:7 620300:935:7 620400:943:7 620500:938:7 620600:935:7 620700:936:7
620800:933:7 620900:937:7 621000:934:7 621100:932:7 621200:939:7 622900:930:7
623000:941:7 630100:971:7 630200:972:7 632200:970:7 632300:973:7 632500:974:7
632600:975:7 632700:976:7 632800:977:7 640100:951:7 640200:952:7 640300:953:7
640400:954:7 640500:955:7 650100:991:7 650200:990:7 650400:995:7 650500:902:7
652300:994:7 652700:909:7 652800:996:7 652900:997:7 653000:908:7 653100:998:7
653200:903:7 654000:999:7 654200:901:7 654300:906:7 441900:769:8 442000:760:8
460400:898:8 620200:937:7
"""

_MUNICIPALITIES = ("110000", "120000", "310000", "500000")


def _parse_pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(item.split(":", 1)) for item in text.split()]  # type: ignore[misc]


# Surnames with pinyin and relative frequency (per cent of the population, rounded,
# after the 2020 census lists as reported in the press; modelling input only).
_SURNAMES = [
    (s, p, float(w))
    for s, p, w in (
        item.split(":")
        for item in """
王:wang:7.1 李:li:7.0 张:zhang:6.8 刘:liu:5.4 陈:chen:4.6 杨:yang:3.1 黄:huang:2.5
赵:zhao:2.3 吴:wu:2.0 周:zhou:1.9 徐:xu:1.5 孙:sun:1.5 马:ma:1.4 朱:zhu:1.3 胡:hu:1.3
郭:guo:1.2 何:he:1.2 林:lin:1.1 高:gao:1.1 罗:luo:1.1 郑:zheng:1.0 梁:liang:0.9 谢:xie:0.8
宋:song:0.8 唐:tang:0.8 许:xu:0.7 邓:deng:0.7 冯:feng:0.7 韩:han:0.7 曹:cao:0.6
曾:zeng:0.6 彭:peng:0.6 肖:xiao:0.6 蔡:cai:0.5 潘:pan:0.5 田:tian:0.5 董:dong:0.5
袁:yuan:0.5 于:yu:0.5 余:yu:0.5 叶:ye:0.4 蒋:jiang:0.4 杜:du:0.4 苏:su:0.4 魏:wei:0.4
程:cheng:0.4 吕:lv:0.4 丁:ding:0.4 沈:shen:0.4 任:ren:0.4 姚:yao:0.3 卢:lu:0.3 傅:fu:0.3
钟:zhong:0.3 姜:jiang:0.3 崔:cui:0.3 谭:tan:0.3 廖:liao:0.3 范:fan:0.3 汪:wang:0.3
陆:lu:0.3 金:jin:0.3 石:shi:0.3 戴:dai:0.3 贾:jia:0.3 韦:wei:0.2 夏:xia:0.2 邱:qiu:0.2
方:fang:0.2 侯:hou:0.2 邹:zou:0.2 熊:xiong:0.2 孟:meng:0.2 秦:qin:0.2 白:bai:0.2
江:jiang:0.2 闫:yan:0.2 薛:xue:0.2 尹:yin:0.2 段:duan:0.2 雷:lei:0.2 黎:li:0.15
史:shi:0.15 龙:long:0.15 陶:tao:0.15 贺:he:0.15 顾:gu:0.15 毛:mao:0.15 郝:hao:0.15
龚:gong:0.15 邵:shao:0.15 万:wan:0.15 钱:qian:0.15 严:yan:0.15 覃:qin:0.1 武:wu:0.1
莫:mo:0.1 孔:kong:0.1 向:xiang:0.1 汤:tang:0.1 欧阳:ouyang:0.03 司马:sima:0.01
上官:shangguan:0.01 诸葛:zhuge:0.01
""".split()
    )
]

_GIVEN = _parse_pairs(
    """
伟:wei 芳:fang 娜:na 秀:xiu 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong
艳:yan 杰:jie 娟:juan 涛:tao 明:ming 超:chao 霞:xia 平:ping 刚:gang 桂:gui 英:ying
华:hua 玉:yu 兰:lan 萍:ping 红:hong 鹏:peng 辉:hui 建:jian 国:guo 文:wen 斌:bin 宇:yu
浩:hao 凯:kai 健:jian 俊:jun 帆:fan 帅:shuai 旭:xu 宁:ning 龙:long 林:lin 欢:huan
佳:jia 阳:yang 婷:ting 雪:xue 琳:lin 晶:jing 颖:ying 倩:qian 慧:hui 梅:mei 莉:li
燕:yan 波:bo 飞:fei 云:yun 峰:feng 亮:liang 成:cheng 志:zhi 海:hai 东:dong 永:yong
春:chun 晓:xiao 小:xiao 丹:dan 新:xin 博:bo 宏:hong 荣:rong 鑫:xin 婧:jing 欣:xin
怡:yi 晨:chen 睿:rui 子:zi 轩:xuan 涵:han 梓:zi 萱:xuan 思:si 雨:yu 嘉:jia 诗:shi
一:yi 可:ke 心:xin 天:tian 泽:ze 昊:hao 然:ran 铭:ming 豪:hao 瑞:rui 悦:yue 彤:tong
琪:qi 雅:ya 振:zhen 家:jia 德:de 忠:zhong 福:fu 金:jin 玲:ling 凤:feng 淑:shu 珍:zhen
秋:qiu 月:yue 光:guang 学:xue 庆:qing 立:li 良:liang 正:zheng 兵:bing 冬:dong 卫:wei
彬:bin 威:wei 鸿:hong 晖:hui 昕:xin 蕾:lei 璐:lu 瑶:yao
"""
)

# Characters for trade names (字号) of companies, with pinyin for domains and emails.
_BRAND = _parse_pairs(
    """
云:yun 帆:fan 华:hua 信:xin 达:da 创:chuang 新:xin 博:bo 瑞:rui 诚:cheng 恒:heng
盛:sheng 优:you 智:zhi 锐:rui 联:lian 通:tong 天:tian 宇:yu 星:xing 辰:chen 光:guang
明:ming 海:hai 腾:teng 飞:fei 龙:long 鼎:ding 泰:tai 丰:feng 和:he 嘉:jia 佳:jia
润:run 安:an 康:kang 易:yi 正:zheng 远:yuan 航:hang 朗:lang 卓:zhuo 越:yue 凯:kai
宏:hong 峰:feng 晟:sheng 拓:tuo 汇:hui 聚:ju 众:zhong 合:he 力:li 美:mei 景:jing
升:sheng 鑫:xin 源:yuan 泽:ze 森:sen 林:lin 金:jin 银:yin 蓝:lan 青:qing 紫:zi
微:wei 蜂:feng 鹰:ying 象:xiang 方:fang 圆:yuan 数:shu 维:wei 思:si 讯:xun 途:tu
驰:chi 骏:jun 昊:hao 坤:kun 乾:qian 元:yuan 启:qi 赛:sai 迅:xun 捷:jie 步:bu 益:yi
同:tong 德:de 利:li 兴:xing 旺:wang 宝:bao 永:yong 长:chang 久:jiu 立:li 峻:jun
"""
)

_INDUSTRIES = _parse_pairs(
    """
网络科技:keji 信息技术:it 电子商务:shop 文化传媒:media 贸易:trade 建筑工程:jianzhu
教育咨询:edu 医疗器械:yiliao 机械设备:jixie 广告:ad 餐饮管理:canyin 旅游:travel
房地产开发:fdc 物流:wuliu 服装:fushi 食品:food 电子:dianzi 软件:soft 投资管理:touzi
装饰工程:zhuangshi 环保科技:huanbao 生物科技:bio 汽车服务:auto 家具:jiaju 化工:huagong
印刷:yinshua 农业科技:nongye 新能源科技:energy 人力资源:hr 企业管理咨询:consult
"""
)

_SYLLABLES = (
    "ai an bai bao bei ben bo cai chang chen cheng chuang da dian ding dong du fa fan fang "
    "fei feng fu gao guang guo hai hang hao he heng hong hua huan hui jia jian jie jin jing "
    "ju kai kang ke kuai lan le li lian lin long lu mei meng ming mu nan ning pin qi qian "
    "qing rui sheng shi shu si tai tian tong wan wang wei wen xi xin xing xu ya yang yi yin "
    "ying yong you yu yuan yue yun zhi zhong zhou zhu zi"
).split()

_ROAD_CORES = (
    "中山 人民 解放 建设 和平 胜利 新华 民主 光明 东风 学院 科技 创业 高新 文化 工业 长江 "
    "黄河 青年 朝阳 滨江 环城 商业 幸福 团结 友谊 迎宾 世纪 振兴 复兴 建国 健康 花园 公园 "
    "府前 北京 上海 南京 广州 延安 文三 天目山 学府 明珠 锦绣 凤凰 金山 银河 星光 江南 东方 "
    "太平 长安 兴业 红旗 跃进 钱江 湖滨 望江 体育 五一 八一 新民 交通 沿江 海滨 开发 产业 "
    "金融 江北 城南 春晖"
).split()
_ROAD_MIDDLES = ("", "", "", "", "", "东", "西", "南", "北", "中")
_ROAD_TYPES = ("路", "路", "路", "路", "路", "路", "大道", "街", "街", "大街")
_NUMERALS = (
    "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十".split()
)
_TOPICS = (
    "美食 旅游 摄影 音乐 读书 健身 设计 编程 育儿 汽车 数码 家居 时尚 财经 教育 考试 招聘 "
    "二手 房产 养生 书法 绘画 钓鱼 花卉 宠物 游戏 动漫 电影 体育 英语"
).split()
_TOPIC_SUFFIXES = ("网", "在线", "之家", "论坛", "博客", "信息网", "资讯网", "社区")
_SUBSITES = ("信息公开网", "政务服务网", "新闻中心", "服务平台", "子站", "网上办事大厅")
_SHOP_SITES = ("商城", "在线", "论坛", "招聘网", "产品中心", "官方商城")
_DEPARTMENTS = (
    "人民政府 教育局 公安局 财政局 人力资源和社会保障局 自然资源局 住房和城乡建设局 "
    "交通运输局 农业农村局 商务局 文化和旅游局 卫生健康委员会 市场监督管理局 统计局 审计局 "
    "司法局 民政局 应急管理局 生态环境局 水利局 林业局 科学技术局 发展和改革委员会"
).split()
_INSTITUTIONS = (
    ("city", "第{n}中学"),
    ("county", "实验小学"),
    ("city", "人民医院"),
    ("county", "人民医院"),
    ("county", "中医院"),
    ("city", "图书馆"),
    ("county", "图书馆"),
    ("city", "职业技术学院"),
    ("county", "疾病预防控制中心"),
    ("city", "广播电视台"),
    ("county", "档案馆"),
    ("city", "科学技术研究院"),
    ("county", "文化馆"),
    ("city", "博物馆"),
    ("county", "第{n}中学"),
    ("county", "职业中等专业学校"),
    ("city", "妇幼保健院"),
    ("county", "农业技术推广中心"),
    ("city", "公共资源交易中心"),
)
_FIELDS = "计算机 摄影 书法 医学 律师 会计 教育 作家 心理 园艺 收藏 围棋".split()
_NONPROFIT_SUFFIXES = ("培训学校", "幼儿园", "养老服务中心", "职业技能培训学校", "艺术培训中心")
_SMALL_BUSINESS = ("商行", "经营部", "工作室", "店", "门市部")
_SERVICE_CONTENT = {
    "企业": (
        ("企业门户", 0.55),
        ("综合门户", 0.1),
        ("网络购物", 0.15),
        ("网站建设", 0.05),
        ("网络广告", 0.05),
        ("论坛/社区", 0.05),
        ("新闻资讯", 0.05),
    ),
    "个人": (
        ("博客/个人空间", 0.55),
        ("论坛/社区", 0.15),
        ("网络图片", 0.1),
        ("综合门户", 0.1),
        ("网络购物", 0.05),
        ("网络游戏", 0.05),
    ),
    "other": (("单位门户网站", 0.8), ("综合门户", 0.1), ("新闻资讯", 0.1)),
}
_PRE_APPROVALS = ("新闻", "出版", "教育", "医疗保健", "药品和医疗器械", "文化", "广播电影电视节目")
_MOBILE_SEGMENTS = (
    [(s, 1.0) for s in range(130, 140)]
    + [(s, 1.0) for s in (150, 151, 152, 153, 155, 156, 157, 158, 159)]
    + [(s, 1.0) for s in range(180, 190)]
    + [(145, 0.2), (147, 0.3), (170, 0.1), (176, 0.2), (177, 0.2), (178, 0.2)]
)
_PLACEHOLDER_MOBILES = (
    "13800000000 13888888888 13900000000 13999999999 18888888888 13333333333 15555555555 "
    "18000000000 13800138000 13012345678 13111111111 18666666666"
).split()
_EMAIL_TYPO_DOMAINS = (
    "qq.con qq.cm qq.cpm 163.con 163.cm 163.vom 126.con 126.cm sina.con sina.cm "
    "hotmial.com gmial.com"
).split()
_WEBMAIL = (
    ("qq.com", 0.45),
    ("163.com", 0.2),
    ("126.com", 0.1),
    ("sina.com", 0.08),
    ("foxmail.com", 0.05),
    ("139.com", 0.04),
    ("sohu.com", 0.03),
    ("hotmail.com", 0.05),
)
_ROLE_LOCALS = ("info", "admin", "service", "webmaster", "kefu", "hr", "sales", "office")
_TLDS = {
    "企业": (("com", 0.55), ("cn", 0.18), ("com.cn", 0.15), ("net", 0.10), ("org.cn", 0.02)),
    "个人": (("com", 0.5), ("cn", 0.25), ("net", 0.15), ("com.cn", 0.05), ("org.cn", 0.05)),
    "事业单位": (("cn", 0.35), ("org.cn", 0.3), ("com", 0.2), ("net", 0.1), ("com.cn", 0.05)),
    "政府机关": (("gov.cn", 0.85), ("cn", 0.1), ("com", 0.05)),
    "other": (("org.cn", 0.45), ("org", 0.2), ("cn", 0.2), ("com", 0.15)),
}
_IDN_TLDS = (("中国", 0.5), ("公司", 0.2), ("网络", 0.2), ("cn", 0.1))
_SUBDOMAINS = ("m", "bbs", "shop", "blog", "news", "mail")
_SLASH8 = (
    36,
    39,
    42,
    49,
    58,
    59,
    60,
    61,
    101,
    106,
    110,
    111,
    112,
    113,
    114,
    115,
    116,
    117,
    118,
    119,
    120,
    121,
    122,
    123,
    124,
    125,
    175,
    180,
    182,
    183,
    202,
    211,
    218,
    219,
    220,
    221,
    222,
    223,
)

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_RIC_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
_NATURE_USCC = {
    "企业": "91",
    "事业单位": "12",
    "政府机关": "11",
    "社会团体": "51",
    "民办非企业单位": "52",
    "基金会": "53",
}


@dataclass(frozen=True, slots=True)
class _Reference:
    prov_code: np.ndarray  # (31,) str GB/T 2260 province code
    prov_name: list[str]
    prov_short: list[str]
    prov_prefix: list[str]
    prov_weight: np.ndarray
    prov_is_hub: np.ndarray
    county_code: np.ndarray  # int, sorted by province then code
    county_name: list[str]
    county_short: list[str]
    county_prov: np.ndarray  # index into provinces
    county_city: np.ndarray  # index into cities
    county_weight: np.ndarray
    city_code: list[str]
    city_name: list[str]
    city_short: list[str]
    city_area: list[str]
    city_len: np.ndarray
    county_prefix: list[str]  # address prefix 浙江省杭州市西湖区 (北京市朝阳区)
    county_scope: list[str]  # 杭州市西湖区, for county-level bodies


def _data_text(name: str) -> str:
    return (resources.files("beian_audit") / "data" / name).read_text(encoding="utf-8")


def _short_place(name: str) -> str:
    """杭州市 -> 杭州, 延边朝鲜族自治州 -> 延边, 西湖区 -> 西湖, 大兴安岭地区 -> 大兴安岭."""
    if "自治" in name:
        return name[:2]
    short = re.sub(r"(市|地区|盟|区|县|旗)$", "", name)
    return short if len(short) >= 2 else name


@cache
def _reference() -> _Reference:
    provinces = pd.read_csv(io.StringIO(_data_text("provinces.csv")), dtype=str)
    divisions = pd.read_csv(io.StringIO(_data_text("divisions.csv")), dtype=str, comment="#")
    divisions = divisions.fillna("")
    prov_code = provinces["gb2260_code"].to_numpy(dtype=str)
    prov_index = {c: i for i, c in enumerate(prov_code)}
    area = {k: v.split(":") for k, v in _parse_pairs(_AREA_CODES)}

    current = divisions[divisions["current"] == "1"]
    if "grouping" in current:
        current = current[current["grouping"] != "1"]
    cities = current[(current["level"] == "city") & current["code"].str.len().eq(6)]
    cities = cities[cities["province_code"].isin(prov_index)]
    city_rows = [(c, n) for c, n in zip(cities["code"], cities["name"], strict=True)]
    for code in _MUNICIPALITIES:
        city_rows.append(
            (code, provinces.loc[provinces["gb2260_code"] == code, "province_zh"].item())
        )
    city_rows.sort()
    city_index = {c: i for i, (c, _) in enumerate(city_rows)}
    missing = [c for c, _ in city_rows if c not in area]
    if missing:  # pragma: no cover - guards the embedded table against a new division table
        raise BeianAuditError(f"no telephone area code for cities {missing}")

    counties = current[(current["level"] == "county") & current["code"].str.len().eq(6)]
    counties = counties[counties["parent_code"].isin(city_index)].sort_values("code")
    c_codes = counties["code"].to_numpy(dtype=str)
    c_names = counties["name"].tolist()
    c_prov = np.array([prov_index[p] for p in counties["province_code"]], dtype=np.int64)
    c_city = np.array([city_index[p] for p in counties["parent_code"]], dtype=np.int64)
    order = np.lexsort((c_codes.astype(np.int64), c_prov))
    weight = np.array(
        [4.0 if n.endswith("区") else 2.0 if n.endswith("市") else 1.0 for n in c_names]
    )
    prefix, scope = [], []
    prov_names = provinces["province_zh"].tolist()
    for i in order:
        city_code, city_name = city_rows[c_city[i]]
        county_name = c_names[i]
        scope.append(city_name + county_name)
        if city_code in _MUNICIPALITIES:
            prefix.append(city_name + county_name)
        else:
            prefix.append(prov_names[c_prov[i]] + city_name + county_name)
    boost = {"0100": 3.0}
    big = {"440300": 3.0, "320500": 2.0, "330200": 2.0, "350200": 2.0, "370200": 2.0}
    for i, code in enumerate(counties["parent_code"]):
        weight[i] *= big.get(code, boost.get(code[2:], 1.0))
    return _Reference(
        prov_code=prov_code,
        prov_name=provinces["province_zh"].tolist(),
        prov_short=provinces["province_short_zh"].tolist(),
        prov_prefix=provinces["icp_prefix"].tolist(),
        prov_weight=provinces["proposed_sponsor_weight_pct"].astype(float).to_numpy(),
        prov_is_hub=provinces["province_zh"].isin(_HUBS).to_numpy(),
        county_code=c_codes[order].astype(np.int64),
        county_name=[c_names[i] for i in order],
        county_short=[_short_place(c_names[i]) for i in order],
        county_prov=c_prov[order],
        county_city=c_city[order],
        county_weight=weight[order],
        city_code=[c for c, _ in city_rows],
        city_name=[n for _, n in city_rows],
        city_short=[_short_place(n) for _, n in city_rows],
        city_area=[area[c][0] for c, _ in city_rows],
        city_len=np.array([int(area[c][1]) for c, _ in city_rows], dtype=np.int64),
        county_prefix=prefix,
        county_scope=scope,
    )


# --------------------------------------------------------------------------- vector helpers
#
# Strings are built column-wise with pyarrow compute on ``large_string`` arrays (the
# storage of pandas' ``string[pyarrow]``): no per-row Python. Alternatives are built
# only on the rows that use them and merged with a single ``take``.


def _pa() -> Any:
    import pyarrow as pa

    return pa


def _pc() -> Any:
    import pyarrow.compute as pc

    return pc


def _lit(value: Any) -> Any:
    """A Python string as a large_string scalar; anything else unchanged."""
    if isinstance(value, str):
        pa = _pa()
        return pa.scalar(value, pa.large_string())
    return value


def _choice(rng: np.random.Generator, n: int, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """``n`` draws of a categorical with the given (unnormalised) weights."""
    cum = np.cumsum(np.asarray(weights, dtype=float))
    cum /= cum[-1]
    cum[-1] = 1.0
    return np.searchsorted(cum, rng.random(n), side="right").astype(np.int64)


def _choice_within(
    rng: np.random.Generator, row_group: np.ndarray, item_group: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """For each row draw an item of the row's group by weight; items sorted by group."""
    n_groups = int(item_group.max()) + 1
    totals = np.bincount(item_group, weights=weight, minlength=n_groups)
    cum = np.cumsum(weight / totals[item_group])
    starts = np.searchsorted(item_group, np.arange(n_groups), side="left")
    before = np.concatenate([[0.0], cum])[starts]
    cum = item_group + (cum - before[item_group])
    last = np.searchsorted(item_group, np.arange(n_groups), side="right") - 1
    cum[last] = np.arange(n_groups) + 1.0
    return np.searchsorted(cum, row_group + rng.random(len(row_group)), side="right")


def _take(choices: Sequence[str | None], idx: np.ndarray) -> pa.Array:
    pa = _pa()
    return pa.array(list(choices), pa.large_string()).take(
        pa.array(np.asarray(idx, dtype=np.int64))
    )


def _const(value: str, n: int) -> pa.Array:
    return _take([value], np.zeros(n, dtype=np.int64))


def _repeat(value: str, n: int) -> pa.Array:
    pa = _pa()
    return pa.repeat(pa.scalar(value, pa.large_string()), n)


def _join(*parts: Any) -> pa.Array:
    return _pc().binary_join_element_wise(*[_lit(x) for x in parts], _lit(""))


def _num(values: np.ndarray, width: int = 0) -> pa.Array:
    pa, pc = _pa(), _pc()
    out = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.large_string())
    return pc.utf8_lpad(out, width=width, padding="0") if width else out


def _where(mask: np.ndarray, a: Any, b: Any) -> pa.Array:
    pa, pc = _pa(), _pc()
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), _lit(a), _lit(b))


def _choose(index: np.ndarray, *options: Any) -> pa.Array:
    """Row-wise pick among equally long arrays (or string scalars) by an integer index."""
    pa, pc = _pa(), _pc()
    return pc.choose(pa.array(np.asarray(index, dtype=np.int8)), *[_lit(o) for o in options])


def _nulls(n: int) -> pa.Array:
    pa = _pa()
    return pa.nulls(n, pa.large_string())


def _ascii(mat: np.ndarray) -> pa.Array:
    """Fixed-width ASCII rows (an ``(n, width)`` uint8 matrix) as a string array."""
    pa = _pa()
    n, width = mat.shape
    data = np.ascontiguousarray(mat, dtype=np.uint8).tobytes()
    offsets = (np.arange(n + 1, dtype=np.int64) * width).tobytes()
    return pa.Array.from_buffers(
        pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


_TRIPLES = np.array([[48 + int(c) for c in f"{i:03d}"] for i in range(1000)], dtype=np.uint8)


def _digits_ascii(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII decimal digits of non-negative integers, zero-padded, as ``(n, width)`` uint8."""
    values = np.asarray(values, dtype=np.int64)
    k = -(-width // 3)
    powers = 1000 ** np.arange(k - 1, -1, -1, dtype=np.int64)
    chunks = (values[:, None] // powers) % 1000
    return _TRIPLES[chunks].reshape(len(values), 3 * k)[:, 3 * k - width :]


def _sub(arr: Any, idx: np.ndarray) -> pa.Array:
    pa = _pa()
    return arr.take(pa.array(np.asarray(idx, dtype=np.int64)))


def _scatter(n: int, parts: Sequence[tuple[np.ndarray, Any]]) -> pa.Array:
    """Assemble a length-``n`` array from (row positions, values) parts; the rest is null."""
    pa = _pa()
    covered = np.zeros(n, dtype=bool)
    idx_list: list[np.ndarray] = []
    val_list: list[Any] = []
    for idx, vals in parts:
        idx_list.append(np.asarray(idx, dtype=np.int64))
        val_list.append(vals.combine_chunks() if isinstance(vals, pa.ChunkedArray) else vals)
        covered[idx] = True
    rest = np.flatnonzero(~covered)
    if len(rest):
        idx_list.append(rest)
        val_list.append(_nulls(len(rest)))
    all_idx = np.concatenate(idx_list) if idx_list else np.zeros(0, dtype=np.int64)
    values = pa.concat_arrays(val_list) if val_list else _nulls(0)
    pos = np.empty(n, dtype=np.int64)
    pos[all_idx] = np.arange(len(all_idx))
    return values.take(pa.array(pos))


def _replace(base: Any, mask: np.ndarray, build: Any) -> pa.Array:
    """``base`` with the rows of ``mask`` replaced by ``build(rows)``."""
    pa = _pa()
    idx = np.flatnonzero(mask)
    if not len(idx):
        return base
    n = len(base)
    pos = np.arange(n, dtype=np.int64)
    pos[idx] = n + np.arange(len(idx))
    return pa.concat_arrays([base, build(idx)]).take(pa.array(pos))


def _by_kind(kind: np.ndarray, n_kinds: int, build: Any) -> pa.Array:
    """Rows of kind ``k`` get ``build(k, rows)``; kinds are built in order 0, 1, …"""
    parts = []
    for k in range(n_kinds):
        rows = np.flatnonzero(kind == k)
        if len(rows):
            parts.append((rows, build(k, rows)))
    return _scatter(len(kind), parts)


def _to_series(arr: Any, name: str) -> pd.Series:
    pa = _pa()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(arr), name=name, copy=False)


def _duplicated(arr: Any) -> np.ndarray:
    return _to_series(arr, "x").duplicated().to_numpy()


def _unique_redraw(values: np.ndarray, draw: Any) -> np.ndarray:
    """Redraw duplicated integer values with ``draw(count)`` until all are unique."""
    values = np.asarray(values, dtype=np.int64).copy()
    for _ in range(200):
        dup = pd.Series(values).duplicated().to_numpy()
        if not dup.any():
            return values
        idx = np.flatnonzero(dup)
        values[idx] = draw(len(idx))
    raise BeianAuditError("could not draw unique values; the value space is too small")


# --------------------------------------------------------------------------- building blocks


def _provider_shares(k: int, largest: float, top10: float) -> np.ndarray:
    """Expected market shares of ``k`` providers, largest first.

    The largest provider gets ``largest``. The other ``k - 1`` get log-normal
    quantile sizes ``exp(sigma * z_i)`` at ``z_i = Phi^-1((i - 0.5)/(k - 1))`` with
    ``sigma`` solved so that the ten largest together hold ``top10``. With ten
    providers or fewer, plain log-normal quantile sizes (sigma = 1) are used; when
    ``top10`` is below what equal sizes give, the others are equal.
    """
    nd = NormalDist()
    if k <= 10:
        z = np.array([nd.inv_cdf((i - 0.5) / k) for i in range(k, 0, -1)])
        w = np.exp(z - z[0])
        return w / w.sum()
    m = k - 1
    z = np.array([nd.inv_cdf((i - 0.5) / m) for i in range(m, 0, -1)])
    goal = (top10 - largest) / (1 - largest)

    def top(sigma: float) -> float:
        w = np.exp(sigma * (z - z[0]))
        return float(w[:9].sum() / w.sum())

    lo, hi = 0.0, 12.0
    if top(0.0) < goal:
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if top(mid) < goal else (lo, mid)
    w = np.exp(lo * (z - z[0]))
    rest = (1 - largest) * w / w.sum()
    if rest[0] > largest:
        raise SyntheticParameterError(
            f"provider_largest_share ({largest!r}) and provider_top10_share ({top10!r}) are "
            f"inconsistent for {k} providers: the second would be larger than the first"
        )
    return np.concatenate([[largest], rest])


def _calibrate(q: np.ndarray, weight: np.ndarray, target: float) -> np.ndarray:
    """Shift ``q`` on the logit scale so that its ``weight``-weighted mean is ``target``."""
    if target <= 0 or target >= 1:
        return np.full_like(q, target)
    q = np.clip(q, 1e-9, 1 - 1e-9)
    logit = np.log(q / (1 - q))
    total = weight.sum()
    if total <= 0:
        return q
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        mean = float(np.sum(weight / (1 + np.exp(-(logit + mid)))) / total)
        lo, hi = (mid, hi) if mean < target else (lo, mid)
    return 1 / (1 + np.exp(-(logit + (lo + hi) / 2)))


def _sponsor_sizes(rng: np.random.Generator, n: int, p: Mapping[str, Any]) -> np.ndarray:
    """Websites per sponsor: geometric body with a discrete, capped Pareto tail."""
    _, body_mean = _tail_and_body(p)
    tau, alpha = p["sponsor_tail_share"], p["sponsor_tail_alpha"]
    xmin, xmax = p["sponsor_tail_min"], p["sponsor_tail_max"]
    chunks: list[np.ndarray] = []
    total = 0
    while total < n:
        m = int(n / p["websites_per_sponsor"] * 1.05) + 64
        tail = rng.random(m) < tau
        body = rng.geometric(1 / body_mean, m)
        pareto = np.minimum(np.floor(xmin * (1 - rng.random(m)) ** (-1 / alpha)), xmax)
        counts = np.where(tail, pareto, body).astype(np.int64)
        chunks.append(counts)
        total += int(counts.sum())
    counts = np.concatenate(chunks)
    cum = np.cumsum(counts)
    n_s = int(np.searchsorted(cum, n)) + 1
    counts = counts[:n_s].copy()
    counts[-1] -= int(cum[n_s - 1] - n)
    return counts


def _mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct valid CN mobiles as int64; no repeated-digit or 12345678 suffixes."""
    segs = np.array([s for s, _ in _MOBILE_SEGMENTS], dtype=np.int64)
    weights = [w for _, w in _MOBILE_SEGMENTS]

    def draw(m: int) -> np.ndarray:
        seg = segs[_choice(rng, m, weights)]
        suffix = rng.integers(0, 100_000_000, m)
        bad = (suffix % 11_111_111 == 0) | np.isin(suffix, [12345678, 87654321])
        suffix = np.where(bad, 20_000_000 + suffix // 7, suffix)
        return seg * 100_000_000 + suffix

    return _unique_redraw(draw(n), draw)


def _person_names(rng: np.random.Generator, n: int) -> tuple[pa.Array, pa.Array]:
    """Chinese names (common surnames, one or two given characters) and their pinyin."""
    sur = _choice(rng, n, [w for _, _, w in _SURNAMES])
    two = rng.random(n) < 0.7
    g1 = rng.integers(0, len(_GIVEN), n)
    g2 = rng.integers(0, len(_GIVEN), n)
    gz = [c for c, _ in _GIVEN]
    gp = [p for _, p in _GIVEN]
    name = _join(
        _take([s for s, _, _ in _SURNAMES], sur), _take(gz, g1), _where(two, _take(gz, g2), "")
    )
    pinyin = _join(
        _take([p for _, p, _ in _SURNAMES], sur), _take(gp, g1), _where(two, _take(gp, g2), "")
    )
    return name, pinyin


def _ymd(dates: np.ndarray) -> np.ndarray:
    """YYYYMMDD integers of datetime64[D] values."""
    y = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    m = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10_000 + m * 100 + d


def _year_dates(rng: np.random.Generator, year: np.ndarray) -> np.ndarray:
    """A uniformly random day (datetime64[D]) within each given year."""
    start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    days = ((year + 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]") - start).astype(
        np.int64
    )
    return start + np.floor(rng.random(len(year)) * days).astype(np.int64).astype("timedelta64[D]")


def _id_bodies(
    rng: np.random.Generator, ref: _Reference, home_prov: np.ndarray, first_year: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """First 17 digits of distinct resident ID numbers, and the county of the region code.

    Region: a current county of the home province (80 %) or of any province. Birth:
    20–64 years before ``first_year`` (the year of the person's first filing), so the
    person is an adult at every approval.
    """
    n = len(home_prov)
    local = rng.random(n) < 0.8
    anywhere = _choice(rng, n, ref.prov_weight)
    region_prov = np.where(local, home_prov, anywhere)
    county = _choice_within(rng, region_prov, ref.county_prov, ref.county_weight)
    birth = _year_dates(rng, first_year - 20 - rng.integers(0, 45, n))
    body = ref.county_code[county] * 100_000_000_000 + _ymd(birth) * 1000 + rng.integers(0, 1000, n)
    for _ in range(200):
        dup = pd.Series(body).duplicated().to_numpy()
        if not dup.any():
            break
        idx = np.flatnonzero(dup)
        body[idx] = (body[idx] // 1000) * 1000 + rng.integers(0, 1000, len(idx))
    return body, county


def _ric_check(body: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check value (0–10, 10 = 'X') of 17-digit ID bodies."""
    digits = _digits_ascii(body, 17).astype(np.int64) - 48
    return (12 - (digits @ _RIC_WEIGHTS) % 11) % 11


def _ric_strings(body: np.ndarray, check: np.ndarray) -> pa.Array:
    mat = np.empty((len(body), 18), dtype=np.uint8)
    mat[:, :17] = _digits_ascii(body, 17)
    mat[:, 17] = np.frombuffer(b"0123456789X", dtype=np.uint8)[check]
    return _ascii(mat)


def _brands(rng: np.random.Generator, n: int) -> tuple[pa.Array, pa.Array]:
    """Trade names (字号) of 2 or 3 characters and their pinyin."""
    bz = [c for c, _ in _BRAND]
    bp = [p for _, p in _BRAND]
    three = rng.random(n) < 0.2
    a, b, c = (rng.integers(0, len(_BRAND), n) for _ in range(3))
    zh = _join(_take(bz, a), _take(bz, b), _where(three, _take(bz, c), ""))
    py = _join(_take(bp, a), _take(bp, b), _where(three, _take(bp, c), ""))
    return zh, py


def _company_names(rng: np.random.Generator, ref: _Reference, county: np.ndarray) -> dict[str, Any]:
    """Company names such as 杭州云帆网络科技有限公司, distinct within the call."""
    n = len(county)
    city = ref.county_city[county]
    prov = ref.county_prov[county]
    form = _choice(rng, n, [0.55, 0.10, 0.10, 0.05, 0.10, 0.10])
    industry = rng.integers(0, len(_INDUSTRIES), n)
    small = rng.integers(0, len(_SMALL_BUSINESS), n)
    brand_zh, brand_py = _brands(rng, n)
    ind = [z for z, _ in _INDUSTRIES]

    def names(rows: np.ndarray, bz: Any) -> pa.Array:
        def one(k: int, r: np.ndarray) -> pa.Array:
            b = _sub(bz, r)
            cs = _take(ref.city_short, city[rows[r]])
            i = _take(ind, industry[rows[r]])
            if k == 0:
                return _join(cs, b, i, "有限公司")
            if k == 1:
                return _join(cs, "市", b, i, "有限公司")
            if k == 2:
                return _join(b, i, "有限公司")
            if k == 3:
                return _join(_take(ref.prov_short, prov[rows[r]]), b, i, "股份有限公司")
            if k == 4:
                return _join(cs, b, i, "有限责任公司")
            return _join(
                cs,
                _take(ref.county_short, county[rows[r]]),
                b,
                _take(_SMALL_BUSINESS, small[rows[r]]),
            )

        return _by_kind(form[rows], 6, one)

    name = names(np.arange(n), brand_zh)
    for _ in range(100):
        dup = _duplicated(name)
        if not dup.any():
            break
        rows = np.flatnonzero(dup)
        extra_zh, extra_py = _brands(rng, len(rows))
        brand_zh = _replace(brand_zh, dup, lambda _r, z=extra_zh: z)
        brand_py = _replace(brand_py, dup, lambda _r, y=extra_py: y)
        name = _replace(name, dup, lambda r, bz=brand_zh: names(r, _sub(bz, r)))
    return {
        "name": name,
        "brand_zh": brand_zh,
        "brand_py": brand_py,
        "industry": industry,
        "small_business": form == 5,
    }


def _org_names(
    rng: np.random.Generator, ref: _Reference, county: np.ndarray, nature: str
) -> pa.Array:
    """Names of institutions, government bodies, social groups and non-profits."""
    n = len(county)
    city_full = _take(ref.city_name, ref.county_city[county])
    county_full = _take(ref.county_scope, county)
    if nature == "事业单位":
        t = rng.integers(0, len(_INSTITUTIONS), n)
        scope = np.array([s == "county" for s, _ in _INSTITUTIONS])[t]
        pre = [x.split("{n}")[0] if "{n}" in x else "" for _, x in _INSTITUTIONS]
        post = [x.split("{n}")[1] if "{n}" in x else x for _, x in _INSTITUTIONS]
        has_num = np.array(["{n}" in x for _, x in _INSTITUTIONS])[t]
        num = _where(has_num, _take(_NUMERALS, rng.integers(0, len(_NUMERALS), n)), "")
        return _join(_where(scope, county_full, city_full), _take(pre, t), num, _take(post, t))
    if nature == "政府机关":
        scope = rng.random(n) < 0.6
        return _join(
            _where(scope, county_full, city_full),
            _take(_DEPARTMENTS, rng.integers(0, len(_DEPARTMENTS), n)),
        )
    if nature == "社会团体":
        kind = _choice(rng, n, [0.5, 0.3, 0.2])
        trade = _take([z for z, _ in _INDUSTRIES], rng.integers(0, len(_INDUSTRIES), n))
        field_ = _take(_FIELDS, rng.integers(0, len(_FIELDS), n))
        other_city = _take(ref.city_short, rng.integers(0, len(ref.city_short), n))
        return _choose(
            kind,
            _join(city_full, trade, "行业协会"),
            _join(city_full, field_, "学会"),
            _join(city_full, other_city, "商会"),
        )
    brand, _ = _brands(rng, n)
    if nature == "基金会":
        return _join(city_full, brand, "慈善基金会")
    return _join(
        city_full, brand, _take(_NONPROFIT_SUFFIXES, rng.integers(0, len(_NONPROFIT_SUFFIXES), n))
    )


_ALPHA = np.frombuffer(_USCC_ALPHABET.encode(), dtype=np.uint8)
_ALPHA_INDEX = np.full(128, -1, dtype=np.int64)
_ALPHA_INDEX[_ALPHA] = np.arange(31)


def _uscc_matrix(rng: np.random.Generator, pair: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Unified social credit codes (GB 32100) as an ``(n, 18)`` ASCII matrix.

    ``pair`` holds the two-character registering authority + type (``"91"`` …),
    ``region`` the six-digit division code. Characters 9–17 are a GB 11714
    organisation code with its own correct check character; character 18 is the
    mod-31 check character.
    """
    n = len(region)
    mat = np.empty((n, 18), dtype=np.uint8)
    mat[:, :2] = np.frombuffer("".join(pair.tolist()).encode(), dtype=np.uint8).reshape(n, 2)
    mat[:, 2:8] = _digits_ascii(region, 6)

    def body(m: int) -> np.ndarray:
        out = _digits_ascii(rng.integers(10_000_000, 100_000_000, m), 8).copy()
        modern = rng.random(m) < 0.5
        tail = _ALPHA[rng.integers(0, 31, (m, 6))]
        out[modern, 0] = ord("M")
        out[modern, 1] = ord("A")
        out[modern, 2:] = tail[modern]
        return out

    mat[:, 8:16] = body(n)
    for _ in range(100):
        keys = pd.Series(np.ascontiguousarray(mat[:, :16]).view("S16").ravel())
        dup = keys.duplicated().to_numpy()
        if not dup.any():
            break
        mat[dup, 8:16] = body(int(dup.sum()))
    org = mat[:, 8:16].astype(np.int64)
    org_values = np.where(org <= ord("9"), org - 48, org - 55)
    c9 = 11 - (org_values @ _ORG_WEIGHTS) % 11
    mat[:, 16] = np.where(c9 == 10, ord("X"), np.where(c9 == 11, ord("0"), c9 + 48))
    check = (31 - (_ALPHA_INDEX[mat[:, :17]] @ _USCC_WEIGHTS) % 31) % 31
    mat[:, 17] = _ALPHA[check]
    return mat


def _roads(rng: np.random.Generator, n: int) -> pa.Array:
    return _join(
        _take(_ROAD_CORES, rng.integers(0, len(_ROAD_CORES), n)),
        _take(_ROAD_MIDDLES, rng.integers(0, len(_ROAD_MIDDLES), n)),
        _take(_ROAD_TYPES, rng.integers(0, len(_ROAD_TYPES), n)),
    )


def _addresses(rng: np.random.Generator, ref: _Reference, county: np.ndarray) -> pa.Array:
    """Full addresses down to the door number, e.g. 浙江省杭州市西湖区文三路88号3幢201室."""
    n = len(county)
    door = 1 + np.floor(rng.exponential(80.0, n)).astype(np.int64) % 999
    floor_ = 1 + rng.integers(0, 25, n)
    room = floor_ * 100 + 1 + rng.integers(0, 12, n)
    building = 1 + rng.integers(0, 30, n)
    unit = 1 + rng.integers(0, 6, n)
    kind = _choice(rng, n, [0.25, 0.2, 0.15, 0.1, 0.1, 0.2])

    def tail(k: int, r: np.ndarray) -> pa.Array:
        if k == 0:
            return _join(_num(building[r]), "幢", _num(room[r]), "室")
        if k == 1:
            return _join(_num(building[r]), "号楼", _num(room[r]), "室")
        if k == 2:
            return _join(_brands(rng, len(r))[0], "大厦", _num(floor_[r]), "层")
        if k == 3:
            return _join(_num(room[r]), "室")
        if k == 4:
            return _join(_num(unit[r]), "单元", _num(room[r]), "室")
        return _const("", len(r))

    return _join(
        _take(ref.county_prefix, county), _roads(rng, n), _num(door), "号", _by_kind(kind, 6, tail)
    )


def _village_addresses(rng: np.random.Generator, ref: _Reference, county: np.ndarray) -> pa.Array:
    """Rural addresses with the accepted remark 已是最详细地址 (not a defect)."""
    n = len(county)
    town, _ = _brands(rng, n)
    village, _ = _brands(rng, n)
    return _join(_take(ref.county_prefix, county), town, "镇", village, "村(已是最详细地址)")


def _doorless_addresses(rng: np.random.Generator, ref: _Reference, county: np.ndarray) -> pa.Array:
    """Addresses without any door number (defect ``address_no_door``): no 号, no digit."""
    n = len(county)
    brand, _ = _brands(rng, n)
    kind = _choice(rng, n, [0.4, 0.2, 0.2, 0.1, 0.1])
    road = _roads(rng, n)
    tail = _choose(
        kind,
        road,
        _join(road, "附近"),
        _join(brand, "小区"),
        _join(brand, "工业园"),
        _join(road, brand, "大厦"),
    )
    return _join(_take(ref.county_prefix, county), tail)


def _office_phones(rng: np.random.Generator, ref: _Reference, city: np.ndarray) -> pa.Array:
    """Fixed lines ``0AAA-NNNNNNN`` with the city's area code and subscriber length."""
    n = len(city)
    length = ref.city_len[city]
    first = np.array([2, 3, 5, 6, 8])[rng.integers(0, 5, n)]
    rest = rng.integers(0, 10_000_000, n) % (10 ** (length - 1))
    # 8 followed by 00 is a service range in some areas; avoid it.
    rest = np.where((first == 8) & (rest < 10 ** (length - 3)), rest + 10 ** (length - 2), rest)
    sub = first * 10 ** (length - 1) + rest
    repdigit = (10**length - 1) // 9
    sub = np.where(sub % repdigit == 0, sub - sub % 10 + (sub % 10 + 1) % 10, sub)
    return _join("0", _take(ref.city_area, city), "-", _num(sub))


def _ips_to_str(ips: np.ndarray) -> pa.Array:
    ips = np.asarray(ips, dtype=np.int64)
    return _pc().binary_join_element_wise(
        _num(ips >> 24),
        _num((ips >> 16) & 255),
        _num((ips >> 8) & 255),
        _num(ips & 255),
        _lit("."),
    )


@dataclass(frozen=True, slots=True)
class _Blocks:
    start: np.ndarray  # first address of each block (int64), blocks grouped by provider
    size: np.ndarray
    prefix: np.ndarray
    first: np.ndarray  # per provider: index of its first block
    count: np.ndarray  # per provider: number of blocks


def _allocate_blocks(rng: np.random.Generator, share: np.ndarray, n_sites: float) -> _Blocks:
    """Disjoint CIDR blocks for every provider, sized to its expected number of sites.

    Each block goes to a random /8 of a pool of public /8s; within a /8 blocks are
    carved largest first (so every block stays aligned) with random aligned gaps.
    """
    k = len(share)
    count = 1 + rng.binomial(3, 0.4, k)
    need = np.maximum(256.0, 2.0 * share * n_sites / count)
    prefix = np.clip(32 - np.ceil(np.log2(need)).astype(np.int64), 12, 24)
    pfx = np.repeat(prefix, count)
    size = np.left_shift(np.int64(1), 32 - pfx)
    nb = len(pfx)
    n8 = len(_SLASH8)
    slot = rng.integers(0, n8, nb)
    jitter = rng.random(nb)
    spare = (n8 << 24) / max(float(size.sum()), 1.0)
    max_gap = int(np.clip(spare / 4 - 1, 0, 64))
    gap = rng.integers(0, max_gap + 1, nb) * size
    order = np.lexsort((jitter, pfx, slot))
    step = (gap + size)[order]
    cum = np.cumsum(step)
    group_start = np.searchsorted(slot[order], np.arange(n8), side="left")
    before = np.concatenate([[0], cum])[group_start[slot[order]]]
    end_in_slot = cum - before
    offset = np.empty(nb, dtype=np.int64)
    offset[order] = end_in_slot - size[order]
    if (end_in_slot > (1 << 24)).any():  # too full: pack the blocks without gaps or slots
        order = np.lexsort((jitter, pfx))
        offset = np.empty(nb, dtype=np.int64)
        offset[order] = np.concatenate([[0], np.cumsum(size[order])[:-1]])
        if offset.max() + size.max() > (n8 << 24):
            raise SyntheticParameterError(
                "the registry is too large for the synthetic address space"
            )
        slot = offset >> 24
        offset = offset & 0xFFFFFF
    else:  # start each /8's run at a random 1 MiB-aligned place that leaves room for it
        span = np.zeros(n8, dtype=np.int64)
        np.maximum.at(span, slot, offset + size)
        room = ((1 << 24) - span) >> 20
        offset = offset + (np.floor(rng.random(n8) * (room + 1)).astype(np.int64) << 20)[slot]
    slash8 = np.array(_SLASH8, dtype=np.int64)
    start = (slash8[slot] << 24) | offset
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    return _Blocks(start=start, size=size, prefix=pfx, first=first, count=count)


def _random_ips(rng: np.random.Generator, blocks: _Blocks, provider: np.ndarray) -> np.ndarray:
    """One random host address (last octet 1–254) inside each provider's blocks."""
    n = len(provider)
    block = blocks.first[provider] + np.floor(rng.random(n) * blocks.count[provider]).astype(
        np.int64
    )
    ip = blocks.start[block] + np.floor(rng.random(n) * blocks.size[block]).astype(np.int64)
    last = ip & 255
    fix = 1 + rng.integers(0, 254, n)
    return np.where((last == 0) | (last == 255), (ip & ~255) | fix, ip)


def _ranges_text(blocks: _Blocks) -> list[str]:
    out = []
    for p in range(len(blocks.first)):
        sel = slice(blocks.first[p], blocks.first[p] + blocks.count[p])
        starts, pfx = blocks.start[sel], blocks.prefix[sel]
        order = np.argsort(starts, kind="stable")
        out.append(
            ";".join(
                f"{s >> 24}.{(s >> 16) & 255}.{(s >> 8) & 255}.{s & 255}/{x}"
                for s, x in zip(starts[order].tolist(), pfx[order].tolist(), strict=True)
            )
        )
    return out


def _labels(rng: np.random.Generator, n: int) -> pa.Array:
    """Random pinyin domain labels of two or three syllables."""
    third = rng.random(n) < 0.35
    a, b, c = (rng.integers(0, len(_SYLLABLES), n) for _ in range(3))
    return _join(
        _take(_SYLLABLES, a), _take(_SYLLABLES, b), _where(third, _take(_SYLLABLES, c), "")
    )


def _digits_suffix(rng: np.random.Generator, n: int) -> pa.Array:
    kind = _choice(rng, n, [0.4, 0.3, 0.3])
    value = np.where(
        kind == 0,
        rng.integers(10, 100, n),
        np.where(kind == 1, rng.integers(100, 1000, n), rng.integers(1990, 2014, n)),
    )
    return _num(value)


def _punycode(domains: Any) -> pa.Array:
    """IDN domains in their ASCII (A-label) form, per distinct label with :mod:`idna`."""
    import idna

    pa = _pa()
    labels = _pc().split_pattern(domains, ".")
    flat = _to_series(labels.flatten(), "label")
    codes, uniques = pd.factorize(flat)
    ace = [idna.alabel(u).decode("ascii") if not u.isascii() else u for u in uniques]
    encoded = pa.array(ace, pa.large_string()).take(pa.array(codes))
    lists = pa.LargeListArray.from_arrays(labels.offsets.cast(pa.int64()), encoded)
    return _pc().binary_join(lists, _lit("."))


def _unique_domains(rng: np.random.Generator, label: Any, tld: Any) -> pa.Array:
    """``label.tld``, appending digits to the label until every domain is unique."""
    domain = _join(label, ".", tld)
    for _ in range(100):
        dup = _duplicated(domain)
        if not dup.any():
            return domain
        domain = _replace(
            domain,
            dup,
            lambda r: _join(
                _sub(label, r), _num(rng.integers(1, 10_000, len(r))), ".", _sub(tld, r)
            ),
        )
    raise BeianAuditError("could not draw unique domains")  # pragma: no cover


# --------------------------------------------------------------------------- the generator


def _sponsor_code_given_defective(p: Mapping[str, Any]) -> dict[str, float]:
    """P(code present | sponsor defective) under the primary + second-defect scheme.

    The primary code is drawn from ``sponsor_defect_mix``; with probability
    ``second_defect_rate`` a second code is drawn from the mix without
    ``ring_shared_mobile`` and kept only when it belongs to another field group.
    """
    mix = p["sponsor_defect_mix"]
    group = {d.code: d.group for d in DEFECT_CODES}
    no_ring = {c: (0.0 if c == "ring_shared_mobile" else w) for c, w in mix.items()}
    total = sum(no_ring.values())
    second = {c: w / total for c, w in no_ring.items()} if total > 0 else no_ring
    out = {}
    for c, w in mix.items():
        same_group = sum(mix[j] for j in mix if group[j] == group[c])
        out[c] = w + p["second_defect_rate"] * second[c] * (1 - same_group)
    return out


def expected_rates(
    params: Mapping[str, Any] | None = None, *, n_providers: int | None = None
) -> dict[str, float]:
    """Expected values of the realised rates under the given (or default) parameters.

    Parameters
    ----------
    params : mapping, optional
        Generator parameters (as in :data:`DEFAULT_PARAMS`, or ``SyntheticWorld.params``).
    n_providers : int, optional
        Number of providers for the concentration figures; defaults to
        ``params["n_providers"]`` or 1,000.

    Returns
    -------
    dict
        Metric name -> expected value (the keys of :func:`realised_rates`).

    Examples
    --------
    >>> e = expected_rates()
    >>> e["sponsor_accuracy"], e["access_accuracy"], e["filing_rate"]
    (0.7, 0.78, 0.9925)
    >>> round(e["defect_rate:phone_dead"], 4)
    0.0699
    """
    given = dict(params or {})
    for key in ("n_websites", "seed", "generator_version", "reference_fingerprint"):
        given.pop(key, None)
    k = n_providers if n_providers is not None else given.get("n_providers") or 1000
    given["n_providers"] = int(k)
    p = _resolve_params(1, 0, given)
    out: dict[str, float] = {
        "filing_rate": p["filing_rate"],
        "sponsor_accuracy": p["sponsor_accuracy"],
        "access_accuracy": p["access_accuracy"],
        "both_accuracy": p["sponsor_accuracy"] * p["access_accuracy"],
        "material_uploaded": p["material_uploaded"],
        "websites_per_sponsor": p["websites_per_sponsor"],
    }
    shares = _provider_shares(int(k), p["provider_largest_share"], p["provider_top10_share"])
    out["provider_largest_share"] = float(shares[0])
    out["provider_top10_share"] = float(shares[:10].sum())
    given_def = _sponsor_code_given_defective(p)
    for code in _SPONSOR_CODES:
        out[f"defect_rate:{code}"] = (1 - p["sponsor_accuracy"]) * given_def[code]
    for code in _ACCESS_CODES:
        out[f"defect_rate:{code}"] = (1 - p["access_accuracy"]) * p["access_defect_mix"][code]
    for nature in _NATURES:
        out[f"nature_share:{nature}"] = p["nature_mix"][nature]
    return out


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class SyntheticWorld(ResultMixin):
    """A generated registry with everything around it.

    Attributes
    ----------
    filings : DataFrame
        One row per website, every :data:`~beian_audit.schema.FILING_SCHEMA` column in
        schema order with canonical dtypes, truth columns included.
    providers : DataFrame
        :data:`~beian_audit.schema.PROVIDER_SCHEMA` columns, one row per provider.
    accessed_sites : DataFrame
        :data:`~beian_audit.schema.ACCESSED_SITES_SCHEMA` columns: every filed website
        as its provider reports it, plus the unfiled sites providers host.
    provider_truth : DataFrame
        Hidden per-provider parameters: expected market share, sponsor and access
        accuracy probabilities, material upload rate, laxity, realised counts.
    params : dict
        The effective parameters (defaults filled in, ``n_websites``, ``seed``).
    """

    filings: pd.DataFrame
    providers: pd.DataFrame
    accessed_sites: pd.DataFrame
    provider_truth: pd.DataFrame
    params: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        """Row and column counts of each table (no personal data)."""
        tables = {
            "filings": self.filings,
            "providers": self.providers,
            "accessed_sites": self.accessed_sites,
            "provider_truth": self.provider_truth,
        }
        return pd.DataFrame(
            {
                "table": list(tables),
                "rows": [len(t) for t in tables.values()],
                "columns": [t.shape[1] for t in tables.values()],
            }
        )

    def _summary(self) -> str:
        n_s = self.filings["sponsor_id"].nunique()
        return (
            f"n_websites={len(self.filings)}, n_sponsors={n_s}, "
            f"n_providers={len(self.providers)}, seed={self.params.get('seed')}"
        )


def _reference_fingerprint(ref: _Reference) -> str:
    h = hashlib.sha256()
    for part in (
        ref.county_code.tobytes(),
        "|".join(ref.county_name).encode(),
        "|".join(ref.city_name).encode(),
        ref.prov_weight.tobytes(),
        "|".join(ref.prov_prefix).encode(),
    ):
        h.update(part)
    return h.hexdigest()[:16]


def generate_world(n_websites: int, *, seed: int, **params: Any) -> SyntheticWorld:
    """Generate a synthetic national ICP registry with ground truth.

    Parameters
    ----------
    n_websites : int
        Number of filed websites (rows of ``filings``). Full national scale is
        about 3.5 million (DOMAIN.md §4).
    seed : int
        Seed of the single ``numpy.random.default_rng`` (PCG64) stream. The output
        is a function of ``(n_websites, seed, params)`` only.
    **params
        Modelling assumptions, all optional (defaults in :data:`DEFAULT_PARAMS`):

        * ``n_providers`` (None → ``max(30, round(n_websites / 3500))``; 982 providers
          hosted 3.51 M websites in 2013);
        * ``websites_per_sponsor`` (1.25; 3.51 M websites / 2.82 M sponsors),
          ``sponsor_tail_share`` (0.001), ``sponsor_tail_alpha`` (1.8),
          ``sponsor_tail_min`` (5), ``sponsor_tail_max`` (300): websites per sponsor
          are geometric with a discrete Pareto tail of that share, index, minimum
          and cap; the geometric mean is solved so the overall mean is
          ``websites_per_sponsor``;
        * ``provider_largest_share`` (0.17), ``provider_top10_share`` (0.50):
          expected shares of the largest and ten largest providers (log-normal
          quantile sizes; no provider hosted more than 20–25 %);
        * ``provider_hub_share`` (0.65): share of providers based in a hub province
          (广东, 北京, 浙江, 江苏, 上海); ``national_provider_share`` (0.1): share of
          providers holding a cross-region licence;
        * ``nature_mix`` (企业 0.648, 个人 0.296, 事业单位 0.026, 政府机关 0.016,
          社会团体 0.012, 民办非企业单位 0.002; the 2013 shares, which add to
          100.4 %, rescaled);
        * ``server_in_sponsor_province`` (0.35): otherwise the server is in the
          provider's (usually hub) province;
        * ``access_mode_mix`` (专线 0.08, 主机托管 0.22, 虚拟主机 0.50, 云接入 0.15,
          其他 0.05);
        * ``approval_first_year`` (2005), ``approval_last_year`` (2013),
          ``approval_growth`` (1.25 more approvals each year, churn included);
        * ``idn_share`` (0.01): Chinese (IDN) domains; ``two_ip_share`` (0.3):
          websites filing two IP addresses;
        * ``same_principal_org`` (0.6), ``same_principal_person`` (0.95): the website
          principal is the sponsor principal;
        * ``office_phone_is_mobile`` (0.15); ``detailed_address_remark`` (0.02): share
          of individuals' addresses that are villages with the accepted remark
          已是最详细地址;
        * ``sponsor_accuracy`` (0.70), ``access_accuracy`` (0.78): expected overall
          shares of correct blocks; ``provider_quality_concentration`` (10): provider
          accuracy probabilities are Beta(κm, κ(1−m)) — Beta(7, 3) for sponsors —
          shifted on the logit scale so their website-weighted mean is exactly m;
        * ``sponsor_defect_mix`` (share of each code among defective sponsors, see
          :data:`DEFECT_CODES`), ``second_defect_rate`` (0.25), ``ring_size_mean`` (6);
        * ``access_defect_mix`` (domain_unresolved 0.4, hosted_elsewhere 0.4,
          ip_not_filed 0.2);
        * ``filing_rate`` (0.9925): expected filed share of accessed sites;
          ``provider_laxity_sigma`` (1.5): log-normal spread of providers' laxity;
        * ``material_uploaded`` (0.80), ``integration_passed`` (0.85).

    Returns
    -------
    SyntheticWorld
        ``.filings``, ``.providers``, ``.accessed_sites``, ``.provider_truth``,
        ``.params``.

    Raises
    ------
    SyntheticParameterError
        For an unknown parameter (also a ``TypeError``) or a bad value (also a
        ``ValueError``); the message lists the allowed parameters.

    Notes
    -----
    The sponsor block of a website is correct unless its sponsor drew a defect.
    A sponsor of provider *p* is defective with probability ``1 - q_p``; the
    primary defect comes from ``sponsor_defect_mix`` and, with probability
    ``second_defect_rate``, a second one from another field group. So the
    expected rate of code *c* is ``(1 - sponsor_accuracy) * (w_c + r * w'_c *
    (1 - G_c))`` with ``w'`` the mix without rings and ``G_c`` the mix weight of
    *c*'s group (:func:`expected_rates`). All websites of a sponsor share its
    truth, so website-level rates are cluster samples of sponsors.

    Examples
    --------
    >>> w = generate_world(1_000, seed=1)
    >>> list(w.filings.columns[:3])
    ['website_id', 'sponsor_id', 'sponsor_icp_number']
    >>> w.params["n_providers"]
    30
    >>> generate_world(10, seed=1, sponsor_acuracy=0.7)
    Traceback (most recent call last):
    ...
    beian_audit.errors.SyntheticParameterError: unknown parameter(s) 'sponsor_acuracy'; ...
    """
    p = _resolve_params(n_websites, seed, params)
    ref = _reference()
    p["reference_fingerprint"] = _reference_fingerprint(ref)
    rng = np.random.default_rng(p["seed"])
    parts, providers, accessed, truth = _simulate(rng, p, ref)
    return SyntheticWorld(
        filings=_assemble_filings(parts, ref),
        providers=providers,
        accessed_sites=accessed,
        provider_truth=truth,
        params=p,
    )


def generate_registry(n_websites: int, *, seed: int, **params: Any) -> pd.DataFrame:
    """The filings table of :func:`generate_world` (public contract).

    Examples
    --------
    >>> frame = generate_registry(500, seed=3)
    >>> frame.shape[0], str(frame["truth_sponsor_ok"].dtype)
    (500, 'boolean')
    """
    return generate_world(n_websites, seed=seed, **params).filings


@dataclass(slots=True)
class _Providers:
    k: int
    share: np.ndarray
    rank: np.ndarray
    home: np.ndarray
    name: Any
    licence: Any
    national: np.ndarray
    integration: np.ndarray
    q_s: np.ndarray
    q_a: np.ndarray
    q_m: np.ndarray
    laxity: np.ndarray
    blocks: _Blocks


def _make_providers(
    rng: np.random.Generator, p: Mapping[str, Any], ref: _Reference, n: int
) -> _Providers:
    k = p["n_providers"]
    shares_sorted = _provider_shares(k, p["provider_largest_share"], p["provider_top10_share"])
    rank = rng.permutation(k)
    share = shares_sorted[rank]
    hub = ref.prov_is_hub
    hub_w = np.where(
        hub,
        p["provider_hub_share"] * ref.prov_weight / ref.prov_weight[hub].sum(),
        (1 - p["provider_hub_share"]) * ref.prov_weight / ref.prov_weight[~hub].sum(),
    )
    home = _choice(rng, k, hub_w)
    county = _choice_within(rng, home, ref.county_prov, ref.county_weight)
    mids = ("数据", "网络", "信息", "云计算", "通信", "互联", "数码", "电信")
    tails = ("科技", "技术", "服务", "技术服务", "发展")
    mid = _take(mids, rng.integers(0, len(mids), k))
    tail = _take(tails, rng.integers(0, len(tails), k))
    city_short = _take(ref.city_short, ref.county_city[county])
    brand, _ = _brands(rng, k)
    name = _join(city_short, brand, mid, tail, "有限公司")
    for _ in range(100):
        dup = _duplicated(name)
        if not dup.any():
            break
        more, _ = _brands(rng, k)
        brand = _where(dup, _join(brand, more), brand)
        name = _join(city_short, brand, mid, tail, "有限公司")
    national = rank < max(1, round(p["national_provider_share"] * k))
    serial = _unique_redraw(
        rng.integers(2003, 2013, k) * 10_000 + rng.integers(1, 10_000, k),
        lambda m: rng.integers(2003, 2013, m) * 10_000 + rng.integers(1, 10_000, m),
    )
    licence = _join(_where(national, "", _take(ref.prov_prefix, home)), "B1-", _num(serial))
    integration = rng.random(k) < p["integration_passed"]
    kappa = p["provider_quality_concentration"]

    def beta(mean: float) -> np.ndarray:
        return rng.beta(kappa * mean + 1e-9, kappa * (1 - mean) + 1e-9, k)

    q_s, q_a, q_m = (
        beta(p["sponsor_accuracy"]),
        beta(p["access_accuracy"]),
        beta(p["material_uploaded"]),
    )
    laxity = np.exp(p["provider_laxity_sigma"] * rng.standard_normal(k))
    blocks = _allocate_blocks(rng, share, n * (1 + 2 * (1 - p["filing_rate"])))
    return _Providers(
        k=k,
        share=share,
        rank=rank,
        home=home,
        name=name,
        licence=licence,
        national=national,
        integration=integration,
        q_s=q_s,
        q_a=q_a,
        q_m=q_m,
        laxity=laxity,
        blocks=blocks,
    )


def _sponsor_defects(
    rng: np.random.Generator, p: Mapping[str, Any], q: np.ndarray, provider: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Defect bit masks of sponsors and their ring numbers (-1 outside a ring)."""
    n_s = len(provider)
    codes = list(_SPONSOR_CODES)
    group = np.array([next(d.group for d in DEFECT_CODES if d.code == c) for c in codes])
    mix = np.array([p["sponsor_defect_mix"][c] for c in codes])
    ring_i = codes.index("ring_shared_mobile")
    defective = rng.random(n_s) >= q[provider]
    primary = _choice(rng, n_s, mix)
    mix2 = mix.copy()
    mix2[ring_i] = 0.0
    has_second = rng.random(n_s) < p["second_defect_rate"]
    second = _choice(rng, n_s, mix2) if mix2.sum() > 0 else primary.copy()
    has_second &= group[second] != group[primary]
    # Rings: sponsors whose primary defect is the shared mobile, grouped within provider.
    members = np.flatnonzero(defective & (primary == ring_i))
    members = members[np.lexsort((rng.random(len(members)), provider[members]))]
    ring = np.full(n_s, -1, dtype=np.int64)
    m = len(members)
    if m == 1:
        primary[members] = codes.index("phone_dead")
    elif m >= 2:
        sizes: list[int] = []
        while sum(sizes) < m:
            sizes.append(3 + int(rng.poisson(p["ring_size_mean"] - 3)))
        if len(sizes) > 1 and m - sum(sizes[:-1]) < 3:
            sizes = sizes[:-1]
        labels = np.repeat(np.arange(len(sizes)), sizes)[:m]
        labels = np.concatenate([labels, np.full(m - len(labels), len(sizes) - 1)])
        ring[members] = labels
    bit = np.array([_CODE_BIT[c] for c in codes])
    bits = np.zeros(n_s, dtype=np.int64)
    bits[defective] |= np.left_shift(1, bit[primary[defective]])
    both = defective & has_second
    bits[both] |= np.left_shift(1, bit[second[both]])
    return bits, ring


def _simulate(
    rng: np.random.Generator, p: dict[str, Any], ref: _Reference
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Draw the whole registry; return the filings parts and the other three tables."""
    arrow, compute = _pa(), _pc()
    n = p["n_websites"]
    n_ref = len(ref.prov_name)
    prov = _make_providers(rng, p, ref, n)
    k = prov.k

    # ---------------------------------------------------------------- sponsors
    sizes = _sponsor_sizes(rng, n, p)
    n_s = len(sizes)
    nature = _choice(rng, n_s, [p["nature_mix"][x] for x in _NATURES])
    s_prov = _choice(rng, n_s, ref.prov_weight)
    s_county = _choice_within(rng, s_prov, ref.county_prov, ref.county_weight)
    s_city = ref.county_city[s_county]
    s_provider = _choice(rng, n_s, prov.share)
    per_provider = np.bincount(s_provider, weights=sizes, minlength=k)
    q_s = _calibrate(prov.q_s, per_provider, p["sponsor_accuracy"])
    q_a = _calibrate(prov.q_a, per_provider, p["access_accuracy"])
    q_m = _calibrate(prov.q_m, per_provider, p["material_uploaded"])
    bits, ring = _sponsor_defects(rng, p, q_s, s_provider)
    n_rings = int(ring.max()) + 1

    def has(code: str) -> np.ndarray:
        return (bits >> _CODE_BIT[code]) & 1 == 1

    is_person = nature == _NATURES.index("个人")
    is_company = nature == _NATURES.index("企业")

    # ---------------------------------------------------------------- website skeleton
    sponsor_of = np.repeat(np.arange(n_s), sizes)
    first_row = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    web_seq = np.arange(n) - first_row[sponsor_of] + 1
    w_nature = nature[sponsor_of]
    w_provider = s_provider[sponsor_of]
    years = np.arange(p["approval_first_year"], p["approval_last_year"] + 1)
    year = years[_choice(rng, n, p["approval_growth"] ** (years - years[0]))]
    approval = _year_dates(rng, year)
    s_first_year = np.minimum.reduceat(year, first_row) - _choice(rng, n_s, [0.8, 0.12, 0.08])

    # ICP numbers: prefix of the sponsor's province, or another (icp_prefix_mismatch).
    icp_prov = s_prov.copy()
    bad = has("icp_prefix_mismatch")
    icp_prov[bad] = (s_prov[bad] + 1 + rng.integers(0, n_ref - 1, int(bad.sum()))) % n_ref
    yk = np.where(s_first_year < 2005, 0, s_first_year)
    key = icp_prov * 10**11 + yk * 10**6 + rng.integers(0, 1_000_000, n_s)
    for _ in range(200):
        dup = pd.Series(key).duplicated().to_numpy()
        if not dup.any():
            break
        key[dup] = (key[dup] // 10**6) * 10**6 + rng.integers(0, 1_000_000, int(dup.sum()))
    serial6 = key % 10**6
    fmt = np.where(s_first_year < 2005, 0, np.where(s_first_year <= 2018, 1, 2))
    serial = np.where(
        fmt == 1,
        (s_first_year % 100) * 10**6 + serial6,
        np.where(fmt == 2, s_first_year * 10**6 + serial6, serial6),
    )
    s_icp = _join(
        _take(ref.prov_prefix, icp_prov),
        "ICP备",
        _by_kind(fmt, 3, lambda f, r: _num(serial[r], (6, 8, 10)[f])),
        "号",
    )

    # ---------------------------------------------------------------- persons
    # Sponsor principals are persons 0..n_s-1; website principals who are someone else
    # follow in website order.
    same = rng.random(n) < np.where(
        w_nature == _NATURES.index("个人"), p["same_principal_person"], p["same_principal_org"]
    )
    other_rows = np.flatnonzero(~same)
    n_pers = n_s + len(other_rows)
    p_sponsor = np.concatenate([np.arange(n_s), sponsor_of[other_rows]])
    p_name, p_pinyin = _person_names(rng, n_pers)
    id_body, id_county = _id_bodies(
        rng,
        ref,
        s_prov[p_sponsor],
        np.concatenate([s_first_year, year[other_rows]]),
    )
    id_check = _ric_check(id_body)
    wp_person = np.where(same, sponsor_of, n_s + np.cumsum(~same) - 1)

    # ---------------------------------------------------------------- sponsor names
    ncm = has("nature_cert_mismatch")
    company_rows = np.flatnonzero(is_company | (is_person & ncm))
    comp = _company_names(rng, ref, s_county[company_rows])
    comp_pos = np.full(n_s, -1, dtype=np.int64)
    comp_pos[company_rows] = np.arange(len(company_rows))
    name_parts: list[tuple[np.ndarray, Any]] = [(company_rows, comp["name"])]
    rows = np.flatnonzero(is_person & ~ncm)
    name_parts.append((rows, _sub(p_name, rows)))
    for nat in ("事业单位", "政府机关", "社会团体", "民办非企业单位", "基金会"):
        rows = np.flatnonzero(nature == _NATURES.index(nat))
        if len(rows):
            name_parts.append((rows, _org_names(rng, ref, s_county[rows], nat)))
    sponsor_name = _scatter(n_s, name_parts)

    # ---------------------------------------------------------------- certificates
    small = np.zeros(n_s, dtype=bool)
    small[company_rows] = comp["small_business"]
    pair = np.array([_NATURE_USCC.get(x, "91") for x in _NATURES])[nature]
    pair = np.where(small & is_company, "92", pair)
    municipal = np.isin(np.array(ref.city_code)[s_city], _MUNICIPALITIES)
    city_code_int = np.array(ref.city_code, dtype=np.int64)[s_city]
    region = np.where((rng.random(n_s) < 0.8) | municipal, ref.county_code[s_county], city_code_int)
    uscc = _uscc_matrix(rng, pair, region)
    # id_checksum: on the credit code (organisations, half of the time) or on the
    # principal's ID number (for individuals that is the certificate too).
    bad_id = has("id_checksum")
    on_cert = bad_id & ~is_person & (rng.random(n_s) < 0.5)
    on_pid = np.zeros(n_pers, dtype=bool)
    on_pid[:n_s] = bad_id & ~on_cert
    right = _ALPHA_INDEX[uscc[on_cert, 17]]
    uscc[on_cert, 17] = _ALPHA[(right + 1 + rng.integers(0, 30, int(on_cert.sum()))) % 31]
    id_check[on_pid] = (id_check[on_pid] + 1 + rng.integers(0, 10, int(on_pid.sum()))) % 11
    pid = _ric_strings(id_body, id_check)
    sp_pid = _sub(pid, np.arange(n_s))
    cert_is_id = is_person | ncm
    cert_type = _where(cert_is_id, "居民身份证", "统一社会信用代码")
    cert_number = _where(cert_is_id, sp_pid, _ascii(uscc))

    # ---------------------------------------------------------------- addresses
    postal = _addresses(rng, ref, s_county)
    remark = is_person & (rng.random(n_s) < p["detailed_address_remark"])
    postal = _replace(postal, remark, lambda r: _village_addresses(rng, ref, s_county[r]))
    doorless = has("address_no_door")
    postal = _replace(postal, doorless, lambda r: _doorless_addresses(rng, ref, s_county[r]))
    elsewhere = has("address_province_mismatch")

    def away(r: np.ndarray) -> pa.Array:
        other = (s_prov[r] + 1 + rng.integers(0, n_ref - 1, len(r))) % n_ref
        return _addresses(rng, ref, _choice_within(rng, other, ref.county_prov, ref.county_weight))

    postal = _replace(postal, elsewhere, away)
    # Certificate address: the same for 70 % of organisations, otherwise another one in
    # the county; for individuals the ID-card address (county of the ID number 40 %).
    cert_county = np.where(is_person & (rng.random(n_s) < 0.4), id_county[:n_s], s_county)
    keep = (
        np.where(
            is_person, (cert_county == s_county) & (rng.random(n_s) < 0.6), rng.random(n_s) < 0.7
        )
        & ~doorless
        & ~elsewhere
    )
    cert_addr = _replace(postal, ~keep, lambda r: _addresses(rng, ref, cert_county[r]))

    # ---------------------------------------------------------------- phones
    mobile_int = _mobiles(rng, n_pers + n_rings)
    ring_mobile = _num(mobile_int[n_pers:])
    mobile_int = mobile_int[:n_pers]
    mobile = _num(mobile_int)
    p_city = s_city[p_sponsor]
    office_is_mobile = rng.random(n_pers) < p["office_phone_is_mobile"]
    office = _by_kind(
        office_is_mobile.astype(np.int64),
        2,
        lambda f, r: _office_phones(rng, ref, p_city[r]) if f == 0 else _sub(mobile, r),
    )
    # phone_malformed: 0 mobile one digit short, 1 one digit long, 2 a letter for a digit,
    # 3 office phone without area code, 4 office phone one digit short.
    malformed = np.zeros(n_pers, dtype=bool)
    malformed[:n_s] = has("phone_malformed")
    variant = rng.integers(0, 5, n_pers)
    variant = np.where(office_is_mobile & (variant >= 3), variant - 3, variant)
    area = np.array(ref.city_area)[p_city]
    variant = np.where((variant == 4) & np.isin(area, ["433", "435", "754", "851"]), 3, variant)

    def bad_mobile(r: np.ndarray) -> pa.Array:
        def one(v: int, rr: np.ndarray) -> pa.Array:
            x = mobile_int[r[rr]]
            if v == 0:
                return _num(x // 10)
            if v == 1:
                return _num(x * 10 + rng.integers(0, 10, len(rr)))
            mat = _digits_ascii(x, 11).copy()
            mat[np.arange(len(rr)), 3 + rng.integers(0, 8, len(rr))] = np.array(
                [ord("O"), ord("l"), ord("I")], dtype=np.uint8
            )[rng.integers(0, 3, len(rr))]
            return _ascii(mat)

        return _by_kind(variant[r], 3, one)

    def bad_office(r: np.ndarray) -> pa.Array:
        def one(v: int, rr: np.ndarray) -> pa.Array:
            if v == 0:  # no area code: 8 digits, no 1 or 9 at the 3rd/4th place
                d = rng.integers(0, 10, (len(rr), 8))
                d[:, 0] = np.array([2, 3, 5, 6, 8])[rng.integers(0, 5, len(rr))]
                d[:, 2:4] = np.array([0, 2, 3, 4, 5, 6, 7, 8])[rng.integers(0, 8, (len(rr), 2))]
                return _ascii((d + 48).astype(np.uint8))
            return compute.utf8_slice_codeunits(_sub(office, r[rr]), 0, -1)

        return _by_kind(variant[r] - 3, 2, one)

    mobile = _replace(mobile, malformed & (variant <= 2), bad_mobile)
    office = _replace(office, malformed & (variant >= 3), bad_office)
    placeholder = np.zeros(n_pers, dtype=bool)
    placeholder[:n_s] = has("phone_placeholder")
    mobile = _replace(
        mobile,
        placeholder,
        lambda r: _take(_PLACEHOLDER_MOBILES, rng.integers(0, len(_PLACEHOLDER_MOBILES), len(r))),
    )
    p_ring = ring[p_sponsor]
    mobile = _replace(mobile, p_ring >= 0, lambda r: _sub(ring_mobile, p_ring[r]))

    # ---------------------------------------------------------------- domains
    w_first = web_seq == 1
    label_kind = np.where(
        ~w_first,
        0,
        np.where(
            w_nature == _NATURES.index("企业"),
            1,
            np.where(w_nature == _NATURES.index("个人"), 2, 0),
        ),
    )
    label_kind = np.where((label_kind == 2) & (rng.random(n) < 0.5), 0, label_kind)
    base = _by_kind(
        label_kind,
        3,
        lambda f, r: (
            _labels(rng, len(r))
            if f == 0
            else _sub(comp["brand_py"], comp_pos[sponsor_of[r]])
            if f == 1
            else _sub(p_pinyin, sponsor_of[r])
        ),
    )
    ind_py = [x for _, x in _INDUSTRIES]
    ind_of = np.zeros(n_s, dtype=np.int64)
    ind_of[company_rows] = comp["industry"]
    suffix_kind = _choice(rng, n, [0.55, 0.15, 0.30])
    suffix_kind = np.where((suffix_kind == 1) & (label_kind != 1), 0, suffix_kind)
    suffix = _by_kind(
        suffix_kind,
        3,
        lambda f, r: (
            _const("", len(r))
            if f == 0
            else _take(ind_py, ind_of[sponsor_of[r]])
            if f == 1
            else _digits_suffix(rng, len(r))
        ),
    )
    label = _join(base, suffix)
    tld_group = np.array(
        [{"企业": 0, "个人": 1, "事业单位": 2, "政府机关": 3}.get(x, 4) for x in _NATURES]
    )[w_nature]
    tables = [_TLDS["企业"], _TLDS["个人"], _TLDS["事业单位"], _TLDS["政府机关"], _TLDS["other"]]
    tld = _by_kind(
        tld_group,
        len(tables),
        lambda f, r: _take(
            [t for t, _ in tables[f]], _choice(rng, len(r), [w for _, w in tables[f]])
        ),
    )
    idn = rng.random(n) < p["idn_share"]

    def idn_label(r: np.ndarray) -> pa.Array:
        pos = comp_pos[sponsor_of[r]]
        has_brand = pos >= 0
        own = _sub(comp["brand_zh"], np.maximum(pos, 0))
        return _where(has_brand, own, _join(_brands(rng, len(r))[0], "网"))

    label = _replace(label, idn, idn_label)
    tld = _replace(
        tld,
        idn,
        lambda r: _take([t for t, _ in _IDN_TLDS], _choice(rng, len(r), [w for _, w in _IDN_TLDS])),
    )
    domain = _unique_domains(rng, label, tld)
    url_kind = np.where(idn, 3, _choice(rng, n, [0.5, 0.3, 0.1, 0.1]))
    home_url = _by_kind(
        url_kind, 4, lambda f, r: _join(("http://www.", "www.", "", "http://")[f], _sub(domain, r))
    )

    # ---------------------------------------------------------------- emails
    # QQ numbers at qq.com, pinyin at a webmail domain, or a role or name at the
    # organisation's own (ASCII) domain.
    org = ~is_person[p_sponsor] & ~idn[first_row[p_sponsor]]
    e_kind = _choice(rng, n_pers, [0.35, 0.45, 0.20])
    e_kind = np.where((e_kind == 2) & ~org, 1, e_kind)

    def local_part(f: int, r: np.ndarray) -> pa.Array:
        m = len(r)
        if f == 0:
            return _num(rng.integers(10_000, 3_000_000_000, m))
        if f == 1:
            return _join(_sub(p_pinyin, r), _where(rng.random(m) < 0.6, _digits_suffix(rng, m), ""))
        return _where(
            rng.random(m) < 0.5,
            _take(_ROLE_LOCALS, rng.integers(0, len(_ROLE_LOCALS), m)),
            _sub(p_pinyin, r),
        )

    local = _by_kind(e_kind, 3, local_part)
    e_domain = _by_kind(
        e_kind,
        3,
        lambda f, r: (
            _const("qq.com", len(r))
            if f == 0
            else _take([d for d, _ in _WEBMAIL], _choice(rng, len(r), [w for _, w in _WEBMAIL]))
            if f == 1
            else _sub(domain, first_row[p_sponsor[r]])
        ),
    )
    email = _join(local, "@", e_domain)
    typo = np.zeros(n_pers, dtype=bool)
    typo[:n_s] = has("email_typo_domain")
    email = _replace(
        email,
        typo,
        lambda r: _join(
            _sub(local, r),
            "@",
            _take(_EMAIL_TYPO_DOMAINS, rng.integers(0, len(_EMAIL_TYPO_DOMAINS), len(r))),
        ),
    )
    invalid = np.zeros(n_pers, dtype=bool)
    invalid[:n_s] = has("email_invalid")

    def bad_email(r: np.ndarray) -> pa.Array:
        wm = rng.integers(0, len(_WEBMAIL), len(r))
        dom = _take([d for d, _ in _WEBMAIL], wm)
        lab = _take([d.split(".")[0] for d, _ in _WEBMAIL], wm)
        top = _take([d.split(".", 1)[1] for d, _ in _WEBMAIL], wm)
        loc = _sub(local, r)
        return _choose(
            rng.integers(0, 6, len(r)),
            _join(loc, "@@", dom),
            _join(loc, ".", dom),
            _join(loc, "@", lab),
            _join(loc, "@", lab, "..", top),
            _join(loc, ".@", dom),
            _join(loc, "@", lab, ",", top),
        )

    email = _replace(email, invalid, bad_email)

    # ---------------------------------------------------------------- access block
    mode = _take(_ACCESS_MODES, _choice(rng, n, [p["access_mode_mix"][x] for x in _ACCESS_MODES]))
    server_prov = np.where(
        rng.random(n) < p["server_in_sponsor_province"], s_prov[sponsor_of], prov.home[w_provider]
    )
    blocks = prov.blocks
    ip1 = _random_ips(rng, blocks, w_provider)
    two = rng.random(n) < p["two_ip_share"]
    ip2 = _random_ips(rng, blocks, w_provider)
    for _ in range(100):
        clash = two & (ip2 == ip1)
        if not clash.any():
            break
        ip2[clash] = _random_ips(rng, blocks, w_provider[clash])
    ip1_text = _ips_to_str(ip1)
    ips_text = _replace(ip1_text, two, lambda r: _join(_sub(ip1_text, r), ";", _ips_to_str(ip2[r])))
    access_code = np.where(
        rng.random(n) >= q_a[w_provider],
        _choice(rng, n, [p["access_defect_mix"][c] for c in _ACCESS_CODES]),
        -1,
    )
    resolved = np.where(two & (rng.random(n) < 0.5), ip2, ip1)
    other = _choice(rng, n, prov.share)
    step = 1 + np.floor(rng.random(n) * max(k - 1, 1)).astype(np.int64)
    other = np.where(other == w_provider, (w_provider + step) % k, other)
    if k == 1:  # nowhere else to be hosted: the domain does not resolve instead
        access_code[access_code == 1] = 0
    hosted_elsewhere = access_code == 1
    resolved = np.where(hosted_elsewhere, _random_ips(rng, blocks, other), resolved)
    not_filed = access_code == 2
    stray = _random_ips(rng, blocks, w_provider)
    for _ in range(100):
        clash = not_filed & ((stray == ip1) | (two & (stray == ip2)))
        if not clash.any():
            break
        stray[clash] = _random_ips(rng, blocks, w_provider[clash])
    resolved = np.where(not_filed, stray, resolved)
    resolved_text = _where(
        access_code == 0, arrow.scalar(None, arrow.large_string()), _ips_to_str(resolved)
    )
    host = np.where(hosted_elsewhere, other, w_provider)
    material = rng.random(n) < q_m[w_provider]

    # ---------------------------------------------------------------- website texts
    site_kind = np.where(
        w_nature == _NATURES.index("个人"), 2, np.where(w_nature == _NATURES.index("企业"), 1, 0)
    )
    # First websites: 0–2 organisation, 3–5 company, 6–8 individual; further websites:
    # 9 organisation (a sub-site), 10 company (a shop, forum …), 11 individual (a topic).
    name_kind = np.where(w_first, site_kind * 3 + _choice(rng, n, [0.4, 0.3, 0.3]), 9 + site_kind)

    def site_name(f: int, r: np.ndarray) -> pa.Array:
        m = len(r)
        if f in (8, 11):
            return _join(
                _take(_TOPICS, rng.integers(0, len(_TOPICS), m)),
                _take(_TOPIC_SUFFIXES, rng.integers(0, len(_TOPIC_SUFFIXES), m)),
            )
        sname = _sub(sponsor_name, sponsor_of[r])
        if f == 9:
            return _join(sname, _take(_SUBSITES, rng.integers(0, len(_SUBSITES), m)))
        brand = _sub(comp["brand_zh"], comp_pos[sponsor_of[r]]) if f in (3, 4, 10) else None
        if f == 10:
            return _join(brand, _take(_SHOP_SITES, rng.integers(0, len(_SHOP_SITES), m)))
        if f in (3, 4):
            return _join(brand, "官网" if f == 3 else "网")
        suffix = {0: "", 1: "网站", 2: "官网", 5: "", 6: "的个人网站", 7: "的博客"}[f]
        return _join(sname, suffix)

    website_name = _by_kind(name_kind, 12, site_name)
    services = [_SERVICE_CONTENT["other"], _SERVICE_CONTENT["企业"], _SERVICE_CONTENT["个人"]]
    service = _by_kind(
        site_kind,
        3,
        lambda f, r: _take(
            [t for t, _ in services[f]], _choice(rng, len(r), [w for _, w in services[f]])
        ),
    )
    pre_approval = _replace(
        _nulls(n),
        rng.random(n) < 0.04,
        lambda r: _take(_PRE_APPROVALS, rng.integers(0, len(_PRE_APPROVALS), len(r))),
    )
    limit = _where(rng.random(n) < 0.005, "是", "否")
    inv_kind = np.where(
        is_person, 0, np.where(is_company, np.where(rng.random(n_s) < 0.6, 1, 2), 3)
    )
    civil = np.isin(nature, [_NATURES.index(x) for x in ("社会团体", "民办非企业单位", "基金会")])
    investor = _by_kind(
        inv_kind,
        4,
        lambda f, r: (
            _sub(sponsor_name, r)
            if f == 0
            else _sub(p_name, r)
            if f == 1
            else _person_names(rng, len(r))[0]
            if f == 2
            else _join(_take(ref.city_name, s_city[r]), _where(civil[r], "民政局", "人民政府"))
        ),
    )

    # ---------------------------------------------------------------- website principals
    org_line = (~same) & (w_nature != _NATURES.index("个人")) & (rng.random(n) < 0.5)
    wp_phone = _sub(office, np.where(org_line, sponsor_of, wp_person))

    # ---------------------------------------------------------------- truth
    w_bits = bits[sponsor_of].copy()
    acc_bit = np.array([_CODE_BIT[c] for c in _ACCESS_CODES])
    has_acc = access_code >= 0
    w_bits[has_acc] |= np.left_shift(1, acc_bit[access_code[has_acc]])
    uniq, inverse = np.unique(w_bits, return_inverse=True)
    texts = [
        ";".join(d.code for d in DEFECT_CODES if (int(u) >> _CODE_BIT[d.code]) & 1) or None
        for u in uniq
    ]
    truth_defects = _take(texts, inverse.ravel())
    sponsor_ok = bits[sponsor_of] == 0
    access_ok = ~has_acc

    # ---------------------------------------------------------------- assemble
    provider_id = _join("P", _num(np.arange(1, k + 1), max(4, len(str(k)))))
    providers = _frame(
        {
            "provider_id": provider_id,
            "provider_name": prov.name,
            "licence": prov.licence,
            "home_province": _take(ref.prov_name, prov.home),
            "ip_ranges": arrow.array(_ranges_text(blocks), arrow.large_string()),
            "integration_passed": prov.integration,
        },
        PROVIDER_SCHEMA,
    )
    accessed, unfiled = _accessed_sites(
        rng, p, blocks, domain, idn, resolved_text, ip1_text, host, prov.laxity, provider_id
    )
    truth = pd.DataFrame(
        {
            "provider_id": _to_series(provider_id, "provider_id"),
            "expected_share": prov.share,
            "size_rank": prov.rank + 1,
            "sponsor_accuracy_p": q_s,
            "access_accuracy_p": q_a,
            "material_rate_p": q_m,
            "laxity": prov.laxity,
            "national_licence": prov.national,
            "n_websites": np.bincount(w_provider, minlength=k),
            "n_sponsor_ok": np.bincount(w_provider[sponsor_ok], minlength=k),
            "n_access_ok": np.bincount(w_provider[access_ok], minlength=k),
            "n_hosted_filed": np.bincount(host, minlength=k),
            "n_hosted_unfiled": unfiled,
        }
    )
    # Everything the filings table needs; the table is assembled after this function has
    # returned, so that its intermediate arrays are freed first.
    parts: dict[str, Any] = {
        "n_sponsors": n_s,
        "sponsor_of": sponsor_of,
        "wp_person": wp_person,
        "web_seq": web_seq,
        "w_nature": w_nature,
        "w_provider": w_provider,
        "s_prov": s_prov[sponsor_of],
        "s_city": s_city[sponsor_of],
        "s_county": s_county[sponsor_of],
        "server_prov": server_prov,
        "provider_id": provider_id,
        "provider_name": prov.name,
        "s_icp": s_icp,
        "sponsor_name": sponsor_name,
        "cert_type": cert_type,
        "cert_number": cert_number,
        "cert_addr": cert_addr,
        "postal": postal,
        "investor": investor,
        "p_name": p_name,
        "pid": pid,
        "mobile": mobile,
        "office": office,
        "email": email,
        "website_name": website_name,
        "home_url": home_url,
        "domain": domain,
        "service": service,
        "pre_approval": pre_approval,
        "limit": limit,
        "wp_phone": wp_phone,
        "approval": approval,
        "mode": mode,
        "ips_text": ips_text,
        "material": material,
        "resolved_text": resolved_text,
        "sponsor_ok": sponsor_ok,
        "access_ok": access_ok,
        "truth_defects": truth_defects,
    }
    return parts, providers, accessed, truth


def _assemble_filings(parts: dict[str, Any], ref: _Reference) -> pd.DataFrame:
    """The filings table from the parts of :func:`_simulate`, freeing each part once used."""
    sof = parts.pop("sponsor_of")
    wpp = parts.pop("wp_person")
    n, n_s = len(sof), parts.pop("n_sponsors")
    out: dict[str, Any] = {
        "website_id": _join("W", _num(np.arange(1, n + 1), max(8, len(str(n))))),
        "sponsor_id": _join("Z", _num(sof + 1, max(8, len(str(n_s))))),
    }
    s_icp = _sub(parts.pop("s_icp"), sof)
    out["sponsor_icp_number"] = s_icp
    for column, key in (
        ("sponsor_name", "sponsor_name"),
        ("sponsor_cert_type", "cert_type"),
        ("sponsor_cert_number", "cert_number"),
        ("sponsor_cert_address", "cert_addr"),
        ("sponsor_address", "postal"),
        ("investor", "investor"),
    ):
        out[column] = _sub(parts.pop(key), sof)
    out["sponsor_nature"] = _take(_NATURES, parts.pop("w_nature"))
    out["sponsor_province"] = _take(ref.prov_name, parts.pop("s_prov"))
    out["sponsor_city"] = _take(ref.city_name, parts.pop("s_city"))
    out["sponsor_county"] = _take(ref.county_name, parts.pop("s_county"))
    for person, index in (("sponsor_principal", sof), ("website_principal", wpp)):
        out[f"{person}_id_type"] = _repeat("居民身份证", n)
        for column, key in (
            ("name", "p_name"),
            ("id_number", "pid"),
            ("mobile", "mobile"),
            ("email", "email"),
        ):
            out[f"{person}_{column}"] = _sub(
                parts[key] if person == "sponsor_principal" else parts.pop(key), index
            )
    out["sponsor_principal_phone"] = _sub(parts.pop("office"), sof)
    out["website_principal_phone"] = parts.pop("wp_phone")
    out["website_icp_number"] = _join(s_icp, "-", _num(parts.pop("web_seq")))
    w_provider = parts.pop("w_provider")
    out["provider_id"] = _sub(parts.pop("provider_id"), w_provider)
    out["provider_name"] = _sub(parts.pop("provider_name"), w_provider)
    out["server_province"] = _take(ref.prov_name, parts.pop("server_prov"))
    out["approval_date"] = parts.pop("approval").astype("datetime64[ns]")
    for column, key in (
        ("website_name", "website_name"),
        ("home_url", "home_url"),
        ("domain", "domain"),
        ("service_content", "service"),
        ("pre_approval", "pre_approval"),
        ("limit_access", "limit"),
        ("access_mode", "mode"),
        ("ip_addresses", "ips_text"),
        ("material_uploaded", "material"),
        ("resolved_ip", "resolved_text"),
        ("truth_sponsor_ok", "sponsor_ok"),
        ("truth_access_ok", "access_ok"),
        ("truth_defects", "truth_defects"),
    ):
        out[column] = parts.pop(key)
    return _frame(out, FILING_SCHEMA)


def _frame(columns: Mapping[str, Any], schema: Schema) -> pd.DataFrame:
    """A DataFrame with exactly the schema's columns, in order, with canonical dtypes."""
    out: dict[str, pd.Series] = {}
    for col in schema:
        value = columns[col.name]
        if col.kind == "string":
            out[col.name] = _to_series(value, col.name)
        elif col.kind == "boolean":
            out[col.name] = pd.Series(np.asarray(value, dtype=bool), name=col.name, dtype="boolean")
        elif col.kind == "date":
            out[col.name] = pd.Series(np.asarray(value, dtype="datetime64[ns]"), name=col.name)
        else:  # pragma: no cover - no such column in the generated tables
            raise BeianAuditError(f"unexpected column kind {col.kind!r}")
    return pd.DataFrame(out, copy=False)


def _accessed_sites(
    rng: np.random.Generator,
    p: Mapping[str, Any],
    blocks: _Blocks,
    domain: pa.Array,
    idn: np.ndarray,
    resolved_text: pa.Array,
    ip1_text: pa.Array,
    host: np.ndarray,
    laxity: np.ndarray,
    provider_id: pa.Array,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Sites each provider reports: every filed website plus its unfiled ones."""
    arrow, compute = _pa(), _pc()
    n = len(domain)
    k = len(laxity)
    # Domains as providers report them: IDN as punycode (A-label), sometimes with www.
    # or a subdomain, sometimes in upper case.
    reported = _replace(domain, idn, lambda r: _punycode(_sub(domain, r)))

    def variants(base: Any) -> pa.Array:
        m = len(base)
        form = _choice(rng, m, [0.6, 0.3, 0.05, 0.05])
        return _by_kind(
            form,
            4,
            lambda f, r: (
                _sub(base, r)
                if f == 0
                else _join("www.", _sub(base, r))
                if f == 1
                else _join(
                    _take(_SUBDOMAINS, rng.integers(0, len(_SUBDOMAINS), len(r))),
                    ".",
                    _sub(base, r),
                )
                if f == 2
                else compute.utf8_upper(_sub(base, r))
            ),
        )

    reported = variants(reported)
    ip_seen = compute.coalesce(resolved_text, ip1_text)
    # Unfiled sites: expected count per host proportional to its filed sites times its
    # laxity, scaled so that the expected filing rate is p["filing_rate"].
    weight = np.bincount(host, minlength=k) * laxity
    total_unfiled = n * (1 - p["filing_rate"]) / p["filing_rate"]
    lam = total_unfiled * weight / weight.sum() if weight.sum() > 0 else np.zeros(k)
    unfiled = rng.poisson(lam)
    u_host = np.repeat(np.arange(k), unfiled)
    m = len(u_host)
    # Unfiled labels carry a hyphen, which filed labels never do, so the two sets of
    # domains are disjoint by construction.
    u_label = _join(
        _take(_SYLLABLES, rng.integers(0, len(_SYLLABLES), m)),
        "-",
        _labels(rng, m),
        _where(rng.random(m) < 0.5, _digits_suffix(rng, m), ""),
    )
    u_tld = _take(
        ["com", "cn", "net", "com.cn", "cc", "info"],
        _choice(rng, m, [0.45, 0.2, 0.15, 0.08, 0.07, 0.05]),
    )
    u_domain = _unique_domains(rng, u_label, u_tld)
    u_reported = variants(u_domain)
    u_ip = _ips_to_str(_random_ips(rng, blocks, u_host))
    total = n + m
    order = rng.permutation(total)
    frame = _frame(
        {
            "site_id": _join("S", _num(np.arange(1, total + 1), max(8, len(str(total))))),
            "domain": arrow.concat_arrays([reported, u_reported]).take(arrow.array(order)),
            "ip": arrow.concat_arrays([ip_seen, u_ip]).take(arrow.array(order)),
            "provider_id": _sub(provider_id, np.concatenate([host, u_host])[order]),
            "truth_filed": np.concatenate([np.ones(n, dtype=bool), np.zeros(m, dtype=bool)])[order],
        },
        ACCESSED_SITES_SCHEMA,
    )
    return frame, unfiled


# --------------------------------------------------------------------------- realised rates

_PARAM_DOCS: dict[str, str] = {
    "n_providers": "access providers; None = max(30, round(n_websites / 3500)) "
    "(982 providers for 3.51 M websites in 2013)",
    "websites_per_sponsor": "mean websites per sponsor (3.51 M websites / 2.82 M sponsors)",
    "sponsor_tail_share": "share of sponsors in the Pareto tail of websites per sponsor",
    "sponsor_tail_alpha": "Pareto index of that tail",
    "sponsor_tail_min": "smallest tail sponsor (websites)",
    "sponsor_tail_max": "cap of the tail (websites)",
    "provider_largest_share": "expected share of websites at the largest provider (≤ 20–25 %)",
    "provider_top10_share": "expected share at the ten largest providers",
    "provider_hub_share": "share of providers based in a hub province (粤 京 浙 苏 沪)",
    "national_provider_share": "share of providers with a cross-region (national) licence",
    "nature_mix": "sponsor nature shares (2013: 企业 65 %, 个人 30 %, 事业单位 2.6 %, "
    "政府机关 1.6 %, 社会团体 1.2 %; they add to 100.4 %, rescaled)",
    "server_in_sponsor_province": "share of websites whose server is in the sponsor's province "
    "(otherwise the provider's province, mostly a hub)",
    "access_mode_mix": "access mode shares",
    "approval_first_year": "first year of approval dates",
    "approval_last_year": "last year of approval dates (the registry is as at its end)",
    "approval_growth": "approvals grow by this factor per year (growth net of ~22 % churn)",
    "idn_share": "share of websites with a Chinese (IDN) domain",
    "two_ip_share": "share of websites filing two IP addresses",
    "same_principal_org": "organisations: website principal is the sponsor principal",
    "same_principal_person": "individuals: website principal is the sponsor",
    "office_phone_is_mobile": "share of office phones that are mobiles",
    "detailed_address_remark": "share of individuals with a village address and the accepted "
    "remark 已是最详细地址 (not a defect)",
    "sponsor_accuracy": "expected share of websites whose sponsor block is correct (2013 "
    "target 75 %; measured 60–70 % in Tianjin)",
    "access_accuracy": "expected share whose access block is correct (Shaanxi 2017: 79.86 %)",
    "provider_quality_concentration": "κ of the Beta(κm, κ(1−m)) provider accuracy "
    "probabilities (Beta(7, 3) for sponsors), logit-shifted to the target",
    "sponsor_defect_mix": "share of each sponsor-block code among defective sponsors (primary "
    "defect)",
    "second_defect_rate": "probability of a second defect from another field group",
    "ring_size_mean": "mean number of sponsors sharing one mobile in a ring (at least 3)",
    "access_defect_mix": "share of each access-block code among incorrect access blocks",
    "filing_rate": "expected filed share of the sites providers host (target 99.5 %)",
    "provider_laxity_sigma": "log-normal σ of providers' laxity (unfiled sites per filed)",
    "material_uploaded": "expected share of websites with verification material uploaded",
    "integration_passed": "share of providers that passed system integration (联调)",
}


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class SyntheticRates(ResultMixin):
    """Realised rates of a synthetic registry next to their expected values.

    ``table`` has one row per metric with columns ``metric``, ``expected``,
    ``realised``, ``difference``, ``se`` (standard error of the realised
    proportion: binomial for accessed sites, access defects and sponsor natures;
    clustered by sponsor for sponsor-block figures, whose truth is shared by all
    websites of a sponsor), ``z`` (difference / se) and ``n`` (denominator).
    """

    table: pd.DataFrame
    n_websites: int
    n_sponsors: int
    n_providers: int

    def to_frame(self) -> pd.DataFrame:
        """The metrics table (a copy)."""
        return self.table.copy()

    def _summary(self) -> str:
        realised_of = dict(zip(self.table["metric"], self.table["realised"], strict=True))
        expected_of = dict(zip(self.table["metric"], self.table["expected"], strict=True))
        parts = [f"n_websites={self.n_websites}"]
        for m in ("filing_rate", "sponsor_accuracy", "access_accuracy"):
            if m in realised_of:
                realised, expected = float(realised_of[m]), float(expected_of[m])
                parts.append(f"{m}={realised:.4f} (expected {expected:.4f})")
        return ", ".join(parts)


def _cluster_se(y: np.ndarray, cluster: np.ndarray) -> float:
    """Linearisation SE of a mean of ``y`` over clusters (Kish 1965; Lohr 2010 §9.2)."""
    n = len(y)
    c = int(cluster.max()) + 1 if n else 0
    if n == 0 or c < 2:
        return float("nan")
    mean = y.mean()
    totals = np.bincount(cluster, weights=y, minlength=c)
    sizes = np.bincount(cluster, minlength=c)
    resid = totals - mean * sizes
    return float(math.sqrt(c / (c - 1) * np.sum(resid**2)) / n)


def _binom_se(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n) if n > 0 else float("nan")


def realised_rates(
    data: SyntheticWorld | pd.DataFrame,
    *,
    accessed_sites: pd.DataFrame | None = None,
    params: Mapping[str, Any] | None = None,
) -> SyntheticRates:
    """Realised filing rate, accuracies, defect rates, concentration and nature mix.

    Parameters
    ----------
    data : SyntheticWorld or DataFrame
        A world from :func:`generate_world`, or a filings table with the truth
        columns (e.g. :func:`load_synthetic_registry`).
    accessed_sites : DataFrame, optional
        The accessed-site list (needed for the filing rate when ``data`` is a frame).
    params : mapping, optional
        Generator parameters for the expected values; defaults to the world's, else
        :data:`DEFAULT_PARAMS` (with the number of providers seen in the data).

    Returns
    -------
    SyntheticRates
        ``.to_frame()``: metric, expected, realised, difference, se, z, n.

    Examples
    --------
    >>> w = generate_world(5_000, seed=11)
    >>> t = realised_rates(w).to_frame().set_index("metric")
    >>> bool(abs(t.loc["sponsor_accuracy", "z"]) < 4)
    True
    >>> float(t.loc["nature_share:企业", "expected"])
    0.648
    """
    if isinstance(data, SyntheticWorld):
        filings = data.filings
        accessed_sites = data.accessed_sites if accessed_sites is None else accessed_sites
        params = data.params if params is None else params
    elif isinstance(data, pd.DataFrame):
        filings = data
    else:
        raise SyntheticParameterError(
            f"data ({type(data).__name__}) must be a SyntheticWorld or a DataFrame"
        )
    missing = [
        c
        for c in (
            "sponsor_id",
            "provider_id",
            "sponsor_nature",
            "truth_sponsor_ok",
            "truth_access_ok",
            "truth_defects",
        )
        if c not in filings
    ]
    if missing:
        raise SyntheticParameterError(f"data lacks the columns {_fmt_allowed(missing)}")
    n_prov_seen = int(filings["provider_id"].nunique())
    params = dict(params or {})
    expected = expected_rates(params, n_providers=params.get("n_providers") or n_prov_seen)
    sponsor_codes, _ = pd.factorize(filings["sponsor_id"])
    n = len(filings)
    rows: list[tuple[str, float, float, float, int]] = []

    def add(metric: str, realised: float, se: float, denom: int) -> None:
        rows.append((metric, expected.get(metric, float("nan")), realised, se, denom))

    if accessed_sites is not None:
        filed = accessed_sites["truth_filed"].to_numpy(dtype=bool)
        add(
            "filing_rate",
            float(filed.mean()),
            _binom_se(float(filed.mean()), len(filed)),
            len(filed),
        )
    s_ok = filings["truth_sponsor_ok"].to_numpy(dtype=bool)
    a_ok = filings["truth_access_ok"].to_numpy(dtype=bool)
    add("sponsor_accuracy", float(s_ok.mean()), _cluster_se(s_ok.astype(float), sponsor_codes), n)
    add("access_accuracy", float(a_ok.mean()), _binom_se(float(a_ok.mean()), n), n)
    both = (s_ok & a_ok).astype(float)
    add("both_accuracy", float(both.mean()), _cluster_se(both, sponsor_codes), n)
    if "material_uploaded" in filings:
        mat = filings["material_uploaded"].to_numpy(dtype=bool)
        add("material_uploaded", float(mat.mean()), _binom_se(float(mat.mean()), n), n)
    n_s = int(sponsor_codes.max()) + 1
    add("websites_per_sponsor", n / n_s, float("nan"), n_s)
    counts = np.sort(filings["provider_id"].value_counts().to_numpy())[::-1]
    add("provider_largest_share", float(counts[0] / n), float("nan"), n)
    add("provider_top10_share", float(counts[:10].sum() / n), float("nan"), n)
    defects = filings["truth_defects"].fillna("")
    block = {d.code: d.block for d in DEFECT_CODES}
    for d in DEFECT_CODES:
        has = defects.str.contains(rf"(?:^|;){d.code}(?:;|$)", regex=True).to_numpy(dtype=bool)
        rate = float(has.mean())
        se = (
            _cluster_se(has.astype(float), sponsor_codes)
            if block[d.code] == "sponsor"
            else _binom_se(rate, n)
        )
        add(f"defect_rate:{d.code}", rate, se, n)
    first = np.unique(sponsor_codes, return_index=True)[1]
    natures = filings["sponsor_nature"].to_numpy(dtype=object)[first]
    for nature in _NATURES:
        share = float(np.mean(natures == nature))
        add(f"nature_share:{nature}", share, _binom_se(share, len(natures)), len(natures))
    table = pd.DataFrame(rows, columns=["metric", "expected", "realised", "se", "n"])
    table["difference"] = table["realised"] - table["expected"]
    table["z"] = table["difference"] / table["se"]
    table = table[["metric", "expected", "realised", "difference", "se", "z", "n"]]
    return SyntheticRates(table=table, n_websites=n, n_sponsors=n_s, n_providers=n_prov_seen)


# --------------------------------------------------------------------------- bundled files

_BUNDLED_FILES = {
    "registry": "registry.parquet",
    "accessed_sites": "accessed_sites.parquet",
    "providers": "providers.parquet",
}


def _checkout_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "datasets" / "synthetic"


def _dataset_file(name: str) -> Any:
    """The bundled file: installed package data first, then the source checkout."""
    try:
        candidate = resources.files("beian_audit") / "_datasets" / name
        if candidate.is_file():
            return candidate
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):  # pragma: no cover
        pass
    local = _checkout_dir() / name
    if local.is_file():
        return local
    raise SyntheticDataNotFoundError(
        f"the bundled synthetic file {name!r} was not found in the installed package "
        "(beian_audit/_datasets/) nor in a source checkout (datasets/synthetic/); "
        "reinstall beian-audit, or regenerate the files in a checkout with "
        "`python -m beian_audit.synthetic build`"
    )


def _from_arrow(table: Any, schema: Schema) -> pd.DataFrame:
    pa = _pa()
    names = table.column_names
    if names != schema.names:
        raise BeianAuditError(
            f"bundled {schema.title} table has columns {names}, expected {schema.names}"
        )
    out: dict[str, Any] = {}
    for col in schema:
        arr = table.column(col.name).combine_chunks()
        if col.kind == "string":
            out[col.name] = arr
        elif col.kind == "boolean":
            out[col.name] = pd.Series(
                arr.to_numpy(zero_copy_only=False), dtype="boolean", name=col.name
            )
        else:
            out[col.name] = arr.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False)
    frame = _frame(
        {
            k: (v if not isinstance(v, pd.Series) else v.to_numpy(dtype=bool))
            for k, v in out.items()
        },
        schema,
    )
    for col in schema:  # booleans may carry missing values in a bundled file
        if col.kind == "boolean":
            frame[col.name] = out[col.name]
    return frame


def _read_bundled(key: str, schema: Schema) -> pd.DataFrame:
    import pyarrow.parquet as pq

    with _dataset_file(_BUNDLED_FILES[key]).open("rb") as fh:
        table = pq.read_table(fh)
    return _from_arrow(table, schema)


def load_synthetic_registry() -> pd.DataFrame:
    """The bundled synthetic registry (35,000 websites, seed 2013) with truth columns.

    Returns
    -------
    DataFrame
        Every :data:`~beian_audit.schema.FILING_SCHEMA` column with canonical dtypes;
        equal to ``generate_registry(35_000, seed=2013)``.

    Raises
    ------
    SyntheticDataNotFoundError
        When the bundled file is missing from the installation.

    Examples
    --------
    >>> frame = load_synthetic_registry()
    >>> len(frame), str(frame["sponsor_name"].dtype)
    (35000, 'string')
    """
    return _read_bundled("registry", FILING_SCHEMA)


def load_accessed_sites() -> pd.DataFrame:
    """The accessed-site lists of the bundled registry's providers, with ``truth_filed``.

    Examples
    --------
    >>> sites = load_accessed_sites()
    >>> list(sites.columns)
    ['site_id', 'domain', 'ip', 'provider_id', 'truth_filed']
    """
    return _read_bundled("accessed_sites", ACCESSED_SITES_SCHEMA)


def load_providers() -> pd.DataFrame:
    """The access providers of the bundled registry (id, name, licence, IP ranges …).

    Examples
    --------
    >>> load_providers()["provider_id"].iloc[0]
    'P0001'
    """
    return _read_bundled("providers", PROVIDER_SCHEMA)


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet with pyarrow, zstd level 9, no pandas metadata: same frame, same bytes."""
    pa = _pa()
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    sink = io.BytesIO()
    pq.write_table(
        table, sink, compression="zstd", compression_level=9, version="2.6", row_group_size=1 << 20
    )
    return sink.getvalue()


def _csv_bytes(frame: pd.DataFrame, schema: Schema) -> bytes:
    """UTF-8 CSV (with BOM, for spreadsheet programs) under the Chinese labels."""
    out = frame.rename(columns={c.name: c.label_zh for c in schema})
    text = out.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
    return ("\ufeff" + text).encode("utf-8")


_FIXED_TIME = (2013, 12, 31, 0, 0, 0)


def _xlsx_bytes(frame: pd.DataFrame, schema: Schema) -> bytes:
    """An .xlsx (openpyxl) of ``frame`` under Chinese labels, byte-for-byte reproducible."""
    import datetime as dt

    from beian_audit.errors import require

    openpyxl = require("openpyxl", "io")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "备案信息"
    ws.append([c.label_zh for c in schema])
    for record in frame.itertuples(index=False):
        row: list[Any] = []
        for value in record:
            if value is pd.NA or value is None or (isinstance(value, float) and math.isnan(value)):
                row.append(None)
            elif isinstance(value, pd.Timestamp):
                row.append(value.to_pydatetime().date())
            elif isinstance(value, np.bool_ | bool):
                row.append(bool(value))
            else:
                row.append(value)
        ws.append(row)
    stamp = dt.datetime(*_FIXED_TIME)
    wb.properties.creator = "beian_audit.synthetic"
    wb.properties.created = stamp
    raw = io.BytesIO()
    wb.save(raw)
    # openpyxl stamps the save time into docProps/core.xml and every zip entry; rewrite
    # both with a fixed time so that the same data always give the same bytes.
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2013-12-31T00:00:00Z", data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def _fmt_default(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {v:g}" for k, v in value.items())
    if value is None:
        return "None"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _readme(world: SyntheticWorld, files: Mapping[str, bytes]) -> str:
    p = world.params
    rates = realised_rates(world).to_frame()
    lines = [
        "# Bundled synthetic ICP registry",
        "",
        "A fictitious national ICP filing registry with **ground truth**, generated by",
        "`beian_audit.synthetic.generate_world` (see `docs/synthetic.md`). Every person,",
        "company, number and address is random; any match with a real one is a",
        "coincidence — never call, mail or visit them.",
        "",
        f"* websites: {len(world.filings):,}; sponsors: "
        f"{world.filings['sponsor_id'].nunique():,}; providers: {len(world.providers)}; "
        f"accessed sites: {len(world.accessed_sites):,}",
        f"* seed: {p['seed']}; generator version: {p['generator_version']}; reference-data "
        f"fingerprint: `{p['reference_fingerprint']}`",
        "",
        "Load them with `beian_audit.load_synthetic_registry()`, `load_accessed_sites()` and",
        "`load_providers()`.",
        "",
        "## Regenerate",
        "",
        "From the root of a source checkout:",
        "",
        "```",
        f"python -m beian_audit.synthetic build --n {len(world.filings)} --seed {p['seed']}",
        "```",
        "",
        "The files are byte-for-byte reproducible with the same versions of the package,",
        "numpy, pandas, pyarrow and openpyxl, and the same reference tables in",
        "`src/beian_audit/data/` (their fingerprint is above). After a change of the",
        "division table, rebuild with the command above.",
        "",
        "## Files",
        "",
        "| file | bytes | sha256 | content |",
        "|---|---|---|---|",
    ]
    content = {
        "registry.parquet": "filings, every canonical column incl. truth (zstd parquet)",
        "registry_zh.csv": "the same data, UTF-8 with BOM, Chinese headers",
        "registry_sample.xlsx": "the first 200 rows, Chinese headers",
        "accessed_sites.parquet": "sites reported by providers, with truth_filed",
        "providers.parquet": "providers: id, name, licence, province, IP ranges, integration",
    }
    for name, data in files.items():
        lines.append(
            f"| `{name}` | {len(data):,} | `{hashlib.sha256(data).hexdigest()}` | {content[name]} |"
        )
    lines += [
        "",
        "## Parameters (modelling assumptions)",
        "",
        "| parameter | value | meaning |",
        "|---|---|---|",
    ]
    for key in DEFAULT_PARAMS:
        lines.append(f"| `{key}` | {_fmt_default(p[key])} | {_PARAM_DOCS[key]} |")
    lines += [
        "",
        "## Realised against expected",
        "",
        "`python -m beian_audit.synthetic summary` prints this table.",
        "",
        "| metric | expected | realised | se |",
        "|---|---|---|---|",
    ]
    for r in rates.itertuples(index=False):
        se_value = float(r.se)  # type: ignore[arg-type]
        se = "" if not math.isfinite(se_value) else f"{se_value:.4f}"
        lines.append(f"| {r.metric} | {r.expected:.4f} | {r.realised:.4f} | {se} |")
    lines += [
        "",
        "## Defect codes",
        "",
        "| code | block | detectable by | meaning |",
        "|---|---|---|---|",
    ]
    for d in DEFECT_CODES:
        lines.append(f"| `{d.code}` | {d.block} | {d.detect} | {d.description} |")
    return "\n".join(lines) + "\n"


def build_bundled(
    out_dir: str | Path | None = None,
    *,
    n_websites: int = BUNDLED_N_WEBSITES,
    seed: int = BUNDLED_SEED,
) -> dict[str, str]:
    """Write the bundled files; return file name -> sha256.

    Writes ``registry.parquet``, ``registry_zh.csv``, ``registry_sample.xlsx``,
    ``accessed_sites.parquet``, ``providers.parquet`` and ``README.md``. The same
    arguments (and library versions) always give the same bytes.

    Parameters
    ----------
    out_dir : path, optional
        Target directory; defaults to ``datasets/synthetic`` of the source checkout.
    n_websites, seed : int
        Size and seed (35,000 and 2013 for the bundled registry).

    Returns
    -------
    dict
        File name -> sha256 hex digest (README.md excluded: it lists the others).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     first = build_bundled(tmp, n_websites=300, seed=1)
    ...     again = build_bundled(tmp, n_websites=300, seed=1)
    >>> first == again, sorted(first)[0]
    (True, 'accessed_sites.parquet')
    """
    target = Path(out_dir) if out_dir is not None else _checkout_dir()
    target.mkdir(parents=True, exist_ok=True)
    world = generate_world(n_websites, seed=seed)
    files = {
        "registry.parquet": _parquet_bytes(world.filings),
        "registry_zh.csv": _csv_bytes(world.filings, FILING_SCHEMA),
        "registry_sample.xlsx": _xlsx_bytes(world.filings.head(200), FILING_SCHEMA),
        "accessed_sites.parquet": _parquet_bytes(world.accessed_sites),
        "providers.parquet": _parquet_bytes(world.providers),
    }
    for name, data in files.items():
        (target / name).write_bytes(data)
    (target / "README.md").write_text(_readme(world, files), encoding="utf-8")
    return {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m beian_audit.synthetic {summary,build}``.

    ``summary [--n N --seed S]`` prints realised against expected rates of the bundled
    registry (or of a freshly generated one); ``build [--out DIR --n N --seed S]``
    regenerates the bundled files.
    """
    parser = argparse.ArgumentParser(
        prog="python -m beian_audit.synthetic", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="realised against expected rates")
    s.add_argument(
        "--n",
        type=int,
        default=None,
        help="generate N websites instead of loading the bundled registry",
    )
    s.add_argument("--seed", type=int, default=BUNDLED_SEED)
    b = sub.add_parser("build", help="regenerate the bundled files")
    b.add_argument(
        "--out", default=None, help="directory (default: datasets/synthetic of the checkout)"
    )
    b.add_argument("--n", type=int, default=BUNDLED_N_WEBSITES)
    b.add_argument("--seed", type=int, default=BUNDLED_SEED)
    args = parser.parse_args(argv)
    if args.command == "summary":
        if args.n is None:
            rates = realised_rates(
                load_synthetic_registry(),
                accessed_sites=load_accessed_sites(),
                params={"n_providers": len(load_providers())},
            )
            title = "bundled registry"
        else:
            rates = realised_rates(generate_world(args.n, seed=args.seed))
            title = f"generate_world({args.n}, seed={args.seed})"
        frame = rates.to_frame()
        print(f"{title}: {rates._summary()}")
        print(frame.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
        return 0
    hashes = build_bundled(args.out, n_websites=args.n, seed=args.seed)
    for name, digest in hashes.items():
        print(f"{digest}  {name}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
