"""Month by month: a panel of estimates, its trend and a year-end projection.

:func:`monthly_panel` stacks monthly estimates (a
:class:`~beian_audit.estimation.ProportionEstimate` or a
:class:`~beian_audit.estimation.filing_rate.FilingRate` per ``YYYY-MM``) into
a tidy :class:`MonthlyPanel`: one row per month and series (the overall rate,
and each provider / province when the estimates have domains), with the
intervals. :meth:`MonthlyPanel.trend` fits a straight line per series by
weighted least squares with inverse-variance weights (statsmodels ``WLS``);
:meth:`MonthlyPanel.projection` extends it to a month (default December 2013)
with a prediction interval and says whether the target is on track.

Examples
--------
>>> import pandas as pd
>>> from beian_audit.estimation import estimate_proportion
>>> months = {f"2013-{m:02d}": pd.DataFrame({"ok": [1] * (990 + m) + [0] * (10 - m)})
...           for m in range(1, 7)}
>>> panel = monthly_panel({k: estimate_proportion(v, "ok") for k, v in months.items()})
>>> panel.to_frame()[["month", "estimate", "n"]]
     month  estimate     n
0  2013-01     0.991  1000
1  2013-02     0.992  1000
2  2013-03     0.993  1000
3  2013-04     0.994  1000
4  2013-05     0.995  1000
5  2013-06     0.996  1000
>>> round(panel.trend().slope, 6)
0.001
>>> panel.projection(0.995).verdict
'on_track'
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import DegenerateIntervalWarning, EstimationError
from beian_audit.estimation.intervals import check_level
from beian_audit.estimation.stratified import ProportionEstimate

__all__ = [
    "VERDICTS",
    "MonthlyPanel",
    "PanelProjection",
    "PanelTrend",
    "monthly_panel",
]

#: The possible values of :attr:`PanelProjection.verdict`.
VERDICTS: tuple[str, ...] = ("on_track", "off_track", "uncertain")

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_MIN_MONTHS = 3
_SERIES_COLUMNS = ("level",)


def _month(value: object, name: str) -> pd.Period:
    if not isinstance(value, str) or not _MONTH.fullmatch(value):
        raise EstimationError(f"{name} ({value!r}) must be a month written 'YYYY-MM'")
    return pd.Period(value, freq="M")


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class PanelTrend(ResultMixin):
    """Linear trend of each series of a :class:`MonthlyPanel`.

    Attributes
    ----------
    slope : float
        Change of the overall rate per month.
    slope_low, slope_high : float
        Its two-sided confidence interval at ``confidence_level``.
    confidence_level : float
        Level of the slope intervals.
    table : pandas.DataFrame
        One row per series (domains then the total): ``level``, the ``by``
        columns, ``n_months``, ``first_month``, ``last_month``, ``intercept``
        (fitted value at ``first_month`` of the panel), ``slope``, ``se``,
        ``ci_low``, ``ci_high``, ``df`` (months − 2), ``p_value`` (two-sided,
        slope = 0), ``scale`` (residual variance factor), ``weights``
        (``"inverse-variance"`` or ``"equal"``), ``note``.
    by_columns : tuple of str
        Domain columns of the panel.
    """

    slope: float
    slope_low: float
    slope_high: float
    confidence_level: float
    table: pd.DataFrame
    by_columns: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per series (a copy of :attr:`table`)."""
        return self.table.copy()

    def _summary(self) -> str:
        return (
            f"slope={self.slope:.6g} per month, ci=[{self.slope_low:.6g}, {self.slope_high:.6g}], "
            f"confidence_level={self.confidence_level:g}, series={len(self.table)}"
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class PanelProjection(ResultMixin):
    """Projection of each series of a :class:`MonthlyPanel` to a month, against a target.

    Attributes
    ----------
    month : str
        The month projected to (``YYYY-MM``).
    target : float
        The target rate.
    confidence_level : float
        Level of the intervals and of the verdict.
    projected : float
        Overall projected value (the fitted line at ``month``, clipped to [0, 1]).
    pred_low, pred_high : float
        Two-sided prediction interval for the estimate of that month.
    probability : float
        Predictive probability that the estimate of ``month`` reaches the target.
    verdict : {"on_track", "off_track", "uncertain"}
        ``"on_track"`` when ``probability >= confidence_level`` (the one-sided
        lower prediction bound reaches the target), ``"off_track"`` when
        ``probability <= 1 - confidence_level``, else ``"uncertain"``.
    table : pandas.DataFrame
        One row per series: ``level``, the ``by`` columns, ``month``,
        ``projected``, ``mean_low`` / ``mean_high`` (confidence interval of the
        line), ``pred_low`` / ``pred_high``, ``lower_bound`` (one-sided lower
        prediction bound), ``target``, ``probability``, ``verdict``,
        ``n_months``, ``note``.
    by_columns : tuple of str
        Domain columns of the panel.
    """

    month: str
    target: float
    confidence_level: float
    projected: float
    pred_low: float
    pred_high: float
    probability: float
    verdict: str
    table: pd.DataFrame
    by_columns: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per series (a copy of :attr:`table`)."""
        return self.table.copy()

    def _summary(self) -> str:
        return (
            f"month={self.month!r}, target={self.target:g}, projected={self.projected:.6g}, "
            f"prediction=[{self.pred_low:.6g}, {self.pred_high:.6g}], "
            f"probability={self.probability:.3g}, verdict={self.verdict!r}"
        )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class MonthlyPanel(ResultMixin):
    """Estimates month by month, overall and per domain.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy panel, one row per month and series, sorted by series then month:
        ``month`` (``YYYY-MM``), ``t`` (months since the first month),
        ``level`` (``"domain"`` / ``"total"``), the ``by`` columns,
        ``estimate``, ``se``, ``ci_low``, ``ci_high`` (two-sided, at each
        estimate's level), ``n``, ``census``, ``method``,
        ``confidence_level``, ``se_trend`` (standard error used for the trend
        weights, see :meth:`trend`), ``note``.
    by_columns : tuple of str
        Domain columns (empty: overall only).
    months : tuple of str
        The months, in order.
    """

    table: pd.DataFrame
    by_columns: tuple[str, ...]
    months: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """The tidy panel (a copy of :attr:`table`)."""
        return self.table.copy()

    def _summary(self) -> str:
        series = len(self.table.groupby(["level", *self.by_columns], dropna=False))
        return (
            f"months={len(self.months)} ({self.months[0]} to {self.months[-1]}), "
            f"series={series}, by={list(self.by_columns)}"
        )

    # ---------------------------------------------------------------- series
    def _series(self) -> list[tuple[dict[str, Any], pd.DataFrame]]:
        keys = ["level", *self.by_columns]
        out = []
        for key, rows in self.table.groupby(keys, dropna=False, sort=False):
            values = key if isinstance(key, tuple) else (key,)
            out.append((dict(zip(keys, values, strict=True)), rows))
        # domains first, then the total (as in the estimates' tables)
        out.sort(key=lambda item: item[0]["level"] == "total")
        return out

    def _fit(self, rows: pd.DataFrame) -> tuple[Any, np.ndarray, str, str]:
        """statsmodels fit of one series (or None), its weights, weights kind and note."""
        import statsmodels.api as sm

        rows = rows[np.isfinite(rows["estimate"].to_numpy(float))]
        if len(rows) < _MIN_MONTHS:
            return None, np.array([]), "", f"fewer than {_MIN_MONTHS} months with an estimate"
        t = rows["t"].to_numpy(float)
        y = rows["estimate"].to_numpy(float)
        se = rows["se_trend"].to_numpy(float)
        if (se > 0).all() and np.isfinite(se).all():
            w, kind, note = 1.0 / se**2, "inverse-variance", ""
        else:
            w, kind = np.ones(len(y)), "equal"
            note = "census or zero-width month(s): equal weights (ordinary least squares)"
        if np.ptp(t) == 0:  # pragma: no cover - months are distinct
            return None, w, kind, "a single month"
        res = sm.WLS(y, sm.add_constant(t, has_constant="add"), weights=w).fit()
        return res, w, kind, note

    def trend(self, *, confidence_level: float = 0.95) -> PanelTrend:
        """Weighted least-squares line through each series, slope per month with interval.

        Parameters
        ----------
        confidence_level : float, default 0.95
            Level of the two-sided slope intervals.

        Returns
        -------
        PanelTrend

        Notes
        -----
        For a series with monthly estimates :math:`y_t` (:math:`t` = months
        since the panel's first month) and standard errors :math:`s_t`, the
        model :math:`y_t = a + b\\,t + e_t`, :math:`\\mathrm{Var}(e_t) =
        \\sigma^2 s_t^2` is fitted by weighted least squares with weights
        :math:`w_t = 1/s_t^2` (statsmodels ``WLS``):

        .. math::

            \\hat b = \\frac{\\sum_t w_t (t - \\bar t_w)(y_t - \\bar y_w)}
                           {\\sum_t w_t (t - \\bar t_w)^2}, \\qquad
            \\widehat{\\mathrm{se}}(\\hat b)^2 =
                \\frac{\\hat\\sigma^2}{\\sum_t w_t (t - \\bar t_w)^2},

        with :math:`\\hat\\sigma^2 = \\sum_t w_t \\hat e_t^2 / (T - 2)`
        (``scale``) and a Student-t interval on :math:`T - 2` degrees of
        freedom. Estimating :math:`\\sigma^2` lets the months scatter more (or
        less) than their sampling errors say, e.g. when the true rate moves
        around the line. :math:`s_t` is the estimate's standard error; when it
        is 0 for a sample estimate (every checked site filed), the half-width
        of its two-sided interval divided by the normal quantile is used
        instead (``se_trend``). A series with a census month (exact, zero
        width) is fitted with equal weights. Series with fewer than three
        months get no line (``note``).

        Examples
        --------
        >>> import pandas as pd
        >>> from beian_audit.estimation import estimate_proportion
        >>> est = {f"2013-0{m}": estimate_proportion(
        ...            pd.DataFrame({"ok": [1] * (80 + 2 * m) + [0] * (20 - 2 * m)}), "ok")
        ...        for m in range(1, 6)}
        >>> round(monthly_panel(est).trend().slope, 4)
        0.02
        """
        from scipy import stats

        level = check_level(confidence_level)
        rows_out = []
        for key, rows in self._series():
            res, _, kind, note = self._fit(rows)
            row: dict[str, Any] = {**key, "n_months": int(np.isfinite(rows["estimate"]).sum()),
                                   "first_month": rows["month"].iloc[0],
                                   "last_month": rows["month"].iloc[-1]}  # fmt: skip
            if res is None:
                row.update(intercept=math.nan, slope=math.nan, se=math.nan, ci_low=math.nan,
                           ci_high=math.nan, df=math.nan, p_value=math.nan, scale=math.nan,
                           weights=kind, note=note)  # fmt: skip
            else:
                b, se_b, df = float(res.params[1]), float(res.bse[1]), float(res.df_resid)
                q = float(stats.t.ppf(0.5 + level / 2.0, df))
                with np.errstate(all="ignore"):
                    p = float(2.0 * stats.t.sf(abs(b / se_b), df)) if se_b > 0 else (
                        0.0 if b != 0 else 1.0
                    )
                row.update(intercept=float(res.params[0]), slope=b, se=se_b,
                           ci_low=b - q * se_b, ci_high=b + q * se_b, df=df, p_value=p,
                           scale=float(res.scale), weights=kind, note=note)  # fmt: skip
            rows_out.append(row)
        table = pd.DataFrame(rows_out)
        total = table.iloc[-1]
        return PanelTrend(
            slope=float(total["slope"]),
            slope_low=float(total["ci_low"]),
            slope_high=float(total["ci_high"]),
            confidence_level=level,
            table=table,
            by_columns=self.by_columns,
        )

    def projection(
        self, target: float, *, month: str = "2013-12", confidence_level: float = 0.95
    ) -> PanelProjection:
        """Project each series' trend to ``month`` and judge it against ``target``.

        Parameters
        ----------
        target : float
            The target rate, strictly between 0 and 1 (0.995, 0.75 …).
        month : str, default "2013-12"
            The month to project to (``YYYY-MM``), usually the year end.
        confidence_level : float, default 0.95
            Level of the intervals and of the verdict (see Notes).

        Returns
        -------
        PanelProjection

        Notes
        -----
        With the fit of :meth:`trend`, :math:`t^*` the month projected to and
        :math:`x^* = (1, t^*)`, the projected value is :math:`\\hat y^* =
        \\hat a + \\hat b t^*`. Its prediction standard error, for the estimate
        a survey of the same precision as the series' last month would give
        (weight :math:`w^*` = the last month's weight), is

        .. math::

            s_{pred} = \\sqrt{x^{*\\top} \\widehat{\\mathrm{Cov}}(\\hat a, \\hat b)\\, x^*
                              + \\hat\\sigma^2 / w^*}

        (statsmodels ``get_prediction``). The predictive probability of
        reaching the target is :math:`P = 1 - F_{T-2}((\\text{target} - \\hat y^*)
        / s_{pred})` with :math:`F_{T-2}` the Student-t distribution function.
        **Rule**: ``"on_track"`` when :math:`P \\ge L` (= ``confidence_level``;
        equivalently the one-sided lower prediction bound at level :math:`L`
        reaches the target), ``"off_track"`` when :math:`P \\le 1 - L`,
        ``"uncertain"`` otherwise. With :math:`s_{pred} = 0` (a perfectly
        straight series) :math:`P` is 1 or 0. Reported values and intervals are
        clipped to [0, 1]; :math:`P` is not affected. The projection assumes the
        trend stays linear; it is a planning figure, not a guarantee.

        Examples
        --------
        >>> import pandas as pd
        >>> from beian_audit.estimation import estimate_proportion
        >>> est = {f"2013-0{m}": estimate_proportion(
        ...            pd.DataFrame({"ok": [1] * (80 + 2 * m) + [0] * (20 - 2 * m)}), "ok")
        ...        for m in range(1, 6)}
        >>> proj = monthly_panel(est).projection(0.75, month="2013-12")
        >>> round(proj.projected, 3), proj.verdict
        (1.0, 'on_track')
        """
        from scipy import stats

        if isinstance(target, bool) or not isinstance(target, int | float | np.integer |
                                                      np.floating):
            raise EstimationError(f"target ({target!r}) must be a number strictly between 0 and 1")
        target = float(target)
        if not 0.0 < target < 1.0:
            raise EstimationError(f"target ({target!r}) must be a number strictly between 0 and 1")
        level = check_level(confidence_level)
        t_star = float((_month(month, "month") - pd.Period(self.months[0], freq="M")).n)
        alpha = 1.0 - level
        rows_out = []
        for key, rows in self._series():
            res, w, _, note = self._fit(rows)
            row: dict[str, Any] = {**key, "month": month, "target": target,
                                   "n_months": int(np.isfinite(rows["estimate"]).sum())}
            if res is None:
                row.update(projected=math.nan, mean_low=math.nan, mean_high=math.nan,
                           pred_low=math.nan, pred_high=math.nan, lower_bound=math.nan,
                           probability=math.nan, verdict="uncertain", note=note)  # fmt: skip
                rows_out.append(row)
                continue
            pred = res.get_prediction(np.array([[1.0, t_star]]), weights=np.array([w[-1]]))
            frame = pred.summary_frame(alpha=alpha)
            mean = float(frame["mean"].iloc[0])
            se_mean = float(frame["mean_se"].iloc[0])
            se_pred = math.sqrt(se_mean**2 + float(res.scale) / float(w[-1]))
            df = float(res.df_resid)
            if se_pred > 0:
                prob = float(stats.t.sf((target - mean) / se_pred, df))
                q1 = float(stats.t.ppf(level, df))
                lower = mean - q1 * se_pred
            else:
                prob = 1.0 if mean >= target else 0.0
                lower = mean
            verdict = "on_track" if prob >= level else (
                "off_track" if prob <= 1.0 - level else "uncertain"
            )  # fmt: skip
            clip = lambda v: float(min(max(v, 0.0), 1.0))  # noqa: E731
            row.update(
                projected=clip(mean),
                mean_low=clip(float(frame["mean_ci_lower"].iloc[0])),
                mean_high=clip(float(frame["mean_ci_upper"].iloc[0])),
                pred_low=clip(float(frame["obs_ci_lower"].iloc[0])),
                pred_high=clip(float(frame["obs_ci_upper"].iloc[0])),
                lower_bound=clip(lower),
                probability=prob,
                verdict=verdict,
                note=note,
            )
            rows_out.append(row)
        table = pd.DataFrame(rows_out)
        order = ["level", *self.by_columns, "month", "projected", "mean_low", "mean_high",
                 "pred_low", "pred_high", "lower_bound", "target", "probability", "verdict",
                 "n_months", "note"]  # fmt: skip
        table = table[order]
        total = table.iloc[-1]
        return PanelProjection(
            month=month,
            target=target,
            confidence_level=level,
            projected=float(total["projected"]),
            pred_low=float(total["pred_low"]),
            pred_high=float(total["pred_high"]),
            probability=float(total["probability"]),
            verdict=str(total["verdict"]),
            table=table,
            by_columns=self.by_columns,
        )


# --------------------------------------------------------------------------- entry point
def _as_estimate(value: object, month: str) -> ProportionEstimate:
    est = getattr(value, "estimate_result", value)
    if not isinstance(est, ProportionEstimate):
        raise EstimationError(
            f"estimates[{month!r}] must be a ProportionEstimate or a FilingRate, "
            f"not {type(value).__name__}"
        )
    return est


def monthly_panel(
    estimates: Mapping[str, Any],
    *,
    by: str | Sequence[str] | None = None,
) -> MonthlyPanel:
    """Stack monthly estimates into a tidy panel, overall and per domain.

    Parameters
    ----------
    estimates : mapping of str to ProportionEstimate or FilingRate
        One estimate per month, keyed ``"YYYY-MM"`` (any order; gaps allowed).
        A ``FilingRate`` contributes its ``estimate_result``.
    by : str, list of str or None
        Domain columns to keep. ``None`` (default): the estimates' own domain
        columns, which must then be the same every month. A column list must
        equal each estimate's ``by`` columns; ``[]`` keeps the overall rate
        only.

    Returns
    -------
    MonthlyPanel

    Raises
    ------
    EstimationError
        For a month not written ``YYYY-MM``, an estimate of another type, or
        domain columns that differ between months or from ``by``.

    Notes
    -----
    Intervals are two-sided at each estimate's own level (an estimate made
    with a one-sided ``alternative`` is recomputed two-sided from its kept
    statistics). A domain missing in some month is simply absent from that
    month.

    Examples
    --------
    >>> import pandas as pd
    >>> from beian_audit.estimation import estimate_proportion
    >>> frame = pd.DataFrame({"provider_id": ["A"] * 4 + ["B"] * 2, "ok": [1, 1, 1, 0, 1, 0]})
    >>> est = estimate_proportion(frame, "ok", by="provider_id")
    >>> monthly_panel({"2013-02": est, "2013-01": est}).to_frame()[
    ...     ["month", "level", "provider_id", "estimate"]]
         month   level provider_id  estimate
    0  2013-01  domain           A  0.750000
    1  2013-02  domain           A  0.750000
    2  2013-01  domain           B  0.500000
    3  2013-02  domain           B  0.500000
    4  2013-01   total         NaN  0.666667
    5  2013-02   total         NaN  0.666667
    """
    from scipy.special import ndtri

    if not isinstance(estimates, Mapping) or not estimates:
        raise EstimationError("estimates must be a non-empty mapping 'YYYY-MM' -> estimate")
    periods = {month: _month(month, "month key") for month in estimates}
    months = sorted(periods, key=lambda m: periods[m])
    first = periods[months[0]]
    ests = {m: _as_estimate(estimates[m], m) for m in months}
    if by is None:
        cols = {e.by_columns for e in ests.values()}
        if len(cols) > 1:
            raise EstimationError(
                f"the estimates have different domain columns {sorted(cols)}; pass by= "
                f"(e.g. by=[] for the overall rate only)"
            )
        by_columns = next(iter(cols))
    else:
        by_columns = (by,) if isinstance(by, str) else tuple(by)
        for m, e in ests.items():
            if by_columns and e.by_columns != by_columns:
                raise EstimationError(
                    f"estimates[{m!r}] has domain columns {list(e.by_columns)}, not "
                    f"{list(by_columns)}; estimate it with by={list(by_columns)!r}"
                )

    parts = []
    for m in months:
        est = ests[m]
        if est.alternative != "two-sided":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DegenerateIntervalWarning)
                est = est.with_interval(alternative="two-sided")
        t = est.table
        if not by_columns:
            t = t[t["level"] == "total"]
        part = t[["level", *by_columns, "estimate", "se", "ci_low", "ci_high", "n", "census",
                  "note"]].copy()  # fmt: skip
        part.insert(0, "t", int((periods[m] - first).n))
        part.insert(0, "month", m)
        part["method"] = est.method
        part["confidence_level"] = est.confidence_level
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    z = ndtri(0.5 + table["confidence_level"].to_numpy(float) / 2.0)
    se = table["se"].to_numpy(float)
    half = (table["ci_high"].to_numpy(float) - table["ci_low"].to_numpy(float)) / 2.0
    census = table["census"].to_numpy(bool)
    with np.errstate(all="ignore"):
        table["se_trend"] = np.where(census, 0.0, np.where(se > 0, se, half / z))
    table["_total"] = table["level"] == "total"
    table = table.sort_values(["_total", *by_columns, "t"], kind="stable", na_position="last")
    table = table.drop(columns="_total").reset_index(drop=True)
    order = ["month", "t", "level", *by_columns, "estimate", "se", "ci_low", "ci_high", "n",
             "census", "method", "confidence_level", "se_trend", "note"]  # fmt: skip
    return MonthlyPanel(table=table[order], by_columns=by_columns, months=tuple(months))
