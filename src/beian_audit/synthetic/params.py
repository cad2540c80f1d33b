"""Generator parameters: defaults, validation and the meaning of each.

:data:`DEFAULT_PARAMS` holds every modelling assumption with its default;
:func:`_resolve_params` validates user values and fills in the defaults;
:data:`_PARAM_DOCS` says what each one means (for the bundled README).

Examples
--------
>>> p = _resolve_params(1_000, 1, {"sponsor_accuracy": 0.6})
>>> p["sponsor_accuracy"], p["n_providers"], p["generator_version"]
(0.6, 30, '1')
>>> _resolve_params(1_000, 1, {"filing_rate": 2})
Traceback (most recent call last):
...
beian_audit.errors.SyntheticParameterError: filing_rate (2.0) must be between 0.0 and 1.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from beian_audit.errors import SyntheticParameterError
from beian_audit.synthetic.defects import _ACCESS_CODES, _SPONSOR_CODES

#: Version of the generator algorithm; bump when the same seed gives other data.
GENERATOR_VERSION = "1"


_NATURES = ("企业", "个人", "事业单位", "政府机关", "社会团体", "民办非企业单位", "基金会")
_ACCESS_MODES = ("专线", "主机托管", "虚拟主机", "云接入", "其他")

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
