"""Simulation study of the filing rate's two fixes of issue 11.5 (full grid).

Part 1, tenant domains: worlds whose accessed sites include tenants of
platforms in the private section of the Public Suffix List (``t7.github.io``,
``t7.myshopify.com`` …). Every platform has filed its own domain; a tenant has
its own filing with probability ``tenant_filed``. The truth (``truth_filed``)
is set when the world is generated. For every world the census rate is compared
with the truth, and repeated stratified samples give the coverage of the 95 %
Korn-Graubard interval of the overall rate, under the rule of
:func:`beian_audit.estimation.filing_rate` (filing domain: ICANN and private
sections) and under the old rule (ICANN registered domain only), which counts
every tenant as filed once the platform is.

Part 2, unfiled counts of domains that are not strata (strata = providers,
domains = provinces cutting across them): over repeated stratified samples, the
empirical SD of the estimated number of unfiled sites of a province against
the mean of ``unfiled_se`` (the linearised variance of the domain total,
which includes the error of N-hat_d) and against the old SE N-hat_d * SE(p-hat_d),
which treats N-hat_d as known. The exact SD of the linear estimator
sum_h N_h / n_h sum z_i (z = unfiled and in the province) is
sqrt(sum_h N_h^2 (1 - f_h) S_zh^2 / n_h) from the population values
(Cochran 1977, Theorem 5.3); the table shows both ratios. Coverage of the
95 % interval ``unfiled_low``-``unfiled_high`` is shown as well.

Usage::

    python benchmarks/coverage_filing.py            # full grid (a few minutes)
    python benchmarks/coverage_filing.py --quick    # small grid, seconds

All randomness comes from ``--seed`` (default 2013).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from beian_audit.estimation import estimate_proportion
from beian_audit.estimation.filing_rate import filing_rate

PLATFORMS = ["github.io", "myshopify.com", "vercel.app", "netlify.app", "blogspot.com"]


# --------------------------------------------------------------------------- worlds
def tenant_world(
    rng: np.random.Generator,
    n_sites: int,
    tenant_share: float,
    tenant_filed: float,
    site_filed: float = 0.99,
    n_providers: int = 4,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Accessed sites with platform tenants, and the registry; ``truth_filed`` per site."""
    tenant = rng.random(n_sites) < tenant_share
    platform = rng.choice(PLATFORMS, n_sites)
    own = [f"site{i}.cn" for i in range(n_sites)]
    names = [f"t{i}.{p}" for i, p in zip(range(n_sites), platform, strict=True)]
    domain = np.where(tenant, names, own)
    www = rng.random(n_sites) < 0.3  # www. and other subdomains are covered by the filing
    host = np.where(www, np.char.add("www.", domain.astype(str)), domain)
    truth = np.where(tenant, rng.random(n_sites) < tenant_filed, rng.random(n_sites) < site_filed)
    sites = pd.DataFrame({
        "site_id": [f"S{i}" for i in range(n_sites)],
        "domain": host,
        "provider_id": rng.choice([f"P{k}" for k in range(n_providers)], n_sites),
        "truth_filed": truth,
    })  # fmt: skip
    filings = [*domain[truth].tolist(), *PLATFORMS]  # the platforms file their own domains
    registry = pd.DataFrame({"website_id": [f"W{i}" for i in range(len(filings))],
                             "domain": filings})  # fmt: skip
    return sites, registry


def province_world(
    rng: np.random.Generator,
    n_sites: int,
    unfiled_rate: float,
    n_providers: int = 4,
    province_share: float = 0.25,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sites in provinces that cut across the provider strata; ``truth_filed`` per site.

    Province ``A`` holds about ``province_share`` of every provider's sites (the
    shares vary by provider), the rest are in ``B``; sites are unfiled with
    probability ``unfiled_rate`` (times 0.5 to 1.5 by provider).
    """
    provider = rng.integers(0, n_providers, n_sites)
    share = province_share * np.linspace(0.5, 1.5, n_providers)[provider]
    province = np.where(rng.random(n_sites) < share, "A", "B")
    q = unfiled_rate * np.linspace(1.5, 0.5, n_providers)[provider]
    truth = rng.random(n_sites) >= q
    domain = np.array([f"site{i}.cn" for i in range(n_sites)])
    sites = pd.DataFrame({
        "site_id": domain, "domain": domain,
        "provider_id": np.array([f"P{k}" for k in range(n_providers)])[provider],
        "province": province, "truth_filed": truth,
    })  # fmt: skip
    return sites, pd.DataFrame({"domain": domain[truth]})


def stratified_sample(
    rng: np.random.Generator, sites: pd.DataFrame, per_stratum: int
) -> pd.DataFrame:
    """Simple random sample of ``per_stratum`` sites in every provider, with design columns."""
    codes, _ = pd.factorize(sites["provider_id"])
    picks = []
    for h in range(codes.max() + 1):
        members = np.flatnonzero(codes == h)
        picks.append(rng.choice(members, size=min(per_stratum, members.size), replace=False))
    sample = sites.iloc[np.sort(np.concatenate(picks))].copy()
    sizes = sites["provider_id"].value_counts()
    sample["stratum"] = sample["provider_id"]
    sample["population_size"] = sample["provider_id"].map(sizes).astype(float)
    return sample


def exact_total_sd(sites: pd.DataFrame, z: np.ndarray, per_stratum: int) -> float:
    """SD of sum_h N_h / n_h sum_{s_h} z under stratified SRS (Cochran 1977, Thm 5.3)."""
    var = 0.0
    for _, idx in sites.groupby("provider_id").indices.items():
        big_n, n = idx.size, min(per_stratum, idx.size)
        var += big_n**2 * (1 - n / big_n) * np.var(z[idx], ddof=1) / n
    return float(np.sqrt(var))


# --------------------------------------------------------------------------- studies
def tenant_study(
    seed: int, n_sites: int, tenant_share: float, tenant_filed: float, per_stratum: int,
    reps: int,
) -> dict[str, float]:  # fmt: skip
    """Census error and sample coverage of the overall rate, new rule vs old rule."""
    rng = np.random.default_rng(seed)
    sites, registry = tenant_world(rng, n_sites, tenant_share, tenant_filed)
    truth = float(sites["truth_filed"].mean())
    census = filing_rate(sites, registry)
    old = _old_rule_filed(census.sites, registry)
    hits_new = hits_old = 0
    for _ in range(reps):
        sample = stratified_sample(rng, sites, per_stratum)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = filing_rate(sites, registry, sample=sample, by=None)
            hits_new += est.ci.low <= truth <= est.ci.high
            old_frame = sample.assign(filed=old.loc[sample.index].to_numpy())
            ci = estimate_proportion(old_frame, "filed").ci
            hits_old += ci.low <= truth <= ci.high
    return {
        "true_rate": truth,
        "census_new": census.estimate,
        "census_old": float(old.mean()),
        "coverage_new": hits_new / reps,
        "coverage_old": hits_old / reps,
    }


def _old_rule_filed(matched: pd.DataFrame, registry: pd.DataFrame) -> pd.Series:
    """Filed under the old rule: the site's ICANN registered domain is one a filing names."""
    from beian_audit.checks.network import check_domain

    filed = set(check_domain(registry["domain"])["registered_domain"].dropna())
    return matched["registered_domain"].isin(filed)


def se_study(
    seed: int, n_sites: int, unfiled_rate: float, province_share: float, per_stratum: int,
    reps: int,
) -> dict[str, float]:  # fmt: skip
    """Empirical SD of the unfiled count of province A vs the mean SE, new and old."""
    rng = np.random.default_rng(seed)
    sites, registry = province_world(rng, n_sites, unfiled_rate, province_share=province_share)
    z = ((sites["province"] == "A") & ~sites["truth_filed"]).to_numpy(float)
    true_total = z.sum()
    estimates, se_new, se_old, hits = [], [], [], 0
    for _ in range(reps):
        sample = stratified_sample(rng, sites, per_stratum)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            row = filing_rate(sites, registry, sample=sample, by="province").table.iloc[0]
        assert row["province"] == "A"
        estimates.append(row["unfiled_estimate"])
        se_new.append(row["unfiled_se"])
        se_old.append(row["population_size"] * row["se"])
        hits += row["unfiled_low"] <= true_total <= row["unfiled_high"]
    sd = float(np.std(estimates, ddof=1))
    exact = exact_total_sd(sites, z, per_stratum)
    return {
        "true_unfiled": true_total,
        "exact_sd": exact,
        "empirical_sd": sd,
        "rms_se_new/exact": float(np.sqrt(np.mean(np.square(se_new)))) / exact,
        "rms_se_old/exact": float(np.sqrt(np.mean(np.square(se_old)))) / exact,
        "mean_se_new/sd": float(np.mean(se_new)) / sd,
        "mean_se_old/sd": float(np.mean(se_old)) / sd,
        "coverage_new": hits / reps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small grid, seconds")
    parser.add_argument("--seed", type=int, default=2013)
    args = parser.parse_args()
    reps = 40 if args.quick else 1000
    pd.set_option("display.width", 200)

    start = time.perf_counter()
    rows = []
    grid = [(0.05, 0.6), (0.2, 0.6)] if args.quick else [
        (share, filed) for share in (0.02, 0.05, 0.2) for filed in (0.3, 0.6, 0.9)
    ]  # fmt: skip
    for k, (share, filed) in enumerate(grid):
        out = tenant_study(args.seed + k, 8000, share, filed, 100, reps // 4)
        rows.append({"tenant_share": share, "tenant_filed": filed, **out})
    print("Part 1: tenant domains (8,000 sites, 4 providers x 100 sampled, "
          f"{reps // 4} samples per row; 95 % Korn-Graubard)")  # fmt: skip
    print(pd.DataFrame(rows).round(4).to_string(index=False))

    rows = []
    grid2 = [(0.3, 0.25)] if args.quick else [
        (q, share) for q in (0.01, 0.05, 0.08, 0.3) for share in (0.1, 0.25, 0.5)
    ]  # fmt: skip
    for k, (q, share) in enumerate(grid2):
        out = se_study(args.seed + 100 + k, 8000, q, share, 200, reps)
        rows.append({"unfiled_rate": q, "province_share": share, **out})
    print(f"\nPart 2: unfiled count of a province, not a stratum (8,000 sites, 4 providers "
          f"x 200 sampled, {reps} samples per row)")  # fmt: skip
    print(pd.DataFrame(rows).round(4).to_string(index=False))
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
