"""Tests of beian_audit.reporting.plots (Agg backend, set in conftest.py).

Funnel limits: reference values computed with R 4.2.2 (stats::qbinom /
pbinom, independent of scipy) from the interpolation of Spiegelhalter (2005,
appendix A.1.1):

    f <- function(n, th, p) { r <- qbinom(p, n, th)
      a <- (pbinom(r, n, th) - p) / (pbinom(r, n, th) - pbinom(r - 1, n, th)); (r - a) / n }

and, for large n, the normal approximation target ± z √(target(1 − target)/n).
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from scipy import stats

from beian_audit.errors import EstimationError
from beian_audit.estimation import estimate_proportion, proportion_ci
from beian_audit.reporting import (
    funnel_limits,
    plot_forest,
    plot_funnel,
    plot_progress,
    progress_panel,
    rank_providers,
)

# (n, target, tail probability p, R value of f(n, target, p))
R_FUNNEL = [
    (100, 0.75, 0.025, 0.657676750406855581),
    (100, 0.75, 0.975, 0.82764503350400165),
    (20, 0.995, 0.001, 0.85997996632640616),
    (2000, 0.995, 0.001, 0.98918725835198462),
    (37, 0.7, 0.001, 0.44000460499308991),
    (37, 0.7, 0.999, 0.90126355851478657),
    (5, 0.75, 0.025, 0.221333333333333326),
    (5, 0.75, 0.975, 0.97893004115226334),
    (1000, 0.75, 0.025, 0.72241716549695822),
]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture()
def provider_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "provider_id": ["P1", "P2", "P3", "P4"],
            "n": [20, 60, 150, 400],
            "successes": [12, 50, 110, 310],
            "estimate": [0.6, 50 / 60, 110 / 150, 310 / 400],
            "ci_low": [0.38, 0.72, 0.66, 0.73],
            "ci_high": [0.79, 0.91, 0.80, 0.81],
        }
    )


# --------------------------------------------------------------------------- funnel limits
@pytest.mark.parametrize(("n", "target", "tail", "expected"), R_FUNNEL)
def test_funnel_limits_equal_r(n, target, tail, expected):
    level = 1 - 2 * tail if tail < 0.5 else 2 * tail - 1
    low, high = funnel_limits([n], target=target, confidence_level=level)
    value = low[0] if tail < 0.5 else high[0]
    assert value == pytest.approx(expected, rel=1e-12)


def test_funnel_limits_approach_normal_for_large_n():
    n = np.array([1e5, 1e6])
    low, high = funnel_limits(n, target=0.75, confidence_level=0.998)
    half = stats.norm.ppf(0.999) * np.sqrt(0.75 * 0.25 / n)
    # the discrete limits sit within about 1/n of the normal ones
    assert np.all(np.abs(low - (0.75 - half)) < 2 / n)
    assert np.all(np.abs(high - (0.75 + half)) < 2 / n)


def test_funnel_limits_bracket_the_discrete_quantile():
    n = np.arange(1, 300)
    low, _ = funnel_limits(n, target=0.9, confidence_level=0.95)
    r = stats.binom.ppf(0.025, n, 0.9)
    assert np.all(low <= r / n + 1e-12) and np.all(low >= (r - 1) / n - 1e-12)
    with pytest.raises(ValueError, match="target"):
        funnel_limits([10], target=1.0)
    with pytest.raises(ValueError, match="positive"):
        funnel_limits([0], target=0.5)


# --------------------------------------------------------------------------- plots
def test_plot_forest(provider_frame):
    ax = plot_forest(provider_frame, target=0.75)
    assert isinstance(ax, Axes)
    assert len(ax.lines[0].get_xdata()) == 4
    assert ax.lines[-1].get_label() == "target 75.0%"
    assert ax.lines[-1].get_xdata()[0] == 0.75
    # sorted by estimate, best at the top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["P1", "P3", "P4", "P2"]
    # error bars: one segment per provider
    assert len(ax.containers[0].lines[2][0].get_segments()) == 4


def test_plot_forest_from_estimate_and_given_ax(provider_frame):
    frame = pd.DataFrame(
        {
            "provider_id": ["A"] * 30 + ["B"] * 30 + ["C"] * 30,
            "ok": [1] * 25 + [0] * 5 + [1] * 20 + [0] * 10 + [1] * 28 + [0] * 2,
        }
    )
    est = estimate_proportion(frame, "ok", by="provider_id")
    _fig, axes = plt.subplots(1, 2)
    ax = plot_forest(est, target=0.75, ax=axes[1])
    assert ax is axes[1] and not axes[0].lines
    assert len(ax.lines[0].get_xdata()) == 3
    labels = [line.get_label() for line in ax.lines]
    assert "overall" in labels  # the overall estimate is drawn as a dotted line
    ranking = rank_providers(frame, "ok", rng=1)
    assert len(plot_forest(ranking).lines[0].get_xdata()) == 3


def test_plot_funnel(provider_frame):
    ax = plot_funnel(provider_frame, target=0.75)
    assert isinstance(ax, Axes)
    assert len(ax.collections[0].get_offsets()) == 4
    # two limit lines per level (0.95, 0.998) and the centre line
    assert len(ax.lines) == 5
    assert ax.lines[-1].get_ydata()[0] == 0.75
    low95 = ax.lines[0]
    x = low95.get_xdata()
    expected, _ = funnel_limits(x, target=0.75, confidence_level=0.95)
    assert low95.get_ydata() == pytest.approx(expected)


def test_plot_funnel_overall_and_estimate_input(provider_frame):
    ax = plot_funnel(provider_frame.drop(columns="successes"), confidence_levels=(0.95,))
    pooled = (provider_frame["estimate"] * provider_frame["n"]).sum() / provider_frame["n"].sum()
    assert ax.lines[-1].get_ydata()[0] == pytest.approx(pooled)
    assert len(ax.lines) == 3
    frame = pd.DataFrame({"provider_id": list("AAABBB"), "ok": [1, 0, 1, 1, 0, 1]})
    est = estimate_proportion(frame, "ok", by="provider_id", method="wilson")
    _fig, given = plt.subplots()
    assert plot_funnel(est, overall=0.7, ax=given) is given
    with pytest.raises(EstimationError, match="by="):
        plot_funnel(estimate_proportion(frame, "ok"))


def test_plot_progress():
    panel = progress_panel(
        {
            "2013-05": proportion_ci(140, 200),
            "2013-06": proportion_ci(146, 200),
            "2013-07": proportion_ci(150, 200),
        },
        projection={"2013-07": 0.75, "2013-08": 0.76, "2013-12": 0.78},
    )
    assert len(panel) == 5
    ax = plot_progress(panel, target=0.75)
    assert isinstance(ax, Axes)
    assert len(ax.lines[0].get_xdata()) == 3  # one point per estimated month
    projection = [line for line in ax.lines if line.get_label() == "projection"]
    assert len(projection) == 1 and len(projection[0].get_xdata()) == 3
    assert ax.lines[-1].get_label() == "target 75.0%"
    _fig, given = plt.subplots()
    no_projection = panel.drop(columns="projection")
    assert plot_progress(no_projection, target=0.75, ax=given) is given
    assert [line.get_label() for line in given.lines].count("projection") == 0


def test_plot_input_validation(provider_frame):
    with pytest.raises(ValueError, match="target"):
        plot_forest(provider_frame, target=75)
    with pytest.raises(ValueError, match="target"):
        plot_progress(pd.DataFrame({"month": [], "estimate": [], "ci_low": [], "ci_high": []}),
                      target=1.2)  # fmt: skip
    with pytest.raises(ValueError, match="estimates"):
        plot_forest([1, 2, 3])
    with pytest.raises(EstimationError):
        progress_panel({"2013-05": 0.7})  # type: ignore[dict-item]


# --------------------------------------------------------------------------- Chinese labels
# Needs a CJK font (Debian/Ubuntu: scripts/install_system_deps.sh, i.e. apt-get install
# fonts-noto-cjk). Reference for coverage: the font file's own character map (FreeType,
# matplotlib.ft2font.FT2Font.get_charmap), not the code under test.
CHINESE = ["中国电信", "中国联通", "阿里云计算", "腾讯云", "华为云"]


def _render(fig, fmt: str) -> list[str]:
    """Save ``fig`` as ``fmt``; the messages of every warning emitted on the way."""
    import io

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format=fmt)
    return [str(w.message) for w in caught]


@pytest.fixture()
def chinese_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "provider_name": CHINESE, "n": [20, 60, 150, 400, 90],
        "successes": [12, 50, 110, 310, 85],
    }).assign(estimate=lambda f: f["successes"] / f["n"], ci_low=lambda f: f["estimate"] - 0.1,
              ci_high=lambda f: (f["estimate"] + 0.05).clip(upper=1))  # fmt: skip


def _cjk_font_or_skip() -> str:
    from beian_audit.reporting.plots import find_cjk_font

    family = find_cjk_font("".join(CHINESE))
    if family is None:  # pragma: no cover - make test installs fonts-noto-cjk first
        pytest.fail("no CJK font installed: run scripts/install_system_deps.sh (a test "
                    "that cannot get its font fails, it does not skip)")
    return family


@pytest.mark.parametrize("fmt", ["png", "svg"])
@pytest.mark.parametrize("kind", ["forest", "funnel"])
def test_chinese_provider_names_render_without_missing_glyphs(chinese_frame, fmt, kind):
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    family = _cjk_font_or_skip()
    before = matplotlib.rcParams.copy()
    if kind == "forest":
        ax = plot_forest(chinese_frame, label="provider_name", target=0.75)
        texts = [t for t in ax.get_yticklabels() if t.get_text()]
    else:
        ax = plot_funnel(chinese_frame, target=0.75, label="provider_name")
        texts = list(ax.texts)
    assert sorted(t.get_text() for t in texts) == sorted(CHINESE)
    messages = _render(ax.figure, fmt)
    assert not [m for m in messages if "missing from font" in m or "findfont" in m], messages
    assert matplotlib.rcParams == before  # nothing left behind in the global settings
    # the font the labels use has a glyph for every character (FreeType's charmap)
    for text in texts:
        assert family in text.get_fontfamily()
        props = font_manager.FontProperties(family=family)
        path = font_manager.findfont(props, fallback_to_default=False)
        entry = next(e for e in font_manager.fontManager.ttflist if e.fname == path)
        charmap = FT2Font(path, face_index=entry.index).get_charmap()
        assert all(ord(c) in charmap for c in text.get_text())


def test_chinese_labels_on_a_given_ax_and_without_a_font(chinese_frame, monkeypatch):
    from beian_audit.errors import MissingFontWarning
    from beian_audit.reporting import plots

    _cjk_font_or_skip()
    _, ax = plt.subplots()  # made before: its tick labels get the font afterwards
    plot_forest(chinese_frame, label="provider_name", ax=ax)
    assert not [m for m in _render(ax.figure, "png") if "missing from font" in m]
    plt.close("all")
    # ASCII labels: no font look-up, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_funnel(chinese_frame.assign(provider_name=list("ABCDE")), label=True)
    # no CJK font: a package warning naming the fix, and then tofu (what the test above
    # would catch: matplotlib's own "Glyph ... missing from font" warnings)
    monkeypatch.setattr(plots, "CJK_FONT_FAMILIES", ("No Such Font CJK",))
    with pytest.warns(MissingFontWarning, match="apt-get install fonts-noto-cjk"):
        ax = plot_funnel(chinese_frame, label="provider_name")
    assert any("missing from font" in m for m in _render(ax.figure, "png"))


def test_funnel_labels_only_the_top_outliers(chinese_frame):
    ax = plot_funnel(chinese_frame, target=0.75, label="provider_name", label_top=2)
    c = 0.75
    z = (chinese_frame["estimate"] - c).abs() / np.sqrt(c * (1 - c) / chinese_frame["n"])
    expected = chinese_frame.loc[z.nlargest(2).index, "provider_name"].tolist()
    assert [t.get_text() for t in ax.texts] == expected
    assert [tuple(t.xy) for t in ax.texts] == [
        (float(chinese_frame.loc[i, "n"]), float(chinese_frame.loc[i, "estimate"]))
        for i in z.nlargest(2).index]
    assert len(plot_funnel(chinese_frame, target=0.75).texts) == 0  # no label=, no labels
    two = pd.DataFrame({"p": ["电信"] * 30 + ["联通"] * 30,
                        "y": [1] * 25 + [0] * 5 + [1] * 29 + [0]})  # fmt: skip
    est = estimate_proportion(two, "y", strata=False, by="p")
    assert sorted(t.get_text() for t in plot_funnel(est, label=True).texts) == ["电信", "联通"]
    with pytest.raises(ValueError, match="label_top"):
        plot_funnel(chinese_frame, label=True, label_top=-1)
    with pytest.raises(ValueError, match="label=True needs"):
        plot_funnel(chinese_frame.drop(columns="provider_name"), label=True)
    with pytest.raises(ValueError, match="lacks column"):
        plot_funnel(chinese_frame, label="nope")
