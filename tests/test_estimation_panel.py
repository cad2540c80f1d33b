"""Monthly panel: tidy stacking, WLS trend, year-end projection.

References: the closed-form weighted least-squares formulas (numpy, written
here), statsmodels ``WLS`` called directly on the same arrays, a perfectly
linear panel (exact answer), and twelve synthetic registries with a known
drift of the filing rate (``generate_world(..., filing_rate=...)``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from beian_audit.errors import DegenerateIntervalWarning, EstimationError
from beian_audit.estimation import estimate_proportion
from beian_audit.estimation.panel import (
    MonthlyPanel,
    PanelProjection,
    PanelTrend,
    monthly_panel,
)


def srs(x: int, n: int, **kwargs):
    """Estimate from a simple random sample with x successes of n."""
    frame = pd.DataFrame({"ok": [1] * x + [0] * (n - x)})
    return estimate_proportion(frame, "ok", **kwargs)


def by_provider(counts: dict[str, tuple[int, int]]):
    rows = [(p, 1) for p, (x, n) in counts.items() for _ in range(x)]
    rows += [(p, 0) for p, (x, n) in counts.items() for _ in range(n - x)]
    frame = pd.DataFrame(rows, columns=["provider_id", "ok"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateIntervalWarning)
        return estimate_proportion(frame, "ok", by="provider_id")


# A constructed panel with a gap (no estimate in 2013-05) and unequal sample sizes.
MONTHS = ["2013-01", "2013-02", "2013-03", "2013-04", "2013-06", "2013-07", "2013-08", "2013-09"]
COUNTS = [(481, 500), (790, 820), (388, 400), (975, 1000), (583, 600), (1180, 1200),
          (392, 400), (887, 900)]  # fmt: skip


@pytest.fixture(scope="module")
def panel() -> MonthlyPanel:
    return monthly_panel({m: srs(x, n) for m, (x, n) in zip(MONTHS, COUNTS, strict=True)})


def closed_form(t, y, w):
    """Weighted least squares by hand: slope, intercept, sigma^2, S_tt, weighted mean of t."""
    tw = np.sum(w * t) / np.sum(w)
    yw = np.sum(w * y) / np.sum(w)
    stt = np.sum(w * (t - tw) ** 2)
    b = np.sum(w * (t - tw) * (y - yw)) / stt
    a = yw - b * tw
    resid = y - a - b * t
    sigma2 = np.sum(w * resid**2) / (len(y) - 2)
    return b, a, sigma2, stt, tw


def test_panel_is_tidy_with_month_index_and_gaps(panel):
    t = panel.to_frame()
    assert t["month"].tolist() == MONTHS
    assert t["t"].tolist() == [0, 1, 2, 3, 5, 6, 7, 8]  # 2013-05 missing
    assert np.allclose(t["estimate"], [x / n for x, n in COUNTS], rtol=0, atol=1e-15)
    assert (t["level"] == "total").all() and panel.by_columns == ()
    assert panel.months == tuple(MONTHS)
    assert (t["se_trend"] == t["se"]).all()
    # keys in any order give the same panel
    shuffled = monthly_panel({m: srs(x, n) for m, (x, n) in
                              reversed(list(zip(MONTHS, COUNTS, strict=True)))})  # fmt: skip
    pd.testing.assert_frame_equal(shuffled.table, panel.table)


def test_trend_equals_closed_form_and_statsmodels(panel):
    import statsmodels.api as sm

    t = panel.table["t"].to_numpy(float)
    y = panel.table["estimate"].to_numpy(float)
    se = np.array([srs(x, n).se for x, n in COUNTS])  # the estimates' own standard errors
    w = 1 / se**2
    b, a, sigma2, stt, _ = closed_form(t, y, w)
    trend = panel.trend(confidence_level=0.9)
    assert isinstance(trend, PanelTrend)
    assert trend.slope == pytest.approx(b, rel=1e-10)
    row = trend.table.iloc[-1]
    assert row["intercept"] == pytest.approx(a, rel=1e-12)
    assert row["se"] == pytest.approx(math.sqrt(sigma2 / stt), rel=1e-10)
    assert row["scale"] == pytest.approx(sigma2, rel=1e-10)
    q = stats.t.ppf(0.95, 6)
    assert trend.slope_low == pytest.approx(b - q * math.sqrt(sigma2 / stt), rel=1e-10)
    assert row["df"] == 6 and row["weights"] == "inverse-variance"
    # statsmodels called directly on the same arrays
    res = sm.WLS(y, sm.add_constant(t), weights=w).fit()
    assert trend.slope == pytest.approx(res.params[1], rel=1e-12)
    low, high = res.conf_int(alpha=0.1)[1]
    assert (trend.slope_low, trend.slope_high) == pytest.approx((low, high), rel=1e-12)
    assert row["p_value"] == pytest.approx(res.pvalues[1], rel=1e-10)


def test_projection_equals_the_closed_form_prediction(panel):
    t = panel.table["t"].to_numpy(float)
    y = panel.table["estimate"].to_numpy(float)
    w = 1 / panel.table["se"].to_numpy(float) ** 2
    b, a, sigma2, stt, tw = closed_form(t, y, w)
    t_star = 11.0  # 2013-12 is 11 months after 2013-01
    mean = a + b * t_star
    se_mean = math.sqrt(sigma2 * (1 / np.sum(w) + (t_star - tw) ** 2 / stt))
    se_pred = math.sqrt(se_mean**2 + sigma2 / w[-1])  # a month as precise as the last one
    q = stats.t.ppf(0.975, 6)
    proj = panel.projection(0.97)
    assert isinstance(proj, PanelProjection)
    assert proj.projected == pytest.approx(mean, rel=1e-10)
    assert proj.pred_low == pytest.approx(mean - q * se_pred, rel=1e-10)
    assert proj.pred_high == pytest.approx(min(1.0, mean + q * se_pred), rel=1e-10)
    row = proj.table.iloc[-1]
    assert row["mean_low"] == pytest.approx(mean - q * se_mean, rel=1e-10)
    assert row["lower_bound"] == pytest.approx(mean - stats.t.ppf(0.95, 6) * se_pred, rel=1e-10)
    prob = stats.t.sf((0.97 - mean) / se_pred, 6)
    assert proj.probability == pytest.approx(prob, rel=1e-10)
    expected = "on_track" if prob >= 0.95 else ("off_track" if prob <= 0.05 else "uncertain")
    assert proj.verdict == expected
    # the rule: on_track exactly when the one-sided lower prediction bound reaches the target
    assert (row["lower_bound"] >= 0.97) == (proj.verdict == "on_track")


def test_projection_of_a_perfectly_linear_panel_is_exact():
    # rate 0.953 + 0.003 * t exactly (t = 0 in 2013-01), with different sample sizes
    est = {f"2013-{m:02d}": srs(int((950 + 3 * m) * k), 1000 * k)
           for m, k in zip(range(1, 7), [1, 2, 1, 3, 2, 1], strict=True)}  # fmt: skip
    p = monthly_panel(est)
    trend = p.trend()
    assert trend.slope == pytest.approx(0.003, abs=1e-13)
    assert trend.slope_high - trend.slope_low == pytest.approx(0.0, abs=1e-12)
    proj = p.projection(0.98, month="2013-12")
    assert proj.projected == pytest.approx(0.953 + 0.003 * 11, abs=1e-12)  # 0.986
    assert proj.pred_low == pytest.approx(0.986, abs=1e-10)
    assert proj.pred_high == pytest.approx(0.986, abs=1e-10)
    # rounding leaves residuals of ~1e-17: the probability is 1 or 0 to 12 decimals
    assert proj.verdict == "on_track" and proj.probability == pytest.approx(1.0, abs=1e-12)
    off = p.projection(0.995, month="2013-12")
    assert off.verdict == "off_track" and off.probability == pytest.approx(0.0, abs=1e-12)


def test_domains_are_series_of_their_own_and_trend_per_provider():
    months = [f"2013-{m:02d}" for m in range(1, 6)]
    est = {m: by_provider({"A": (90 + i, 100), "B": (50, 50), "C": (80 - 2 * i, 100)})
           for i, m in enumerate(months)}  # fmt: skip
    p = monthly_panel(est)
    assert p.by_columns == ("provider_id",)
    t = p.to_frame()
    assert len(t) == 5 * 4 and t["level"].tolist()[-5:] == ["total"] * 5
    trend = p.trend().to_frame().set_index("provider_id", drop=False)
    assert trend.loc["A", "slope"] == pytest.approx(0.01, abs=1e-12)
    assert trend.loc["C", "slope"] == pytest.approx(-0.02, abs=1e-12)
    # B is always 50/50 (se 0): weights from the interval half-width, slope 0
    assert trend.loc["B", "slope"] == pytest.approx(0.0, abs=1e-12)
    b_rows = t[t["provider_id"] == "B"]
    assert (b_rows["se"] == 0).all() and (b_rows["se_trend"] > 0).all()
    proj = p.projection(0.75, month="2013-08").to_frame().set_index("provider_id", drop=False)
    assert proj.loc["A", "projected"] == pytest.approx(0.97, abs=1e-12)
    assert proj.loc["A", "verdict"] == "on_track"
    assert proj.loc["C", "verdict"] == "off_track"  # 0.80 - 0.02 * 7 = 0.66
    # keep only the overall rate
    assert monthly_panel(est, by=[]).to_frame()["level"].eq("total").all()


def test_twelve_synthetic_registries_with_a_drifting_filing_rate():
    # Month m (1..12) is a fresh registry whose expected filing rate drifts by
    # +0.1 point a month, from 98.6 % to 99.7 %; the year-end (2013-12) rate is 99.7 %.
    from beian_audit.estimation.filing_rate import filing_rate
    from beian_audit.synthetic import generate_world

    census, sampled = {}, {}
    for m in range(1, 13):
        rate = 0.985 + 0.001 * m
        world = generate_world(1500, seed=m, filing_rate=rate)
        key = f"2013-{m:02d}"
        census[key] = filing_rate(world.accessed_sites, world.filings)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateIntervalWarning)
            sampled[key] = filing_rate(world.accessed_sites, world.filings, by=None,
                                       sample_size=600, seed=m)  # fmt: skip
    # census months: exact rates, fitted with equal weights
    pc = monthly_panel(census, by=[])
    tc = pc.trend()
    assert tc.table.iloc[-1]["weights"] == "equal"
    assert tc.slope_low <= 0.001 <= tc.slope_high
    realised = np.array([census[k].estimate for k in pc.months])
    assert np.allclose(pc.table["estimate"], realised)
    proj = pc.projection(0.995, month="2013-12")
    assert proj.pred_low <= 0.997 <= proj.pred_high
    # per provider series exist too
    assert len(monthly_panel(census).trend().table) > 1
    # sampled months: inverse-variance weights, wider intervals, same truth covered
    ps = monthly_panel(sampled)
    ts = ps.trend()
    assert ts.table.iloc[-1]["weights"] == "inverse-variance"
    assert ts.slope_low <= 0.001 <= ts.slope_high
    assert ts.slope_high - ts.slope_low > tc.slope_high - tc.slope_low
    assert ps.projection(0.995).verdict in ("on_track", "uncertain")


def test_filing_rate_and_one_sided_estimates_are_accepted():
    from beian_audit.estimation.filing_rate import filing_rate

    sites = pd.DataFrame({"site_id": ["S1", "S2", "S3", "S4"],
                          "domain": ["a.cn", "b.cn", "c.cn", "d.cn"],
                          "provider_id": ["P1", "P1", "P2", "P2"]})  # fmt: skip
    reg = pd.DataFrame({"domain": ["a.cn", "b.cn", "c.cn"]})
    p = monthly_panel({"2013-01": filing_rate(sites, reg), "2013-02": filing_rate(sites, reg)})
    assert p.table["census"].all() and (p.table["se_trend"] == 0).all()
    one = srs(95, 100, alternative="greater")
    two = srs(95, 100)
    q = monthly_panel({"2013-01": one}).table.iloc[0]
    assert q["ci_high"] == pytest.approx(two.ci.high) and q["ci_low"] == pytest.approx(two.ci.low)


def test_too_few_months_give_no_line():
    p = monthly_panel({"2013-01": srs(95, 100), "2013-02": srs(96, 100)})
    trend = p.trend()
    assert math.isnan(trend.slope) and "fewer than 3 months" in trend.table.iloc[-1]["note"]
    proj = p.projection(0.9)
    assert proj.verdict == "uncertain" and math.isnan(proj.probability)


def test_results_render():
    p = monthly_panel({m: srs(x, n) for m, (x, n) in zip(MONTHS[:4], COUNTS[:4], strict=True)})
    for obj, name in ((p, "MonthlyPanel"), (p.trend(), "PanelTrend"),
                      (p.projection(0.95), "PanelProjection")):  # fmt: skip
        assert repr(obj).startswith(name + "(") and "\n" not in repr(obj)
        assert obj.to_dict()["kind"] == name
        assert "<table" in obj._repr_html_()


def test_monthly_panel_validates_input():
    est = srs(95, 100)
    with pytest.raises(EstimationError, match=r"month key \('2013-1'\) must be a month"):
        monthly_panel({"2013-1": est})
    with pytest.raises(EstimationError, match=r"month key \('2013-13'\)"):
        monthly_panel({"2013-13": est})
    with pytest.raises(EstimationError, match="non-empty mapping"):
        monthly_panel({})
    with pytest.raises(EstimationError, match="must be a ProportionEstimate or a FilingRate"):
        monthly_panel({"2013-01": 0.95})
    dom = by_provider({"A": (9, 10), "B": (8, 10)})
    with pytest.raises(EstimationError, match="different domain columns"):
        monthly_panel({"2013-01": est, "2013-02": dom})
    with pytest.raises(EstimationError, match="not \\['province'\\]"):
        monthly_panel({"2013-01": dom}, by="province")
    p = monthly_panel({"2013-01": est, "2013-02": est, "2013-03": est})
    with pytest.raises(EstimationError, match=r"target \(1.5\) must be a number"):
        p.projection(1.5)
    with pytest.raises(EstimationError, match=r"month \('December'\) must be a month"):
        p.projection(0.9, month="December")
    with pytest.raises(EstimationError, match="confidence_level"):
        p.trend(confidence_level=2)
