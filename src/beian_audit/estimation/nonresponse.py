"""Nonresponse in spot-check outcomes: "unreachable is not wrong".

A verification call does not always end in a verdict. The outcome column of a
spot check may hold, besides 0/1 (or True/False, or missing), the statuses of
:data:`OUTCOME_STATUSES`:

* ``"correct"`` (1) and ``"incorrect"`` (0): a verdict (a *respondent*);
* ``"unreachable"`` and ``"refused"``: the sponsor could not be reached or
  would not answer (a *nonrespondent*, :data:`NONRESPONSE_STATUSES`);
* ``"pending"``: not verified yet; it is *not* nonresponse. Verification runs
  in PRN order within each stratum, so the verified filings of a stratum are
  a simple random sample of it: its pending rows are left out and its
  resolved rows (verdicts and nonrespondents) carry their weight, in every
  scenario. Counted in ``n_pending``. (Leaving them out as missing outcomes,
  R's ``na.rm``, would shrink each stratum's share of the population by its
  verified fraction, a bias whenever verification is further along in some
  strata than in others.) A stratum with no resolved row yet cannot carry
  itself: its weight goes to the resolved rows of every stratum, with an
  :class:`~beian_audit.errors.IncompleteSampleWarning`.

Chinese synonyms (正确, 错误, 无法联系, 拒绝, 待核 and a few more, see
:data:`STATUS_WORDS`) are read too, after NFKC normalisation and case folding.

:func:`~beian_audit.estimation.estimate_proportion` reads them with
``nonresponse=``:

``"mar"`` (default)
    Weighting-class adjustment within strata: each stratum's respondents
    carry the weight of its nonrespondents, which assumes that outcomes are
    *missing at random within the stratum* (the unreachable sites of a
    provider are like its reached ones).
``"worst"``
    Every nonrespondent counted as incorrect: **the ministry's strict
    reading**. Never applied unless asked for by name.
``"best"``
    Every nonrespondent counted as correct.
``"bounds"``
    The MAR point estimate with the interval ``[worst-case lower limit,
    best-case upper limit]``: it covers the rate whatever the nonrespondents
    are (Manski bounds with their sampling error).

Every estimate made from such a column keeps all three scenarios
(:attr:`ProportionEstimate.scenarios`), the response rate per stratum
(:attr:`ProportionEstimate.response`) and per domain (table columns
``n_respondents``, ``response_rate``), and the rule it applied
(:attr:`ProportionEstimate.nonresponse`). :func:`~beian_audit.estimation.assess_target`
then says whether its verdict holds whatever the nonrespondents are
(``nonresponse_robustness``). Formulas and references: ``docs/nonresponse.md``.

Examples
--------
>>> import pandas as pd
>>> from beian_audit.estimation import estimate_proportion
>>> frame = pd.DataFrame({
...     "stratum": ["a"] * 5 + ["b"] * 5,
...     "population_size": [50] * 5 + [500] * 5,
...     "ok": ["correct", "correct", "incorrect", "unreachable", "correct",
...            "正确", "correct", "refused", "correct", "pending"],
... })
>>> est = estimate_proportion(frame, "ok")
>>> est.nonresponse, round(est.estimate, 4), round(est.response_rate, 4)
('mar', 0.9773, 0.7778)
>>> est.response[["stratum", "n_respondents", "n_nonrespondents", "n_pending", "response_rate"]]
  stratum  n_respondents  n_nonrespondents  n_pending  response_rate
0       a              4                 1          0           0.80
1       b              3                 1          1           0.75
>>> worst = estimate_proportion(frame, "ok", nonresponse="worst")  # the strict reading
>>> round(worst.estimate, 4)
0.7364
"""

from __future__ import annotations

import dataclasses
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args

import numpy as np
import pandas as pd

from beian_audit._text import list_positions
from beian_audit.errors import EstimationError, IncompleteSampleWarning, NonresponseWarning

if TYPE_CHECKING:  # pragma: no cover
    from beian_audit.estimation.stratified import ProportionEstimate
    from beian_audit.estimation.targets import TargetAssessment

__all__ = [
    "NONRESPONSE_RULES",
    "NONRESPONSE_STATUSES",
    "OUTCOME_STATUSES",
    "ROBUSTNESS",
    "STATUS_WORDS",
    "NonresponseRule",
    "OutcomeStatus",
    "blank_as_pending",
    "outcome_status_codes",
]

OutcomeStatus = Literal["correct", "incorrect", "unreachable", "refused", "pending"]
#: The statuses an outcome cell may hold (besides 0/1, True/False and missing).
OUTCOME_STATUSES: tuple[str, ...] = get_args(OutcomeStatus)
#: The statuses that are nonresponse (no verdict could be obtained).
NONRESPONSE_STATUSES: tuple[str, ...] = ("unreachable", "refused")
NonresponseRule = Literal["mar", "worst", "best", "bounds"]
#: Values of ``nonresponse=`` (see the module docstring).
NONRESPONSE_RULES: tuple[str, ...] = get_args(NonresponseRule)
#: Values of :attr:`TargetAssessment.nonresponse_robustness` (``""``: no nonresponse).
ROBUSTNESS: tuple[str, ...] = ("robust", "mar_only", "flips", "")

#: Words read as each status (after NFKC normalisation, stripping and case folding).
STATUS_WORDS: Mapping[str, tuple[str, ...]] = {
    "correct": ("correct", "正确", "准确", "属实"),
    "incorrect": ("incorrect", "错误", "不正确", "不准确", "不属实"),
    "unreachable": ("unreachable", "无法联系", "联系不上", "无法接通", "未接通"),
    "refused": ("refused", "拒绝", "拒访", "拒绝核实"),
    "pending": ("pending", "待核", "待核实", "未核实"),
}

T = TypeVar("T")
U = TypeVar("U")

# integer codes of the statuses (missing: -1)
CORRECT, INCORRECT, UNREACHABLE, REFUSED, PENDING, MISSING = 1, 0, 2, 3, 4, -1
_CODE = {"correct": CORRECT, "incorrect": INCORRECT, "unreachable": UNREACHABLE,
         "refused": REFUSED, "pending": PENDING}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


_WORD_CODE = {_fold(word): _CODE[status] for status, words in STATUS_WORDS.items()
              for word in words}


def outcome_status_codes(series: pd.Series, name: str) -> np.ndarray | None:
    """Status codes of an outcome column that uses the status words, else ``None``.

    ``None`` (the column is read as 0/1 as before) unless the column holds at
    least one string. Codes: 1 correct, 0 incorrect, 2 unreachable,
    3 refused, 4 pending, -1 missing; 0/1 and True/False cells keep their
    meaning.

    Raises
    ------
    EstimationError
        For a value that is neither 0/1, True/False, missing nor a status word,
        naming the rows (0-based positions) and the accepted words.

    Examples
    --------
    >>> outcome_status_codes(pd.Series(["correct", "无法联系", None, 1, "Pending"]), "ok")
    array([ 1,  2, -1,  1,  4], dtype=int8)
    >>> outcome_status_codes(pd.Series([1, 0, 1]), "ok") is None
    True
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return None
    raw = series.to_numpy(dtype=object)
    is_str = np.fromiter((isinstance(v, str) for v in raw), dtype=bool, count=raw.size)
    if not is_str.any():
        return None
    na = series.isna().to_numpy()
    codes = np.full(raw.size, MISSING, dtype=np.int8)
    bad = np.zeros(raw.size, dtype=bool)
    for i in np.flatnonzero(~na):
        v = raw[i]
        if isinstance(v, str):
            code = _WORD_CODE.get(_fold(v))
            if code is None:
                bad[i] = True
            else:
                codes[i] = code
        elif isinstance(v, bool | np.bool_ | int | np.integer | float | np.floating) and (
            v in (0, 1)
        ):
            codes[i] = int(v)
        else:
            bad[i] = True
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(series[bad])[:5])
        words = "; ".join(f"{s}: {', '.join(w)}" for s, w in STATUS_WORDS.items())
        raise EstimationError(
            f"outcome column ({name!r}) must hold 0/1, True/False or a status word; "
            f"{int(bad.sum())} row(s) do not, at positions {list_positions(bad)} (values such "
            f"as {examples}); accepted words are {words}"
        )
    return codes


def blank_as_pending(column: pd.Series) -> pd.Series:
    """A partly filled outcome column as status words, its blanks ``"pending"``.

    A drawn filing without an outcome is not verified yet. Verification runs
    in PRN order within each stratum, so the verified filings of a stratum are
    a simple random sample of it and carry its weight; read as a missing value
    (R's ``na.rm``) each stratum would shrink by its verified fraction. A
    column with no blank, or none filled, or values other than 0/1 and
    True/False, is returned unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> blank_as_pending(pd.Series([1, 0, None, True])).tolist()
    ['correct', 'incorrect', 'pending', 'correct']
    """
    blank = column.isna().to_numpy()
    if not blank.any() or blank.all():
        return column
    try:
        value = pd.to_numeric(column[~blank].astype(object)).to_numpy(dtype=float)
    except (TypeError, ValueError):
        return column  # not 0/1: estimate_proportion names the bad cells
    if not np.isin(value, (0.0, 1.0)).all():
        return column
    words = np.full(len(column), "pending", dtype=object)
    words[~blank] = np.where(value == 1.0, "correct", "incorrect")
    return pd.Series(words, index=column.index, name=column.name)


# --------------------------------------------------------------------------- estimation
def estimate_with_nonresponse(
    frame: pd.DataFrame,
    outcome: str,
    codes: np.ndarray,
    *,
    rule: str,
    missing: str,
    options: dict[str, Any],
    estimate: Callable[..., ProportionEstimate],
    design_of: Callable[[pd.DataFrame, dict[str, Any]], Any],
) -> ProportionEstimate:
    """The estimate of ``estimate_proportion`` for a column with status words.

    ``estimate`` is :func:`~beian_audit.estimation.estimate_proportion` and
    ``design_of`` its design builder, passed in by the caller so that this
    module does not import the estimator back (no import cycle).

    ``options`` are the other keyword arguments of ``estimate_proportion``
    (design columns, ``by``, interval options), passed to the three scenario
    estimates unchanged except the outcome (and, for MAR, the weight).
    """
    blank = codes == MISSING
    if blank.any() and missing == "raise":
        raise EstimationError(
            f"outcome column ({outcome!r}) is missing in {int(blank.sum())} row(s), at "
            f"positions {list_positions(blank)}; fill them in (a status such as 'pending' is "
            f"accepted) or pass missing='drop' to leave them out (they are then counted "
            f"in n_missing)"
        )
    design = design_of(frame, options)
    respondent = (codes == CORRECT) | (codes == INCORRECT)
    nonrespondent = (codes == UNREACHABLE) | (codes == REFUSED)
    if not respondent.any() and not nonrespondent.any():
        raise EstimationError(
            f"outcome column ({outcome!r}) has no outcome yet (every row is pending or "
            f"missing)"
        )
    if not respondent.any() and rule in ("mar", "bounds"):
        raise EstimationError(
            f"outcome column ({outcome!r}) has no respondent (no correct or incorrect "
            f"outcome): nonresponse={rule!r} needs some; nonresponse='worst' or 'best' "
            f"give the extreme cases"
        )

    y = np.where(codes == CORRECT, 1.0, np.where(codes == INCORRECT, 0.0, np.nan))
    inner_missing = "drop"  # (missing='drop') blank rows: R's na.rm
    response = _response_table(design, codes, respondent, nonrespondent)
    pending = codes == PENDING
    carry = _pending_factor(design, respondent | nonrespondent, pending)
    weight_column = "__beian_audit_pending_weight__"

    def run(data: pd.DataFrame, quiet: bool, **extra: Any) -> ProportionEstimate:
        kwargs = {**options, **extra, "missing": inner_missing}
        if quiet:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return estimate(data, outcome, **kwargs)
        return estimate(data, outcome, **kwargs)

    main_key = "mar" if rule == "bounds" else rule
    scenarios: dict[str, ProportionEstimate] = {}
    if nonrespondent.any():
        for key, fill in (("worst", 0.0), ("best", 1.0)):
            data = frame.assign(**{outcome: np.where(nonrespondent, fill, y)})
            if carry is None:
                scenarios[key] = run(data, quiet=key != main_key)
            else:  # resolved rows carry the pending ones of their stratum
                data = data.assign(**{weight_column: design.w * carry[design.stratum]})
                scenarios[key] = run(data[~pending], quiet=key != main_key,
                                     weight=weight_column)
    if respondent.any():
        scenarios["mar"] = _mar(frame, outcome, y, design, respondent, nonrespondent | pending,
                                response, run, quiet=main_key != "mar" and bool(scenarios))
    if not nonrespondent.any():  # nothing to adjust: one estimate, three equal scenarios
        scenarios["worst"] = scenarios["best"] = scenarios["mar"]
    reference = scenarios["worst"]
    if "mar" in scenarios:
        scenarios["mar"] = _align(scenarios["mar"], reference)
    return combine(scenarios, rule, response, codes, frame)


def _response_table(
    design: Any, codes: np.ndarray, respondent: np.ndarray, nonrespondent: np.ndarray
) -> pd.DataFrame:
    """One row per stratum: counts by status, response rates, MAR adjustment factor."""
    H = design.n_h.size
    h = design.stratum

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(h[mask], minlength=H)

    resolved = respondent | nonrespondent
    w_resp = np.bincount(h[respondent], weights=design.w[respondent], minlength=H)
    w_res = np.bincount(h[resolved], weights=design.w[resolved], minlength=H)
    n_resp, n_res = count(respondent), count(resolved)
    with np.errstate(all="ignore"):
        rate = np.where(n_res > 0, n_resp / n_res, np.nan)
        w_rate = np.where(w_res > 0, w_resp / w_res, np.nan)
        factor = np.where(w_resp > 0, w_res / w_resp, np.nan)
    return pd.DataFrame({
        "stratum": design.stratum_labels,
        "n_sampled": np.bincount(h, minlength=H),
        "n_correct": count(codes == CORRECT),
        "n_incorrect": count(codes == INCORRECT),
        "n_unreachable": count(codes == UNREACHABLE),
        "n_refused": count(codes == REFUSED),
        "n_pending": count(codes == PENDING),
        "n_missing": count(codes == MISSING),
        "n_respondents": n_resp,
        "n_nonrespondents": count(nonrespondent),
        "response_rate": rate,
        "weighted_response_rate": w_rate,
        "adjustment_factor": factor,
    })


def _mar(
    frame: pd.DataFrame,
    outcome: str,
    y: np.ndarray,
    design: Any,
    respondent: np.ndarray,
    nonrespondent: np.ndarray,
    response: pd.DataFrame,
    run: Any,
    quiet: bool,
) -> ProportionEstimate:
    """Weighting-class (MAR within stratum) estimate: respondents carry the nonrespondents.

    ``nonrespondent`` marks every row the respondents carry: the nonrespondents
    and the pending rows of their stratum.
    """
    H = design.n_h.size
    carried = respondent | nonrespondent
    w_all = np.bincount(design.stratum[carried], weights=design.w[carried], minlength=H)
    w_resp = np.bincount(design.stratum[respondent], weights=design.w[respondent], minlength=H)
    with np.errstate(all="ignore"):
        factor = np.where(w_resp > 0, w_all / w_resp, np.nan)
    n_nonresp = np.bincount(design.stratum[nonrespondent], minlength=H)
    orphan = np.isnan(factor) & (n_nonresp > 0)
    if orphan.any():
        # a stratum with nonrespondents and no respondent: its weight goes to
        # every respondent (one weighting class for these strata: MAR across strata)
        resolved = respondent | nonrespondent
        w_orphan = float(design.w[resolved & orphan[design.stratum]].sum())
        w_adjusted = float((design.w * np.nan_to_num(factor)[design.stratum])[respondent].sum())
        factor = np.where(np.isnan(factor), 0.0, factor) * (1.0 + w_orphan / w_adjusted)
        real = orphan & (response["n_nonrespondents"].to_numpy() > 0)  # not only pending
        labels = ", ".join(map(str, design.stratum_labels[real][:10]))
        if real.any() and not quiet:
            warnings.warn(
                f"{int(real.sum())} stratum/strata have nonrespondents but no respondent "
                f"({labels}); under nonresponse='mar' their weight is spread over the "
                f"respondents of all strata (missing at random across strata for them); "
                f"nonresponse='bounds' does not need that assumption",
                NonresponseWarning,
                stacklevel=4,
            )
    keep = ~nonrespondent
    w_new = design.w * np.where(respondent, np.nan_to_num(factor, nan=1.0)[design.stratum], 1.0)
    column = "__beian_audit_mar_weight__"
    data = frame.assign(**{outcome: y, column: w_new})[keep]
    return run(data, quiet=quiet, weight=column)  # type: ignore[no-any-return]


def _pending_factor(
    design: Any, resolved: np.ndarray, pending: np.ndarray
) -> np.ndarray | None:
    """Per stratum, (weight of resolved + pending rows) / (weight of resolved rows).

    ``None`` when no row is pending. A stratum whose rows are all pending has
    nothing to carry it: its weight is spread over the resolved rows of every
    stratum (an :class:`~beian_audit.errors.IncompleteSampleWarning` names it).
    """
    if not pending.any():
        return None
    H = design.n_h.size
    h = design.stratum
    w_res = np.bincount(h[resolved], weights=design.w[resolved], minlength=H)
    w_pend = np.bincount(h[pending], weights=design.w[pending], minlength=H)
    with np.errstate(all="ignore"):
        factor = np.where(w_res > 0, (w_res + w_pend) / w_res, 0.0)
    orphan = (w_res == 0) & (w_pend > 0)
    if orphan.any():
        spread = 1.0 + float(w_pend[orphan].sum()) / float((w_res * factor).sum())
        factor = factor * spread
        labels = ", ".join(map(str, design.stratum_labels[orphan][:10]))
        warnings.warn(
            f"{int(orphan.sum())} stratum/strata have no verified outcome yet, every "
            f"row pending ({labels}): their weight is carried by the resolved rows of "
            f"all strata, which assumes they are like the others until verified",
            IncompleteSampleWarning,
            stacklevel=5,
        )
    return factor


def _align(est: ProportionEstimate, reference: ProportionEstimate) -> ProportionEstimate:
    """``est`` with its domain rows reindexed on ``reference``'s (absent: empty rows)."""
    if not est.by_columns:
        return est
    keys = reference.table[[*est.by_columns, "level"]]
    mine = est.table
    if len(mine) == len(keys) and mine[[*est.by_columns, "level"]].equals(keys):
        return est
    table = keys.merge(mine, how="left", on=[*est.by_columns, "level"], sort=False)
    absent = table["n"].isna().to_numpy()
    fills: dict[str, Any] = {
        "n": 0, "n_missing": 0, "df": 0, "n_psu": 0, "n_strata": 0, "n_lonely_strata": 0,
        "census": False, "note": "empty",
    }
    for col, value in fills.items():
        if col in table.columns:
            table[col] = table[col].where(~absent, value)
    for col in ("n", "n_missing", "df", "n_psu", "n_strata", "n_lonely_strata"):
        if col in table.columns:
            table[col] = table[col].astype(np.int64)
    table["census"] = table["census"].astype(bool)
    return dataclasses.replace(est, table=table)


def _domain_counts(est: ProportionEstimate, codes: np.ndarray, frame: pd.DataFrame) -> pd.DataFrame:
    """Respondents, nonrespondents and pending per row of ``est.table``."""
    respondent = (codes == CORRECT) | (codes == INCORRECT)
    nonrespondent = (codes == UNREACHABLE) | (codes == REFUSED)
    pending = codes == PENDING
    parts = pd.DataFrame({"r": respondent, "m": nonrespondent, "p": pending})
    total = parts.sum()
    if est.by_columns:
        grouped = parts.groupby([frame[c].to_numpy() for c in est.by_columns],
                                dropna=False, sort=True).sum()
        keys = est.table.loc[est.table["level"] == "domain", list(est.by_columns)]
        index = (pd.MultiIndex.from_frame(keys) if len(est.by_columns) > 1
                 else pd.Index(keys.iloc[:, 0]))
        dom = grouped.reindex(index).fillna(0)
        r = np.r_[dom["r"].to_numpy(), total["r"]]
        m = np.r_[dom["m"].to_numpy(), total["m"]]
        p = np.r_[dom["p"].to_numpy(), total["p"]]
    else:
        r, m, p = (np.array([total[k]]) for k in ("r", "m", "p"))
    with np.errstate(all="ignore"):
        rate = np.where(r + m > 0, r / (r + m), np.nan)
    return pd.DataFrame({
        "n_respondents": r.astype(np.int64),
        "n_nonrespondents": m.astype(np.int64),
        "n_pending": p.astype(np.int64),
        "response_rate": rate,
    })


def combine(
    scenarios: Mapping[str, ProportionEstimate],
    rule: str,
    response: pd.DataFrame | None,
    codes: np.ndarray | None,
    frame: pd.DataFrame | None,
    counts: pd.DataFrame | None = None,
) -> ProportionEstimate:
    """The estimate under ``rule`` carrying every scenario and the response rates.

    ``counts`` (the per-row response counts) is reused by :meth:`with_interval`
    and :meth:`domain`, which have no data.
    """
    main = scenarios["mar" if rule == "bounds" else rule]
    worst, best = scenarios["worst"], scenarios["best"]
    if counts is None:
        assert codes is not None and frame is not None
        counts = _domain_counts(main, codes, frame)
    table = main.table.reset_index(drop=True).copy()
    for col in counts.columns:
        table[col] = counts[col].to_numpy()
    table["estimate_worst"] = worst.table["estimate"].to_numpy()
    table["ci_low_worst"] = worst.table["ci_low"].to_numpy()
    table["estimate_mar"] = (scenarios["mar"].table["estimate"].to_numpy()
                             if "mar" in scenarios else np.nan)
    table["estimate_best"] = best.table["estimate"].to_numpy()
    table["ci_high_best"] = best.table["ci_high"].to_numpy()
    table["nonresponse"] = rule
    ci = main.ci
    if rule == "bounds":
        table["ci_low"] = table["ci_low_worst"]
        table["ci_high"] = table["ci_high_best"]
        ci = dataclasses.replace(
            main.ci, low=worst.ci.low, high=best.ci.high,
            note=(main.ci.note or "") + ("; " if main.ci.note else "")
            + "nonresponse bounds: worst-case lower limit, best-case upper limit",
        )
    r_total = int(table["n_respondents"].to_numpy()[-1])
    m_total = int(table["n_nonrespondents"].to_numpy()[-1])
    return dataclasses.replace(
        main,
        ci=ci,
        table=table,
        nonresponse=rule,
        scenarios=dict(scenarios),
        response=response,
        response_rate=r_total / (r_total + m_total) if r_total + m_total else float("nan"),
        design={**main.design, "nonresponse": _RULE_TEXT[rule],
                "n_pending": int(table["n_pending"].to_numpy()[-1])},
    )


_RULE_TEXT = {
    "mar": "mar: respondents reweighted within strata (missing at random within stratum)",
    "worst": "worst: nonrespondents counted as incorrect (the ministry's strict reading)",
    "best": "best: nonrespondents counted as correct",
    "bounds": "bounds: worst-case lower limit to best-case upper limit (Manski)",
}


def _counts_of(est: ProportionEstimate) -> pd.DataFrame:
    cols = ["n_respondents", "n_nonrespondents", "n_pending", "response_rate"]
    return pd.DataFrame(est.table.loc[:, cols]).reset_index(drop=True)


def with_interval(est: ProportionEstimate, **options: Any) -> ProportionEstimate:
    """:meth:`ProportionEstimate.with_interval` of an estimate with scenarios."""
    scenarios = {k: v.with_interval(**options) for k, v in _unique(est.scenarios).items()}
    return combine(_expand(scenarios, est.scenarios), est.nonresponse, est.response, None,
                   None, counts=_counts_of(est))


def domain(est: ProportionEstimate, key: Any) -> ProportionEstimate:
    """:meth:`ProportionEstimate.domain` of an estimate with scenarios."""
    rows = est.table[est.table["level"] == "domain"].reset_index(drop=True)
    one = est.scenarios["worst"].domain(key)
    keys = key if isinstance(key, tuple) else (key,)
    mask = np.ones(len(rows), dtype=bool)
    for col, value in zip(est.by_columns, keys, strict=True):
        mask &= (rows[col] == value).to_numpy()
    where = [int(i) for i in np.flatnonzero(mask)[:1]]
    counts = pd.DataFrame(_counts_of(est).iloc[where]).reset_index(drop=True)
    scenarios = {k: (one if k == "worst" else v.domain(key))
                 for k, v in _unique(est.scenarios).items()}
    out = combine(_expand(scenarios, est.scenarios), est.nonresponse, est.response, None,
                  None, counts=counts)
    return dataclasses.replace(out, design={**out.design, "domain": one.design["domain"]})


def _unique(scenarios: Mapping[str, T]) -> dict[str, T]:
    """The distinct scenario objects (they are shared when there is no nonresponse)."""
    seen: dict[int, str] = {}
    out: dict[str, T] = {}
    for k, v in scenarios.items():
        if id(v) not in seen:
            seen[id(v)] = k
            out[k] = v
    return out


def _expand(computed: Mapping[str, U], original: Mapping[str, T]) -> dict[str, U]:
    """``computed`` (keyed by the first name of each distinct object) for every name."""
    first = {id(v): k for k, v in reversed(list(original.items()))}
    return {k: computed[first[id(v)]] for k, v in original.items()}


# --------------------------------------------------------------------------- target decisions
def assess_with_nonresponse(
    estimate: ProportionEstimate,
    target: float,
    rule: str,
    assess: Callable[..., TargetAssessment],
    **options: Any,
) -> TargetAssessment:
    """:func:`assess_target` (passed in as ``assess``) of an estimate with scenarios."""
    distinct = {k: assess(v, target, **options)
                for k, v in _unique(estimate.scenarios).items()}
    parts = _expand(distinct, estimate.scenarios)
    worst, best = parts["worst"], parts["best"]
    mar = parts.get("mar")
    main = mar if rule == "bounds" else parts[rule]
    assert main is not None
    table = main.table.reset_index(drop=True).copy()
    s_w = worst.table["status"].to_numpy(dtype=object)
    s_b = best.table["status"].to_numpy(dtype=object)
    s_m = mar.table["status"].to_numpy(dtype=object) if mar is not None else s_w
    if rule == "bounds":
        status = np.where(s_w == "met", "met", np.where(s_b == "not_met", "not_met",
                                                        "inconclusive"))
        table["status"] = status
        table["lower_bound"] = worst.table["lower_bound"].to_numpy()
        table["upper_bound"] = best.table["upper_bound"].to_numpy()
        for col in ("p_value", "p_value_adjusted"):
            table[col] = worst.table[col].to_numpy()
        for col in ("p_value_not_met", "p_value_not_met_adjusted"):
            table[col] = best.table[col].to_numpy()
        # more verifications do not narrow the nonresponse bounds by themselves
        table["additional_n_needed"] = np.where(status == "inconclusive", np.nan, 0.0)
    statuses = np.stack([s_w, s_m, s_b])
    robust = (s_w == s_m) & (s_m == s_b)
    flips = (statuses == "met").any(axis=0) & (statuses == "not_met").any(axis=0)
    robustness = np.where(robust, "robust", np.where(flips, "flips", "mar_only"))
    table["status_worst"] = s_w
    table["status_mar"] = s_m if mar is not None else ""
    table["status_best"] = s_b
    table["lower_bound_worst"] = worst.table["lower_bound"].to_numpy()
    table["upper_bound_best"] = best.table["upper_bound"].to_numpy()
    table["nonresponse"] = rule
    table["nonresponse_robustness"] = robustness
    rate = estimate.table["response_rate"].to_numpy()
    table["response_rate"] = rate
    notes = [robustness_text(str(r), str(w), str(m), str(b))
             for r, w, m, b in zip(robustness, s_w, s_m, s_b, strict=True)]
    table["nonresponse_note"] = notes
    total = table.iloc[-1]
    return dataclasses.replace(
        main,
        status=str(total["status"]),
        lower_bound=float(total["lower_bound"]),
        upper_bound=float(total["upper_bound"]),
        p_value=float(total["p_value"]),
        p_value_not_met=float(total["p_value_not_met"]),
        additional_n_needed=float(total["additional_n_needed"]),
        table=table,
        nonresponse=rule,
        nonresponse_robustness=str(total["nonresponse_robustness"]),
        nonresponse_note=str(total["nonresponse_note"]),
    )


_WORDS = {"met": "met", "not_met": "not met", "inconclusive": "inconclusive"}


def robustness_text(robustness: str, worst: str, mar: str, best: str) -> str:
    """The sentence that goes with a robustness code.

    Examples
    --------
    >>> robustness_text("robust", "met", "met", "met")
    'met whatever the unreachable or refusing sites are (met even if all are incorrect)'
    >>> robustness_text("flips", "not_met", "met", "met")
    'the nonrespondents decide: not met if all are incorrect, met if all are correct'
    """
    if robustness == "robust":
        if worst == "met":
            return ("met whatever the unreachable or refusing sites are (met even if all "
                    "are incorrect)")
        if worst == "not_met":
            return ("not met whatever the unreachable or refusing sites are (not met even "
                    "if all are correct)")
        return "inconclusive whatever the unreachable or refusing sites are"
    if robustness == "flips":
        return (f"the nonrespondents decide: {_WORDS[worst]} if all are incorrect, "
                f"{_WORDS[best]} if all are correct")
    return (f"{_WORDS[mar]} only if the nonrespondents resemble the respondents of their "
            f"stratum (MAR); {_WORDS[worst]} if all are incorrect (the ministry's strict "
            f"reading), {_WORDS[best]} if all are correct")
