"""The generator: :func:`generate_world` runs the steps of the other modules in order.

:func:`_simulate` calls one step per part of the world (providers, sponsors, defects,
websites, persons, names, certificates, addresses, phones, domains, emails, access,
texts, truth, the providers' reports) on one random stream; the order of the calls is
the order of the draws, so it must not change (:data:`GENERATOR_VERSION`).

Examples
--------
>>> w = generate_world(300, seed=2)
>>> w.to_frame()["table"].tolist()
['filings', 'providers', 'accessed_sites', 'provider_truth']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.synthetic.access import _draw_access, _website_domains
from beian_audit.synthetic.addresses import _sponsor_addresses
from beian_audit.synthetic.contacts import _emails, _person_phones
from beian_audit.synthetic.defects import _sponsor_defects, _website_truth
from beian_audit.synthetic.filings import (
    _assemble_filings,
    _person_parts,
    _sponsor_parts,
    _website_parts,
)
from beian_audit.synthetic.geography import _Reference, _reference, _reference_fingerprint
from beian_audit.synthetic.names import _investors, _sponsor_names
from beian_audit.synthetic.params import _resolve_params
from beian_audit.synthetic.providers import (
    _accessed_sites,
    _calibrated_quality,
    _make_providers,
    _provider_ids,
    _provider_table,
    _provider_truth,
)
from beian_audit.synthetic.sponsors import (
    _certificates,
    _draw_persons,
    _draw_sponsors,
    _draw_websites,
    _icp_numbers,
)
from beian_audit.synthetic.websites import _website_principal_phones, _website_texts


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


def _simulate(
    rng: np.random.Generator, p: dict[str, Any], ref: _Reference
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Draw the whole registry; return the filings parts and the other three tables.

    Each step draws from the one stream ``rng`` in turn: the order of the steps is
    the order of the draws, so the same seed gives the same registry only while it
    stays as it is.
    """
    prov = _make_providers(rng, p, ref, p["n_websites"])
    sponsors = _draw_sponsors(rng, p, ref, prov.share)
    quality = _calibrated_quality(p, prov, sponsors.provider, sponsors.sizes)
    defects = _sponsor_defects(rng, p, quality.sponsor, sponsors.provider)
    websites = _draw_websites(rng, p, sponsors)
    icp = _icp_numbers(
        rng, ref, sponsors.prov, websites.sponsor_first_year, defects.has("icp_prefix_mismatch")
    )
    persons = _draw_persons(rng, p, ref, sponsors, websites)
    ncm = defects.has("nature_cert_mismatch")
    names = _sponsor_names(rng, ref, sponsors.nature, sponsors.county, persons.name, ncm)
    certificates = _certificates(rng, ref, sponsors, persons, names, defects)
    addresses = _sponsor_addresses(rng, p, ref, sponsors, persons.id_county, defects)
    phones = _person_phones(rng, p, ref, sponsors, persons, defects)
    domains = _website_domains(rng, p, websites, persons.pinyin, names)
    email = _emails(rng, sponsors, persons, defects, domains, websites.first_row)
    access = _draw_access(rng, p, prov, quality, sponsors.prov, websites)
    texts = _website_texts(rng, websites, names)
    investor = _investors(rng, ref, sponsors.nature, sponsors.city, names.name, persons.name)
    wp_phone = _website_principal_phones(rng, websites, persons, phones.office)
    truth = _website_truth(defects, websites.sponsor_of, access.code)
    provider_id = _provider_ids(prov.k)
    providers = _provider_table(prov, ref, provider_id)
    accessed, unfiled = _accessed_sites(
        rng,
        p,
        prov.blocks,
        domains.domain,
        domains.idn,
        access.resolved_text,
        access.ip1_text,
        access.host,
        prov.laxity,
        provider_id,
    )
    provider_truth = _provider_truth(
        prov, quality, provider_id, websites.provider, truth, access.host, unfiled
    )
    parts = {
        "n_sponsors": sponsors.n,
        **_sponsor_parts(sponsors, websites, icp, names, certificates, addresses, investor),
        **_person_parts(persons, phones, email, wp_phone),
        **_website_parts(websites, domains, texts, access, truth),
        "provider_id": provider_id,
        "provider_name": prov.name,
    }
    return parts, providers, accessed, provider_truth
