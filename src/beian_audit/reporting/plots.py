"""Plots for auditors: forest plot, funnel plot, monthly progress against a target.

Every plot takes ``ax=None`` (a new figure) or an existing Axes, and returns
the Axes (STYLE habit 12); matplotlib is imported when a plot is drawn, so
``import beian_audit.reporting`` stays light. Rates are drawn as proportions
on a percent axis.

* :func:`plot_forest` — each provider's estimate with its interval and the
  target line;
* :func:`plot_funnel` — accuracy against number checked with exact binomial
  control limits (:func:`funnel_limits`, Spiegelhalter 2005), the standard
  display for comparing institutions without a league table;
* :func:`plot_progress` — monthly estimates with intervals, the target and an
  optional projection (:func:`progress_panel` builds the panel).

Chinese labels (provider names such as 中国电信) need a font with CJK glyphs,
which matplotlib's default DejaVu Sans lacks. The plots look one up with
:func:`find_cjk_font` (Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei …,
see :data:`CJK_FONT_FAMILIES`) whenever a label holds a CJK character, and draw
with it as the fallback after the default font inside a
:func:`matplotlib.rc_context` (``rcParams`` are left as they were). With no such
font installed they warn with :class:`~beian_audit.errors.MissingFontWarning`;
on Debian or Ubuntu ``apt-get install fonts-noto-cjk`` (what
``scripts/install_system_deps.sh`` runs) provides one.

References
----------
Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional
performance. *Statistics in Medicine* 24(8), 1185-1202.

Manktelow, B. N. and Seaton, S. E. (2012). Specifying the probability
characteristics of funnel plot control limits: an investigation of three
approaches. *PLoS ONE* 7(9), e45723.

Examples
--------
>>> low, high = funnel_limits([100], target=0.75, confidence_level=0.95)
>>> round(float(low[0]), 4), round(float(high[0]), 4)
(0.6577, 0.8276)
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from beian_audit.errors import ArgumentError, EstimationError, MissingFontWarning, require
from beian_audit.estimation import ConfidenceInterval, ProportionEstimate
from beian_audit.estimation.intervals import check_level
from beian_audit.reporting._common import require_columns

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "CJK_FONT_FAMILIES",
    "find_cjk_font",
    "funnel_limits",
    "plot_forest",
    "plot_funnel",
    "plot_progress",
    "progress_panel",
]

_LABEL_CANDIDATES = ("provider_id", "provider_name", "label", "province", "domain")

#: Font families with CJK glyphs, in order of preference (simplified Chinese
#: first): Noto (Debian/Ubuntu ``fonts-noto-cjk``), Source Han (the same design,
#: Adobe's name), WenQuanYi (``fonts-wqy-zenhei``/``microhei``), then the Windows
#: and macOS system fonts.
CJK_FONT_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "Noto Sans CJK TC", "Noto Sans CJK HK", "Noto Sans CJK JP", "Noto Sans CJK KR",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei",
    "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti", "Noto Serif CJK SC",
    "Source Han Serif SC", "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback",
)  # fmt: skip
#: File names of such fonts, for a system scan when matplotlib's font cache predates them.
_CJK_FILE = re.compile(
    r"cjk|sourcehan|wqy|wenquanyi|simhei|msyh|pingfang|hiragino|heiti|uming|ukai|droidsansfallback"
    r"|notosanssc|notoserifsc",
    re.IGNORECASE,
)
#: CJK characters that need such a font: ideographs (with extension A and the
#: compatibility block), CJK punctuation, kana, Hangul and full-width forms.
_CJK_CHAR = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)


@functools.cache
def _charmap(fname: str, index: int) -> frozenset[int]:
    """Code points a font file's face has glyphs for (``FT2Font.get_charmap``)."""
    from matplotlib import ft2font

    return frozenset(ft2font.FT2Font(fname, face_index=index).get_charmap())


def _scan_system_fonts() -> None:
    """Add installed CJK font files matplotlib's cached font list does not know yet."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    known = {entry.fname for entry in manager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known and _CJK_FILE.search(path.rsplit("/", 1)[-1]):
            with contextlib.suppress(Exception):  # an unreadable file is not a font
                manager.addfont(path)


def find_cjk_font(
    text: str = "中国电信联通移动阿里云腾讯", *, families: Sequence[str] | None = None
) -> str | None:
    """The first installed font family that has a glyph for every character of ``text``.

    Parameters
    ----------
    text : str, default "中国电信联通移动阿里云腾讯"
        Characters the font must cover (only the CJK ones are checked).
    families : sequence of str, optional
        Family names in order of preference; default :data:`CJK_FONT_FAMILIES`.

    Returns
    -------
    str or None
        The family name as matplotlib knows it, or None when none is installed
        (install one with ``apt-get install fonts-noto-cjk`` on Debian/Ubuntu,
        or run ``scripts/install_system_deps.sh``).

    Notes
    -----
    Looks in :data:`matplotlib.font_manager.fontManager` first; when none of
    the families is there (matplotlib caches its font list and misses fonts
    installed later), the system font folders are scanned once for CJK font
    files, which are added to the font manager (not to ``rcParams``). Coverage
    is read from each face's character map (``FT2Font.get_charmap``).

    Examples
    --------
    >>> family = find_cjk_font("中国电信")
    >>> family is None or isinstance(family, str)
    True
    """
    from matplotlib import font_manager

    wanted = list(CJK_FONT_FAMILIES if families is None else families)
    needed = {ord(c) for c in _CJK_CHAR.findall(str(text))}

    def lookup() -> str | None:
        by_name: dict[str, list[Any]] = {}
        for entry in font_manager.fontManager.ttflist:
            by_name.setdefault(entry.name, []).append(entry)
        for family in wanted:
            for entry in by_name.get(family, []):
                if needed <= _charmap(entry.fname, int(getattr(entry, "index", 0) or 0)):
                    return family
        return None

    found = lookup()
    if found is None:
        _scan_system_fonts()
        found = lookup()
    return found


def _cjk_text(texts: Iterable[object]) -> str:
    return "".join(sorted({c for t in texts for c in _CJK_CHAR.findall(str(t))}))


def _default_families() -> list[str]:
    """The concrete family the default ``font.family`` resolves to (e.g. DejaVu Sans)."""
    import matplotlib
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(
        font_manager.FontProperties(family=matplotlib.rcParams["font.family"])
    )
    return [ft2font.FT2Font(path).family_name]


@contextlib.contextmanager
def _cjk_fonts(texts: Iterable[object]) -> Iterator[list[str] | None]:
    """Draw inside with a CJK fallback font when ``texts`` hold CJK characters.

    Yields the font family list (default family, then the CJK one) or None.
    Inside, :func:`matplotlib.rc_context` sets ``font.family`` to that list, so
    new texts (axes, tick labels, legend, annotations) take it;
    :func:`_set_cjk_fonts` gives it to texts made before (on a given ``ax``).
    Warns :class:`~beian_audit.errors.MissingFontWarning` when no font covers
    the characters.
    """
    chars = _cjk_text(texts)
    if not chars:
        yield None
        return
    family = find_cjk_font(chars)
    if family is None:
        warnings.warn(
            f"no installed font has glyphs for the Chinese labels ({chars[:12]}…): they "
            "would show as empty boxes. Install a CJK font, e.g. `apt-get install "
            "fonts-noto-cjk` on Debian/Ubuntu (scripts/install_system_deps.sh), or Noto "
            "Sans CJK SC / Source Han Sans from https://github.com/notofonts/noto-cjk",
            MissingFontWarning,
            stacklevel=4,
        )
        yield None
        return
    import matplotlib

    fonts = [*_default_families(), family]
    with matplotlib.rc_context({"font.family": fonts}):
        yield fonts


def _set_cjk_fonts(ax: Axes, fonts: list[str] | None) -> None:
    """Give ``fonts`` to every text of ``ax``'s figure that holds a CJK character."""
    if fonts is None:
        return
    from matplotlib.text import Text

    for text in ax.figure.findobj(Text):
        if _CJK_CHAR.search(text.get_text()):
            text.set_fontfamily(fonts)


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    plt = require("matplotlib.pyplot", "plot")
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _percent_axis(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(xmax=1.0))


def _check_rate(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise ArgumentError(f"{name} ({value!r}) must be a number strictly between 0 and 1")
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ArgumentError(f"{name} ({value!r}) must be a number strictly between 0 and 1")
    return value


# --------------------------------------------------------------------------- forest
def _forest_frame(data: object, label: str | None) -> tuple[pd.DataFrame, str, float | None]:
    overall = None
    if isinstance(data, ProportionEstimate):
        overall = data.estimate
        frame = data.by if data.by is not None else data.to_frame()
        if data.by is None:
            frame = frame.assign(label="total")
    else:
        found: object = getattr(data, "table", data)
        if not isinstance(found, pd.DataFrame):
            raise ArgumentError(
                "estimates must be a ProportionEstimate, a ProviderRanking or a DataFrame with "
                f"estimate / ci_low / ci_high, not {type(data).__name__}"
            )
        frame = found
    require_columns(frame, ["estimate", "ci_low", "ci_high"], name="estimates")
    if label is None:
        label = next((c for c in _LABEL_CANDIDATES if c in frame.columns), None)
        if label is None:
            label = next((c for c in frame.columns if frame[c].dtype == object), None)
        if label is None:
            raise ArgumentError("pass label= naming the column that identifies each row")
    require_columns(frame, [label], name="estimates")
    return frame, label, overall


def plot_forest(
    estimates: ProportionEstimate | pd.DataFrame | Any,
    *,
    target: float | None = None,
    label: str | None = None,
    sort: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Forest plot: each provider's estimated accuracy with its interval.

    Parameters
    ----------
    estimates : ProportionEstimate, ProviderRanking or DataFrame
        An estimate made with ``by=`` (one row per domain; the overall
        estimate is drawn as a dotted line), a
        :class:`~beian_audit.reporting.ProviderRanking`, or any frame with
        ``estimate``, ``ci_low``, ``ci_high`` and a label column (e.g. the
        ``estimates=`` frame of another estimator).
    target : float, optional
        Target rate (0.75 …), drawn as a dashed vertical line.
    label : str, optional
        Label column; default the first of ``provider_id``, ``provider_name``,
        ``label``, ``province``, ``domain`` present.
    sort : bool, default True
        Sort by estimate, best at the top.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One marker per row in ``ax.lines[0]`` (bars in ``ax.containers[0]``);
        the target line last in ``ax.lines``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"provider_id": ["P1", "P2"], "estimate": [0.8, 0.6],
    ...                       "ci_low": [0.7, 0.4], "ci_high": [0.9, 0.75]})
    >>> ax = plot_forest(frame, target=0.75)
    >>> len(ax.lines[0].get_xdata())
    2
    """
    frame, label, overall = _forest_frame(estimates, label)
    if target is not None:
        target = _check_rate("target", target)
    frame = frame[frame["estimate"].notna()]
    if sort:
        frame = frame.sort_values("estimate", ascending=True, kind="stable")
    with _cjk_fonts(frame[label].astype(str)) as fonts:
        ax = _draw_forest(frame, label, overall, target, ax)
        _set_cjk_fonts(ax, fonts)
    return ax


def _draw_forest(
    frame: pd.DataFrame, label: str, overall: float | None, target: float | None,
    ax: Axes | None,
) -> Axes:  # fmt: skip
    k = len(frame)
    ax = _axes(ax, (6.4, max(2.5, 0.28 * k + 1.2)))
    y = np.arange(k)
    est = frame["estimate"].to_numpy(float)
    low = frame["ci_low"].to_numpy(float)
    high = frame["ci_high"].to_numpy(float)
    ax.errorbar(
        est,
        y,
        xerr=np.vstack([est - low, high - est]),
        fmt="o",
        color="C0",
        ecolor="C0",
        capsize=2,
        markersize=4,
        label="estimate and interval",
    )
    if overall is not None and math.isfinite(overall):
        ax.axvline(overall, color="0.4", linestyle=":", label="overall")
    if target is not None:
        ax.axvline(target, color="C3", linestyle="--", label=f"target {target:.1%}")
    ax.set_yticks(y, frame[label].astype(str).tolist())
    ax.set_ylim(-0.8, k - 0.2)
    _percent_axis(ax.xaxis)
    ax.set_xlabel("accuracy")
    ax.legend(loc="lower right", fontsize="small")
    return ax


# --------------------------------------------------------------------------- funnel
def funnel_limits(
    n: Sequence[float] | np.ndarray | float,
    *,
    target: float,
    confidence_level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial control limits of a funnel plot for proportions.

    Parameters
    ----------
    n : array_like
        Numbers checked (positive).
    target : float
        The rate the limits are centred on, strictly between 0 and 1.
    confidence_level : float
        Share of in-control providers expected inside the limits (0.95,
        0.998 …).

    Returns
    -------
    low, high : numpy arrays

    Notes
    -----
    Spiegelhalter (2005, appendix A.1.1): with :math:`F` the Binomial(n,
    target) distribution function and :math:`p` the tail probability
    (:math:`(1-L)/2` for the lower limit, :math:`(1+L)/2` for the upper), let
    :math:`r_p` be the smallest :math:`r` with :math:`F(r) \\ge p` and

    .. math:: \\alpha = \\frac{F(r_p) - p}{F(r_p) - F(r_p - 1)}, \\qquad
              \\text{limit} = \\frac{r_p - \\alpha}{n},

    a linear interpolation that makes the limits smooth in :math:`n` instead
    of stepping with the discrete quantile (Manktelow & Seaton 2012 study its
    coverage).

    Examples
    --------
    >>> low, high = funnel_limits([20, 2000], target=0.995, confidence_level=0.998)
    >>> [round(float(v), 4) for v in low]
    [0.86, 0.9892]
    """
    from scipy.stats import binom

    target = _check_rate("target", target)
    level = check_level(confidence_level)
    n_arr = np.asarray(n, dtype=float)
    if (n_arr <= 0).any() or not np.isfinite(n_arr).all():
        raise ArgumentError("n must hold positive finite numbers")
    n_int = np.round(n_arr)

    def limit(p: float) -> np.ndarray:
        r = binom.ppf(p, n_int, target)
        f_r = binom.cdf(r, n_int, target)
        f_below = binom.cdf(r - 1, n_int, target)
        alpha = (f_r - p) / (f_r - f_below)
        return np.clip((r - alpha) / n_int, 0.0, 1.0)

    tail = (1.0 - level) / 2.0
    return limit(tail), limit(1.0 - tail)


def _funnel_frame(data: object, successes: str, n: str, label: str | bool | None) -> pd.DataFrame:
    """``n``, ``rate`` and (with ``label``) ``label`` of every point."""
    if isinstance(data, ProportionEstimate):
        frame = data.by
        if frame is None:
            raise EstimationError("plot_funnel needs an estimate made with by= (one point each)")
        out = pd.DataFrame(
            {"n": frame["n"].to_numpy(float), "rate": frame["estimate"].to_numpy(float)}
        )
    elif not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"frame must be a DataFrame or ProportionEstimate, not {type(data)}")
    elif successes in data.columns:
        frame = data
        require_columns(data, [n], name="frame")
        m = data[n].to_numpy(float)
        out = pd.DataFrame({"n": m, "rate": data[successes].to_numpy(float) / m})
    else:
        frame = data
        require_columns(data, [n, "estimate"], name="frame")
        out = pd.DataFrame({"n": data[n].to_numpy(float), "rate": data["estimate"].to_numpy(float)})
    if label is None or label is False:
        return out
    if label is True and isinstance(data, ProportionEstimate):
        out["label"] = frame[list(data.by_columns)].astype(str).agg(" / ".join, axis=1).to_numpy()
        return out
    if label is True:
        found = next((c for c in _LABEL_CANDIDATES if c in frame.columns), None)
        if found is None:
            raise ArgumentError(
                "label=True needs a provider_id, provider_name, label, province or domain "
                "column; pass label= naming the column"
            )
        label = found
    if not isinstance(label, str):
        raise ArgumentError(f"label ({label!r}) must be a column name, True or None")
    require_columns(frame, [label], name="frame")
    out["label"] = frame[label].astype(str).to_numpy()
    return out


def plot_funnel(
    frame: pd.DataFrame | ProportionEstimate,
    *,
    target: float | None = None,
    overall: float | None = None,
    confidence_levels: Sequence[float] = (0.95, 0.998),
    successes: str = "successes",
    n: str = "n",
    label: str | bool | None = None,
    label_top: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Funnel plot: accuracy against number checked, with control limits.

    Parameters
    ----------
    frame : DataFrame or ProportionEstimate
        One row per provider with ``n`` (number checked) and ``successes``
        (correct), or ``n`` and ``estimate``; or an estimate made with ``by=``.
    target : float, optional
        Centre of the funnel (the 75 % target …).
    overall : float, optional
        Centre when no target is given; default the pooled rate
        :math:`\\sum \\text{successes} / \\sum n` of the points.
    confidence_levels : sequence of float, default (0.95, 0.998)
        One pair of limits per level (about 2 and 3 standard errors).
    successes, n : str
        Column names.
    label : str, True or None, default None
        Write a label next to the points: the named column (provider names
        such as 中国电信 are drawn with a CJK font, see :func:`find_cjk_font`),
        or True for the first of ``provider_id``, ``provider_name``, ``label``,
        ``province``, ``domain`` present (for an estimate, its ``by`` columns).
    label_top : int, optional
        Label only this many points, those farthest from the centre in
        standard errors, :math:`|r - c| / \\sqrt{c (1 - c) / n}` (the
        outliers of the funnel); default every point.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Points in ``ax.collections[0]``; two limit lines per level, then the
        centre line, in ``ax.lines``; the point labels in ``ax.texts``.

    Notes
    -----
    Limits from :func:`funnel_limits` (exact binomial with interpolation,
    Spiegelhalter 2005). A provider outside the 99.8 % limits differs from
    the centre by more than chance would explain for its number of checks;
    this comparison avoids ranking providers (Spiegelhalter 2005, sect. 1).
    With design-weighted estimates the binomial limits are approximate.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"n": [20, 50, 200], "successes": [12, 40, 150]})
    >>> ax = plot_funnel(frame, target=0.75)
    >>> len(ax.collections[0].get_offsets()), len(ax.lines)
    (3, 5)
    >>> frame["provider_name"] = ["中国电信", "阿里云", "腾讯云"]
    >>> ax = plot_funnel(frame, target=0.75, label="provider_name", label_top=1)
    >>> [t.get_text() for t in ax.texts]   # 12 of 20: 1.5 standard errors below 75 %
    ['中国电信']
    """
    if label_top is not None and (
        isinstance(label_top, bool) or not isinstance(label_top, int | np.integer) or label_top < 0
    ):
        raise ArgumentError(f"label_top ({label_top!r}) must be a non-negative integer or None")
    points = _funnel_frame(frame, successes, n, label)
    points = points[np.isfinite(points["rate"]) & (points["n"] > 0)]
    if points.empty:
        raise ArgumentError("frame has no provider with n > 0 and a rate")
    if target is not None:
        centre = _check_rate("target", target)
        centre_label = f"target {centre:.1%}"
    elif overall is not None:
        centre = _check_rate("overall", overall)
        centre_label = f"overall {centre:.1%}"
    else:
        pooled = float((points["rate"] * points["n"]).sum() / points["n"].sum())
        centre = _check_rate("overall (pooled rate of the points)", pooled)
        centre_label = f"overall {centre:.1%}"
    levels = [check_level(v) for v in confidence_levels]
    labelled = points.iloc[0:0]
    if "label" in points.columns:
        z = np.abs(points["rate"] - centre) / np.sqrt(centre * (1 - centre) / points["n"])
        order = np.argsort(-z.to_numpy(), kind="stable")
        labelled = points.iloc[order[: len(order) if label_top is None else int(label_top)]]
    with _cjk_fonts(labelled.get("label", ())) as fonts:
        ax = _draw_funnel(points, labelled, centre, centre_label, levels, ax)
        _set_cjk_fonts(ax, fonts)
    return ax


def _draw_funnel(
    points: pd.DataFrame, labelled: pd.DataFrame, centre: float, centre_label: str,
    levels: list[float], ax: Axes | None,
) -> Axes:  # fmt: skip
    ax = _axes(ax, (6.4, 4.4))
    ax.scatter(points["n"], points["rate"], s=18, color="C0", zorder=3, label="providers")
    grid = np.unique(np.round(np.geomspace(1, max(points["n"].max() * 1.1, 10), 300)))
    styles = ["--", ":", "-."]
    for i, level in enumerate(levels):
        low, high = funnel_limits(grid, target=centre, confidence_level=level)
        style = styles[i % len(styles)]
        ax.plot(grid, low, color="0.35", linestyle=style, label=f"{level:.1%} limits")
        ax.plot(grid, high, color="0.35", linestyle=style)
    ax.axhline(centre, color="C3", linewidth=1, label=centre_label)
    _percent_axis(ax.yaxis)
    for _, row in labelled.iterrows():
        ax.annotate(
            row["label"], (row["n"], row["rate"]), xytext=(4, 3), textcoords="offset points",
            fontsize="small", color="0.2",
        )  # fmt: skip
    ax.set_xlabel("number checked")
    ax.set_ylabel("accuracy")
    ax.legend(loc="lower right", fontsize="small")
    return ax


# --------------------------------------------------------------------------- progress
def progress_panel(
    estimates: Mapping[object, ProportionEstimate | ConfidenceInterval],
    *,
    projection: Mapping[object, float] | None = None,
) -> pd.DataFrame:
    """Monthly panel for :func:`plot_progress` from estimates keyed by month.

    Parameters
    ----------
    estimates : mapping
        Month (``"2013-05"``, a Period or Timestamp) -> estimate.
    projection : mapping, optional
        Month -> projected rate (for months ahead, or alongside).

    Returns
    -------
    DataFrame
        ``month`` (monthly Period), ``estimate``, ``ci_low``, ``ci_high``,
        ``projection``; sorted by month.

    Examples
    --------
    >>> from beian_audit.estimation import proportion_ci
    >>> panel = progress_panel(
    ...     {"2013-05": proportion_ci(70, 100), "2013-06": proportion_ci(74, 100)},
    ...     projection={"2013-12": 0.76},
    ... )
    >>> panel["month"].astype(str).tolist()
    ['2013-05', '2013-06', '2013-12']
    """
    rows: dict[pd.Period, dict[str, float]] = {}
    for month, est in estimates.items():
        if isinstance(est, ProportionEstimate):
            p, low, high = est.estimate, est.ci.low, est.ci.high
        elif isinstance(est, ConfidenceInterval):
            p, low, high = est.estimate, est.low, est.high
        else:
            raise EstimationError(
                f"estimates[{month!r}] must be a ProportionEstimate or ConfidenceInterval"
            )
        rows.setdefault(pd.Period(month, freq="M"), {}).update(  # type: ignore[arg-type]
            {"estimate": p, "ci_low": low, "ci_high": high}
        )
    for month, value in (projection or {}).items():
        rows.setdefault(pd.Period(month, freq="M"), {})["projection"] = float(value)  # type: ignore[arg-type]
    frame = pd.DataFrame.from_dict(rows, orient="index")
    for col in ("estimate", "ci_low", "ci_high", "projection"):
        if col not in frame.columns:
            frame[col] = np.nan
    frame = frame.sort_index()
    frame.index.name = "month"
    return frame.reset_index()[["month", "estimate", "ci_low", "ci_high", "projection"]]


def plot_progress(
    panel: pd.DataFrame,
    *,
    target: float,
    month: str = "month",
    projection: str = "projection",
    ax: Axes | None = None,
) -> Axes:
    """Monthly estimates with intervals against the target, and the projection.

    Parameters
    ----------
    panel : DataFrame
        One row per month: ``month`` (Period, Timestamp or ``"2013-05"``),
        ``estimate``, ``ci_low``, ``ci_high``; optional ``projection`` (a
        projected rate, drawn dashed, for the months where it is given).
        :func:`progress_panel` builds it from estimates.
    target : float
        Target rate, drawn as a horizontal line.
    month, projection : str
        Column names.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.lines[0]`` the estimates (one point per month with an estimate;
        their bars in ``ax.containers[0]``), then the projection (when
        present) and, last, the target line.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"month": ["2013-05", "2013-06", "2013-07"],
    ...                       "estimate": [0.70, 0.73, None], "ci_low": [0.65, 0.69, None],
    ...                       "ci_high": [0.75, 0.77, None], "projection": [None, 0.73, 0.76]})
    >>> ax = plot_progress(panel, target=0.75)
    >>> len(ax.lines[0].get_xdata()), ax.lines[-1].get_label()
    (2, 'target 75.0%')
    """
    target = _check_rate("target", target)
    require_columns(panel, [month, "estimate", "ci_low", "ci_high"], name="panel")
    months = pd.PeriodIndex([pd.Period(m, freq="M") for m in panel[month]])
    x = months.to_timestamp()
    est = pd.to_numeric(panel["estimate"], errors="coerce").to_numpy(float)
    low = pd.to_numeric(panel["ci_low"], errors="coerce").to_numpy(float)
    high = pd.to_numeric(panel["ci_high"], errors="coerce").to_numpy(float)
    order = np.argsort(x.to_numpy())
    x, est, low, high = x[order], est[order], low[order], high[order]
    have = np.isfinite(est)

    ax = _axes(ax, (7.0, 4.2))
    ax.errorbar(
        x[have],
        est[have],
        yerr=np.vstack([est[have] - low[have], high[have] - est[have]]),
        fmt="-o",
        color="C0",
        capsize=3,
        label="estimate and interval",
    )
    if projection in panel.columns:
        proj = pd.to_numeric(panel[projection], errors="coerce").to_numpy(float)[order]
        keep = np.isfinite(proj)
        if keep.any():
            ax.plot(x[keep], proj[keep], linestyle="--", marker=".", color="C1", label="projection")
    ax.axhline(target, color="C3", linestyle="-", linewidth=1, label=f"target {target:.1%}")
    _percent_axis(ax.yaxis)
    _month_axis(ax, x)
    ax.set_xlabel("month")
    ax.set_ylabel("rate")
    ax.legend(loc="lower right", fontsize="small")
    ax.figure.autofmt_xdate()
    return ax


def _month_axis(ax: Any, x: pd.DatetimeIndex) -> None:
    """Ticks on whole months labelled ``YYYY-MM`` (a short series would get day ticks)."""
    import matplotlib.dates as mdates

    span = (x.max().year - x.min().year) * 12 + x.max().month - x.min().month + 1 if len(x) else 1
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=max(1, -(-span // 12))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
