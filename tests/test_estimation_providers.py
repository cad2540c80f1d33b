"""Per-provider exact bounds, empirical-Bayes shrinkage and rank intervals.

Reference values come from independent sources named at each test: brute-force
inversion of ``scipy.stats.hypergeom`` over every possible population count,
``scipy.stats.binomtest`` (Clopper-Pearson), a base-R ``optim`` fit of the
beta-binomial likelihood (``data/beta_binomial/fit_beta_binomial.R``), a grid
search, the score equations in digamma functions, and closed forms.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, special, stats

from beian_audit.errors import DegenerateIntervalWarning, EstimationError
from beian_audit.estimation.providers import (
    BetaBinomialFit,
    ProviderEstimates,
    fit_beta_binomial,
    hypergeometric_ci,
    provider_estimates,
)

DATA = Path(__file__).parent / "data" / "beta_binomial"


# --------------------------------------------------------------------------- helpers
def brute_hypergeometric(x: int, n: int, big_n: int, a_low: float, a_high: float) -> tuple:
    """Exact bounds by trying every population count M = 0..N with scipy.stats.hypergeom."""
    ms = np.arange(big_n + 1)
    upper_tail = stats.hypergeom.sf(x - 1, big_n, ms, n)  # P(X >= x | M)
    lower_tail = stats.hypergeom.cdf(x, big_n, ms, n)  # P(X <= x | M)
    low = 0 if math.isnan(a_low) else int(ms[upper_tail > a_low].min())
    high = big_n if math.isnan(a_high) else int(ms[lower_tail > a_high].max())
    return low, high


def loglik_beta_binomial(x: np.ndarray, n: np.ndarray, a: float, b: float) -> float:
    """Beta-binomial log-likelihood written with scipy.special only (not betabinom)."""
    return float(
        np.sum(
            special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
            + special.betaln(x + a, n - x + b) - special.betaln(a, b)
        )
    )  # fmt: skip


def counts_frame(n, x, sizes=None, ids=None) -> pd.DataFrame:
    k = len(n)
    frame = pd.DataFrame({
        "provider_id": ids if ids is not None else [f"P{i:03d}" for i in range(k)],
        "n": n, "successes": x})  # fmt: skip
    if sizes is not None:
        frame["population_size"] = sizes
    return frame


def quiet_estimates(*args, **kwargs) -> ProviderEstimates:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateIntervalWarning)
        return provider_estimates(*args, **kwargs)


# --------------------------------------------------------------------------- hypergeometric
@settings(max_examples=120)
@given(
    big_n=st.integers(1, 60),
    data=st.data(),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    alternative=st.sampled_from(["two-sided", "greater", "less"]),
)
def test_hypergeometric_bounds_equal_brute_force_inversion(big_n, data, level, alternative):
    n = data.draw(st.integers(1, big_n))
    x = data.draw(st.integers(0, n))
    alpha = 1 - level
    a_low = alpha / 2 if alternative == "two-sided" else (alpha if alternative == "greater"
                                                           else math.nan)
    a_high = alpha / 2 if alternative == "two-sided" else (alpha if alternative == "less"
                                                            else math.nan)
    low, high = brute_hypergeometric(x, n, big_n, a_low, a_high)
    ci = hypergeometric_ci(x, n, big_n, confidence_level=level, alternative=alternative)
    assert ci.low == low / big_n
    assert ci.high == high / big_n
    assert ci.low <= x / n <= ci.high or n < big_n  # the sample share may lie outside M/N


def test_hypergeometric_vectorised_equals_brute_force_for_many_providers():
    # provider_estimates computes all providers at once: same brute-force reference
    rng = np.random.default_rng(5)
    sizes = rng.integers(1, 200, 40)
    n = np.array([rng.integers(1, s + 1) for s in sizes])
    x = np.array([rng.integers(0, k + 1) for k in n])
    est = provider_estimates(counts_frame(n, x, sizes), rng=0).providers
    for i in range(40):
        low, high = brute_hypergeometric(int(x[i]), int(n[i]), int(sizes[i]), 0.025, 0.025)
        assert est["hyper_count_low"][i] == low
        assert est["hyper_count_high"][i] == high


def test_hypergeometric_census_is_exact_and_large_population_tends_to_clopper_pearson():
    ci = hypergeometric_ci(7, 9, 9)
    assert ci.low == ci.high == 7 / 9
    # N -> infinity: scipy's exact (Clopper-Pearson) interval for 45 / 50
    cp = stats.binomtest(45, 50).proportion_ci(confidence_level=0.95, method="exact")
    big = hypergeometric_ci(45, 50, 10_000_000)
    assert big.low == pytest.approx(cp.low, abs=2e-6)
    assert big.high == pytest.approx(cp.high, abs=2e-6)
    # a finite population narrows the interval
    small = hypergeometric_ci(45, 50, 200)
    assert small.low > cp.low and small.high < cp.high


def test_hypergeometric_hand_computed_value():
    # All 3 checked filings of a 60-filing provider correct: M_L = 19, since
    # C(19,3)/C(60,3) = 969/34220 = 0.0283 > 0.025 >= C(18,3)/C(60,3) = 816/34220 = 0.0238.
    assert math.comb(19, 3) / math.comb(60, 3) > 0.025 >= math.comb(18, 3) / math.comb(60, 3)
    assert hypergeometric_ci(3, 3, 60).low == 19 / 60


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((4, 3, 10), "counts must satisfy"),
        ((1, 0, 10), "counts must satisfy"),
        ((1, 11, 10), "counts must satisfy"),
        ((1.5, 3, 10), "successes (1.5) must be an integer"),
        (("1", 3, 10), "must be an integer"),
    ],
)
def test_hypergeometric_ci_validates_counts(args, message):
    with pytest.raises(EstimationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        hypergeometric_ci(*args)


def test_hypergeometric_ci_validates_options():
    with pytest.raises(EstimationError, match=r"alternative \('larger'\) must be one of"):
        hypergeometric_ci(1, 3, 10, alternative="larger")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="confidence_level"):
        hypergeometric_ci(1, 3, 10, confidence_level=95)


# --------------------------------------------------------------------------- beta-binomial MLE
def test_fit_equals_base_r_optim_reference():
    counts = pd.read_csv(DATA / "provider_counts.csv")
    ref = pd.read_csv(DATA / "fit_beta_binomial_r.csv").iloc[0]  # base R optim (BFGS + N-M)
    fit = fit_beta_binomial(counts["successes"], counts["n"])
    # R stops with a score of about 1e-7; ours is closer to 0 (next test), hence rtol 1e-6
    assert fit.alpha == pytest.approx(ref["alpha"], rel=1e-6)
    assert fit.beta == pytest.approx(ref["beta"], rel=1e-6)
    assert fit.log_likelihood == pytest.approx(ref["log_likelihood"], abs=1e-9)
    assert fit.converged and fit.at_bound == ""


def test_fit_solves_the_score_equations_and_beats_a_grid_and_nelder_mead():
    counts = pd.read_csv(DATA / "provider_counts.csv")
    x, n = counts["successes"].to_numpy(), counts["n"].to_numpy()
    fit = fit_beta_binomial(x, n)
    a, b = fit.alpha, fit.beta
    # score equations (closed form in digamma functions) vanish at the MLE
    common = special.digamma(a + b) - special.digamma(n + a + b)
    assert abs(np.sum(special.digamma(x + a) - special.digamma(a) + common)) < 1e-6
    assert abs(np.sum(special.digamma(n - x + b) - special.digamma(b) + common)) < 1e-6
    # brute-force grid over (mean, log concentration): nothing beats the fit
    mus = np.linspace(0.5, 0.9, 161)
    kappas = np.exp(np.linspace(np.log(2.0), np.log(50.0), 161))
    grid = np.array([[loglik_beta_binomial(x, n, m * k, (1 - m) * k) for k in kappas]
                     for m in mus])  # fmt: skip
    i, j = np.unravel_index(np.argmax(grid), grid.shape)
    assert fit.log_likelihood >= grid.max() - 1e-12
    assert fit.mean == pytest.approx(mus[i], abs=0.0026)  # within one grid step
    assert fit.concentration == pytest.approx(kappas[j], rel=0.021)
    # an independent optimiser in another parametrisation (log alpha, log beta)
    res = optimize.minimize(
        lambda t: -loglik_beta_binomial(x, n, math.exp(t[0]), math.exp(t[1])),
        np.log([mus[i] * kappas[j], (1 - mus[i]) * kappas[j]]),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20_000},
    )
    assert fit.alpha == pytest.approx(math.exp(res.x[0]), rel=1e-5)
    assert fit.beta == pytest.approx(math.exp(res.x[1]), rel=1e-5)
    assert fit.log_likelihood == pytest.approx(-res.fun, abs=1e-10)


def test_fit_flags_complete_pooling_and_boundary_mean():
    # identical shares: no over-dispersion, the likelihood rises with the concentration
    pooled = fit_beta_binomial([5, 5, 5, 5], [10, 10, 10, 10])
    assert pooled.at_bound == "concentration"
    assert pooled.mean == pytest.approx(0.5, abs=1e-9)
    allgood = fit_beta_binomial([3, 2, 10], [3, 2, 10])
    assert allgood.at_bound == "mean" and allgood.mean > 0.999


def test_fit_ignores_empty_groups_and_validates():
    a = fit_beta_binomial([1, 5, 9, 0], [10, 10, 10, 0])
    b = fit_beta_binomial([1, 5, 9], [10, 10, 10])
    assert (a.alpha, a.beta, a.n_groups) == (b.alpha, b.beta, 3)
    with pytest.raises(EstimationError, match="at least two groups"):
        fit_beta_binomial([1], [3])
    with pytest.raises(EstimationError, match="0 <= successes <= n"):
        fit_beta_binomial([4, 1], [3, 3])
    with pytest.raises(EstimationError, match="whole numbers"):
        fit_beta_binomial([1.5, 1], [3, 3])
    with pytest.raises(EstimationError, match="same length"):
        fit_beta_binomial([1, 1], [3, 3, 3])
    assert isinstance(a, BetaBinomialFit) and "alpha=" in repr(a)
    assert a.to_dict()["records"][0]["n_groups"] == 3


# --------------------------------------------------------------------------- estimates
def test_exact_bounds_columns_match_scipy_and_the_chosen_method():
    frame = counts_frame([3, 3, 40, 2, 30, 20], [1, 3, 30, 2, 12, 19], [3, 60, 1500, 2, 800, 400])
    est = provider_estimates(frame, rng=1)
    rows = est.providers
    for _, r in rows.iterrows():
        cp = stats.binomtest(int(r["successes"]), int(r["n"])).proportion_ci(method="exact")
        assert r["binom_low"] == pytest.approx(cp.low, abs=1e-12)
        assert r["binom_high"] == pytest.approx(cp.high, abs=1e-12)
    # "exact": hypergeometric where N is known
    assert np.allclose(rows["ci_low"], rows["hyper_low"])
    cp_est = provider_estimates(frame, method="clopper-pearson", rng=1).providers
    assert np.allclose(cp_est["ci_low"], cp_est["binom_low"])
    # without sizes "exact" falls back to Clopper-Pearson and the superpopulation estimand
    nosize = provider_estimates(frame, population_size=False, rng=1)
    assert nosize.estimand == "superpopulation"
    assert np.allclose(nosize.providers["ci_high"], rows["binom_high"])
    assert nosize.providers["hyper_low"].isna().all()


def test_census_provider_is_known_exactly():
    frame = counts_frame([2, 30, 12, 5], [2, 21, 6, 5], [2, 900, 300, 5])
    rows = quiet_estimates(frame, rng=3).providers
    for i in (0, 3):  # fully checked providers
        assert rows["eb_estimate"][i] == rows["estimate"][i]
        assert rows["eb_low"][i] == rows["eb_high"][i] == rows["estimate"][i]
        assert rows["ci_low"][i] == rows["ci_high"][i] == rows["estimate"][i]
        assert rows["shrinkage"][i] == 0.0


def test_posterior_quantities_follow_the_closed_forms():
    counts = pd.read_csv(DATA / "provider_counts.csv")
    est = provider_estimates(counts, population_size=False, estimand="superpopulation", rng=2,
                             eb_interval="plug-in")
    fit = est.fit
    rows = est.providers
    x, n = rows["successes"].to_numpy(), rows["n"].to_numpy()
    a, b = fit.alpha + x, fit.beta + n - x
    assert np.allclose(rows["posterior_alpha"], a) and np.allclose(rows["posterior_beta"], b)
    assert np.allclose(rows["eb_estimate"], a / (a + b), rtol=1e-14)
    # scipy.stats.beta equal-tailed 95 % interval
    assert np.allclose(rows["eb_low"], stats.beta(a, b).ppf(0.025), rtol=1e-12)
    assert np.allclose(rows["eb_high"], stats.beta(a, b).ppf(0.975), rtol=1e-12)
    # James-Stein form: (1 - B) * raw + B * mean with B = kappa / (kappa + n)
    shrink = fit.concentration / (fit.concentration + n)
    assert np.allclose(rows["shrinkage"], shrink)
    assert np.allclose(rows["eb_estimate"], (1 - shrink) * x / n + shrink * fit.mean)


def test_finite_estimand_posterior_is_beta_binomial_on_the_unchecked_filings():
    frame = counts_frame([3, 10, 20, 5], [2, 9, 11, 5], [50, 40, 400, 20])
    est = provider_estimates(frame, rng=4, eb_interval="plug-in")
    fit = est.fit
    rows = est.providers
    for _, r in rows.iterrows():
        x, n, big_n = int(r["successes"]), int(r["n"]), int(r["population_size"])
        post = stats.betabinom(big_n - n, fit.alpha + x, fit.beta + n - x)
        assert r["eb_estimate"] == pytest.approx((x + post.mean()) / big_n, rel=1e-12)
        assert r["eb_low"] == (x + post.ppf(0.025)) / big_n
        assert r["eb_high"] == (x + post.ppf(0.975)) / big_n


def test_vectorised_beta_binomial_quantiles_equal_scipy():
    from beian_audit.estimation.providers import _betabinom_ppf

    rng = np.random.default_rng(1)
    size = rng.integers(0, 300, 150)
    a, b = rng.uniform(0.3, 50, 150), rng.uniform(0.3, 50, 150)
    for q in (0.001, 0.025, 0.5, 0.975):
        ref = [stats.betabinom.ppf(q, r, x, y) if r > 0 else 0
               for r, x, y in zip(size, a, b, strict=True)]  # fmt: skip
        assert (_betabinom_ppf(q, size, a, b) == np.array(ref)).all()


@settings(max_examples=25)
@given(
    st.lists(
        st.tuples(st.integers(1, 60), st.floats(0, 1)), min_size=3, max_size=25
    ).map(lambda pairs: [(n, round(n * f)) for n, f in pairs])
)
def test_shrinkage_is_stronger_for_smaller_samples(pairs):
    n = np.array([p[0] for p in pairs])
    x = np.array([p[1] for p in pairs])
    # two probes with the same raw share 1/2 but 4 and 40 checked filings
    n = np.append(n, [4, 40])
    x = np.append(x, [2, 20])
    hier = quiet_estimates(counts_frame(n, x), population_size=False, rng=0, n_sim=100)
    shrink = hier.providers["shrinkage"].to_numpy()  # posterior mean of kappa / (kappa + n)
    order = np.argsort(n, kind="stable")
    assert np.all(np.diff(shrink[order]) <= 1e-15)
    # the James-Stein form below is the plug-in posterior's
    est = quiet_estimates(counts_frame(n, x), population_size=False, rng=0, n_sim=100,
                          eb_interval="plug-in")
    rows = est.providers
    mu = est.fit.mean
    shrink = rows["shrinkage"].to_numpy()
    order = np.argsort(n, kind="stable")
    assert np.all(np.diff(shrink[order]) <= 1e-15)  # non-increasing in n
    small, big = rows.iloc[-2], rows.iloc[-1]
    assert abs(small["eb_estimate"] - mu) <= abs(big["eb_estimate"] - mu) + 1e-12
    # the posterior mean lies between the raw share and the pooled mean
    raw = rows["estimate"].to_numpy()
    eb = rows["eb_estimate"].to_numpy()
    assert np.all(np.minimum(raw, mu) - 1e-12 <= eb) and np.all(eb <= np.maximum(raw, mu) + 1e-12)


def test_empirical_bayes_beats_raw_shares_on_a_simulated_population():
    # 300 providers with known rates drawn from Beta(7, 3) (DOMAIN.md: provider mean
    # accuracy ~ Beta(7, 3)); filings per provider log-normal; checked with the Tianjin
    # rule (1 -> 1, 2-49 -> 2, 50-100 -> 3, > 100 -> 3 %); outcomes sampled without
    # replacement from each provider's actual filings.
    rng = np.random.default_rng(2013)
    k = 300
    sizes = np.maximum(1, np.round(np.exp(rng.normal(3.5, 1.5, k)))).astype(int)
    rates = rng.beta(7, 3, k)
    correct = rng.binomial(sizes, rates)
    n = np.where(sizes == 1, 1, np.where(sizes < 50, 2, np.where(sizes <= 100, 3,
                 np.ceil(0.03 * sizes)))).astype(int)  # fmt: skip
    x = rng.hypergeometric(correct, sizes - correct, n)
    truth = correct / sizes
    est = provider_estimates(counts_frame(n, x, sizes), rng=1)
    rows = est.providers
    mse_raw = np.mean((rows["estimate"] - truth) ** 2)
    mse_eb = np.mean((rows["eb_estimate"] - truth) ** 2)
    assert mse_eb < 0.5 * mse_raw  # 0.0184 vs 0.0531 with this seed
    # the fitted prior recovers Beta(7, 3)'s mean 0.7
    assert est.fit.mean == pytest.approx(0.7, abs=0.05)  # 0.669 with this seed
    # the 95 % posterior intervals cover most true shares
    cover = np.mean((rows["eb_low"] <= truth) & (truth <= rows["eb_high"]))
    assert cover > 0.9


# --------------------------------------------------------------------------- ranks
def test_rank_intervals_agree_with_reporting_rank_providers():
    from beian_audit.reporting.rankings import rank_providers

    counts = pd.read_csv(DATA / "provider_counts.csv")
    # plug-in: independent Beta posteriors, the form rank_providers draws from
    est = provider_estimates(counts, population_size=False, estimand="superpopulation",
                             rng=11, n_sim=2000, eb_interval="plug-in")  # fmt: skip
    ours = est.providers.set_index("provider_id")
    theirs = rank_providers(estimates=est.providers, method="beta", rng=11,
                            n_sim=2000).to_frame().set_index("provider_id")  # fmt: skip
    theirs = theirs.loc[ours.index]
    assert (ours["rank_low"].to_numpy() == theirs["rank_low"].to_numpy()).all()
    assert (ours["rank_high"].to_numpy() == theirs["rank_high"].to_numpy()).all()
    assert np.allclose(ours["rank_mean"], theirs["rank_mean"])


def test_rank_intervals_and_bottom_probabilities_are_coherent():
    counts = pd.read_csv(DATA / "provider_counts.csv")
    est = provider_estimates(counts, population_size=False, bottom_k=5, rng=3)
    rows = est.providers
    assert (rows["rank_low"] <= rows["rank"]).all() and (rows["rank"] <= rows["rank_high"]).all()
    assert rows["rank_low"].min() >= 1 and rows["rank_high"].max() <= len(rows)
    # continuous posteriors: exactly bottom_k providers are in the bottom k of every draw
    assert rows["p_bottom"].sum() == pytest.approx(5.0, abs=1e-12)
    assert rows["p_bottom"].between(0, 1).all()
    # the provider with 0 of 3 correct is the most likely to be in the bottom five
    assert rows.loc[rows["p_bottom"].idxmax(), "provider_id"] == "P17"
    # same seed, same answer; a Generator works too
    again = provider_estimates(counts, population_size=False, bottom_k=5,
                               rng=np.random.default_rng(3)).providers  # fmt: skip
    pd.testing.assert_frame_equal(rows, again)


def test_wide_rank_intervals_for_small_samples_narrow_for_large():
    # four providers with true rates 0.6, 0.7, 0.8, 0.9
    small = counts_frame([3, 3, 3, 3], [2, 2, 2, 3])
    large = counts_frame([3000] * 4, [1800, 2100, 2400, 2700])
    w_small = quiet_estimates(small, population_size=False, rng=0).providers
    w_large = quiet_estimates(large, population_size=False, rng=0).providers
    assert (w_small["rank_high"] - w_small["rank_low"]).min() >= 1
    assert (w_large["rank_low"] == w_large["rank_high"]).all()
    assert w_large["rank"].tolist() == [4, 3, 2, 1]


# --------------------------------------------------------------------------- input
def test_works_on_a_drawn_sample_and_reads_provider_sizes():
    from beian_audit.sampling import draw_sample, plan_sample
    from beian_audit.synthetic import generate_world

    world = generate_world(3000, seed=5)
    filings = world.filings
    sample = draw_sample(filings, plan_sample(filings, allocation="tianjin"), seed=1)
    est = provider_estimates(sample, "truth_sponsor_ok", rng=0)
    rows = est.providers.set_index("provider_id")
    sizes = filings.groupby("provider_id").size()
    assert (rows["population_size"] == sizes.loc[rows.index].to_numpy()).all()
    truth = sample.frame.groupby("provider_id")["truth_sponsor_ok"].agg(["size", "sum"])
    assert (rows["n"] == truth.loc[rows.index, "size"]).all()
    assert (rows["successes"] == truth.loc[rows.index, "sum"]).all()
    assert est.estimand == "finite" and est.method == "exact"
    # the same from the sample's frame, and invariant to row order
    shuffled = sample.frame.sample(frac=1.0, random_state=3)
    again = provider_estimates(shuffled, "truth_sponsor_ok", rng=0)
    pd.testing.assert_frame_equal(est.table, again.table)


def test_rejects_samples_that_are_not_srs_within_providers():
    frame = pd.DataFrame({"provider_id": ["A"] * 4 + ["B"] * 4, "ok": [1, 0, 1, 1] * 2,
                          "weight": [1.0, 1.0, 2.0, 2.0] + [3.0] * 4})  # fmt: skip
    with pytest.raises(EstimationError, match="weights vary within provider"):
        provider_estimates(frame, "ok")
    frame = pd.DataFrame({"provider_id": ["A"] * 4 + ["B"] * 4, "ok": [1, 0, 1, 1] * 2,
                          "stratum": ["A1", "A1", "A2", "A2", "B", "B", "B", "B"],
                          "population_size": [10, 10, 10, 10, 8, 8, 8, 8]})  # fmt: skip
    with pytest.raises(EstimationError, match="strata are not the providers"):
        provider_estimates(frame, "ok")
    frame["population_size"] = [10, 10, 12, 12, 8, 8, 8, 8]
    with pytest.raises(EstimationError, match="varies within provider"):
        provider_estimates(frame, "ok")
    # sizes given as a mapping instead
    ok = quiet_estimates(frame, "ok", population_size={"A": 20, "B": 8}, rng=0)
    assert ok.providers["population_size"].tolist() == [20.0, 8.0]


def test_missing_outcomes():
    frame = pd.DataFrame({"provider_id": list("AAABBB"), "ok": [1, None, 0, 1, 1, 0]})
    with pytest.raises(EstimationError, match="missing in 1 row"):
        provider_estimates(frame, "ok")
    with pytest.warns(DegenerateIntervalWarning, match="no between-provider variation"):
        est = provider_estimates(frame, "ok", missing="drop", rng=0)
    rows = est.providers
    assert rows["n"].tolist() == [2, 3] and rows["n_missing"].tolist() == [1, 0]


def test_counts_table_with_unchecked_provider_gets_the_prior():
    frame = counts_frame([0, 10, 10, 10], [0, 9, 5, 7], [30, 50, 50, 50])
    rows = provider_estimates(frame, estimand="superpopulation", rng=0).providers
    est = provider_estimates(frame, estimand="superpopulation", rng=0)
    assert math.isnan(rows["estimate"][0])
    assert rows["eb_estimate"][0] == pytest.approx(est.hyper.mean, rel=1e-12)
    plug = provider_estimates(frame, estimand="superpopulation", rng=0, eb_interval="plug-in")
    assert plug.providers["eb_estimate"][0] == pytest.approx(plug.fit.mean)
    assert (rows["ci_low"][0], rows["ci_high"][0]) == (0.0, 1.0)


def test_one_sided_bounds():
    frame = counts_frame([3, 20, 30], [3, 18, 20], [40, 400, 100])
    two = provider_estimates(frame, rng=0).providers
    lower = provider_estimates(frame, alternative="greater", rng=0).providers
    assert (lower["ci_high"] == 1.0).all() and (lower["eb_high"] == 1.0).all()
    assert (lower["ci_low"] >= two["ci_low"]).all()  # one-sided at 95 % is tighter


def test_result_object_renders():
    frame = counts_frame([3, 20, 30], [3, 18, 20], [40, 400, 100])
    est = provider_estimates(frame, rng=0)
    assert repr(est).startswith("ProviderEstimates(providers=3") and "\n" not in repr(est)
    out = est.to_dict()
    assert out["kind"] == "ProviderEstimates" and out["schema_version"]
    assert out["records"][-1]["level"] == "total" and out["records"][-1]["n"] == 53
    assert "<table" in est._repr_html_()
    assert est.to_frame() is not est.table


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "wald"}, r"method \('wald'\) must be one of 'exact', 'clopper-pearson'"),
        ({"estimand": "x"}, r"estimand \('x'\) must be one of 'finite', 'superpopulation'"),
        ({"alternative": "larger"}, r"alternative \('larger'\) must be one of"),
        ({"missing": "keep"}, r"missing \('keep'\) must be one of 'raise', 'drop'"),
        ({"confidence_level": 1.5}, "confidence_level"),
        ({"bottom_k": 0}, r"bottom_k \(0\) must be an integer >= 1"),
        ({"n_sim": 10}, r"n_sim \(10\) must be an integer >= 100"),
        ({"by": "nope"}, r"by column \('nope'\) is not in the data"),
        ({"population_size": "nope"}, "population_size"),
    ],
)
def test_provider_estimates_validates_options(kwargs, message):
    frame = counts_frame([3, 20, 30], [3, 18, 20], [40, 400, 100])
    with pytest.raises(EstimationError, match=message):
        provider_estimates(frame, **kwargs)


def test_provider_estimates_validates_data():
    with pytest.raises(EstimationError, match="'successes' is missing"):
        provider_estimates(pd.DataFrame({"provider_id": ["A"], "n": [3]}))
    with pytest.raises(EstimationError, match="outcome column"):
        provider_estimates(pd.DataFrame({"provider_id": ["A"], "ok": [1]}), "other")
    with pytest.raises(EstimationError, match="0/1"):
        provider_estimates(pd.DataFrame({"provider_id": ["A", "B"], "ok": [1, 2]}), "ok")
    with pytest.raises(EstimationError, match="needs every provider's population_size"):
        provider_estimates(counts_frame([3, 4], [1, 2]), method="hypergeometric")
    with pytest.raises(EstimationError, match="below its number checked"):
        provider_estimates(counts_frame([3, 4], [1, 2], [2, 10]))
    with pytest.raises(EstimationError, match="at least two groups"):
        provider_estimates(counts_frame([3], [1]))
    with pytest.raises(EstimationError, match="must be a Sample"):
        provider_estimates([1, 2, 3])


# --------------------------------------------------------------------------- hierarchical (#11.3)
def brute_hierarchical(x, n, q, big_n=None, grid=201):
    """Mixture quantiles on a fixed fine grid, written with scipy.stats only.

    Same hyperprior as ``hyper_posterior`` (mu uniform, kappa / (kappa + n0) uniform,
    n0 = 0.3 x median n), but a fixed 201 x 201 grid over logit mu in [-8, 8] and
    log kappa in [log 1e-2, log 1e7], likelihood from ``scipy.stats.betabinom``, the
    mixture cdf from ``scipy.stats.beta`` / ``betabinom`` and the quantile from
    ``scipy.optimize.brentq`` (continuous) or a scan of the support (finite).
    """
    u = np.linspace(-8, 8, grid)
    v = np.linspace(math.log(1e-2), math.log(1e7), grid)
    uu, vv = (g.ravel() for g in np.meshgrid(u, v, indexing="ij"))
    mu, kappa = special.expit(uu), np.exp(vv)
    a, b = mu * kappa, (1 - mu) * kappa
    loglik = stats.betabinom.logpmf(x[None, :], n[None, :], a[:, None], b[:, None]).sum(1)
    n0 = 0.3 * np.median(n)
    b0 = kappa / (kappa + n0)  # uniform: density b0 (1 - b0) in log kappa
    logpost = loglik + np.log(mu * (1 - mu)) + np.log(b0 * (1 - b0))
    w = np.exp(logpost - logpost.max())
    w /= w.sum()
    out = []
    for k in range(len(x)):
        pa, pb = a + x[k], b + n[k] - x[k]
        if big_n is None:
            out.append(optimize.brentq(lambda p, pa=pa, pb=pb: w @ stats.beta.cdf(p, pa, pb) - q,
                                       1e-12, 1 - 1e-12, xtol=1e-12))  # fmt: skip
        else:
            rest = big_n[k] - n[k]
            ys = np.arange(rest + 1)
            pmf = w @ stats.betabinom.pmf(ys[None, :], rest, pa[:, None], pb[:, None])
            out.append((x[k] + int(np.argmax(np.cumsum(pmf) >= q))) / big_n[k])
    return np.array(out)


def test_hierarchical_intervals_equal_brute_force_quadrature():
    counts = pd.read_csv(DATA / "provider_counts.csv").head(12)
    x, n = counts["successes"].to_numpy(), counts["n"].to_numpy()
    est = provider_estimates(counts, population_size=False, rng=0, n_sim=100)
    rows = est.providers
    inner = (x > 0) & (x < n)  # edge providers keep 0 / 1 (tested below)
    inner_low = x > 0
    ref_low = brute_hierarchical(x, n, 0.025)
    assert np.allclose(rows["eb_low"][inner_low], ref_low[inner_low], atol=2e-3)
    assert (rows["eb_low"][x == 0] == 0.0).all()
    assert np.allclose(rows["eb_high"][inner], brute_hierarchical(x, n, 0.975)[inner], atol=2e-3)
    assert (rows["eb_high"][x == n] == 1.0).all()
    # finite estimand: mixture of beta-binomials over the unchecked filings
    sizes = n + np.array([5, 7, 3, 40, 2, 9, 60, 11, 4, 25, 30, 6])
    fin = provider_estimates(counts.assign(population_size=sizes), rng=0, n_sim=100).providers
    ref = brute_hierarchical(x, n, 0.025, big_n=sizes)
    assert np.abs(fin["eb_low"].to_numpy() - ref).max() <= 1.0 / sizes.min() + 1e-12
    assert (np.abs(fin["eb_low"].to_numpy() - ref) < 1e-9).mean() > 0.8


def test_hierarchical_intervals_do_not_collapse_when_the_fit_is_at_its_bound():
    # 30 providers, 3 filings each, the same true rate: no extra-binomial variation, so
    # maximum likelihood puts kappa at its bound 1e7. The plug-in intervals (the old
    # behaviour) are then ~3e-4 wide and miss most providers' rate.
    x = np.array([2, 3, 2, 2, 1, 3, 2, 2, 3, 2] * 3)
    frame = counts_frame([3] * 30, x)
    with pytest.warns(DegenerateIntervalWarning, match="not collapsed"):
        est = provider_estimates(frame, population_size=False, rng=0)
    assert est.fit.at_bound == "concentration" and est.eb_interval == "hierarchical"
    width = (est.providers["eb_high"] - est.providers["eb_low"]).to_numpy()
    assert width.min() > 0.1
    with pytest.warns(DegenerateIntervalWarning, match="collapsed to the pooled mean"):
        plug = provider_estimates(frame, population_size=False, rng=0, eb_interval="plug-in")
    assert (plug.providers["eb_high"] - plug.providers["eb_low"]).max() < 1e-3
    assert plug.eb_note.startswith("collapsed") and plug.to_frame()["eb_note"][0] == plug.eb_note
    # the rank intervals use the same posterior: wide, not a strict order
    assert (est.providers["rank_high"] - est.providers["rank_low"]).min() >= 10


def test_all_outcomes_equal_gives_the_exact_bounds():
    frame = counts_frame([3, 3, 5, 2], [3, 3, 5, 2], [40, 60, 5, 30])
    with pytest.warns(DegenerateIntervalWarning, match="exact per-provider bounds"):
        est = provider_estimates(frame, rng=0)
    rows = est.providers
    assert est.eb_note.startswith("exact")
    assert np.array_equal(rows["eb_low"], rows["ci_low"])
    assert np.array_equal(rows["eb_high"], rows["ci_high"])


def _coverage(shape: str, k: int, n: int, reps: int, seed: int, **kw) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    hits = []
    for _ in range(reps):
        p = {"wide": lambda: rng.beta(7, 3, k), "tight": lambda: rng.beta(70, 30, k),
             "degenerate": lambda: np.full(k, 0.7)}[shape]()  # fmt: skip
        x = rng.binomial(n, p)
        rows = quiet_estimates(counts_frame([n] * k, x), population_size=False, rng=0,
                               n_sim=100, **kw).providers  # fmt: skip
        hits.append(np.mean((rows["eb_low"] <= p) & (p <= rows["eb_high"])))
    hits_a = np.array(hits)
    return float(hits_a.mean()), float(hits_a.std(ddof=1) / math.sqrt(reps))


@pytest.mark.parametrize(("shape", "seed"), [("wide", 1), ("tight", 2), ("degenerate", 3)])
def test_hierarchical_95_percent_intervals_cover_at_their_level(shape, seed):
    # Reduced grid of benchmarks/coverage_providers.py: 30 providers x 3 filings, rates
    # from Beta(7, 3), Beta(70, 30) or all 0.7; binomial outcomes drawn here. The
    # coverage (share of providers whose true rate is inside its interval) must reach
    # 0.95 minus three Monte Carlo standard errors (between-replicate).
    cover, se = _coverage(shape, 30, 3, 20, seed)
    assert cover >= 0.95 - 3 * se - 0.005, (cover, se)
    # the plug-in intervals (the old default) do not: 0.37-0.64 over 100 replicates; with
    # a tight or degenerate prior the fit sits at its bound in half the samples
    if shape != "wide":
        old, _ = _coverage(shape, 30, 3, 8, seed, eb_interval="plug-in")
        assert old < 0.8
