"""``month status``: progress, nonresponse-aware estimates and the stopping advice.

:func:`month_status` turns the current outcomes of a month (one row per drawn
filing, :meth:`Ledger.outcomes`) into a :class:`MonthStatus`:

* **progress** per stratum and aspect, with the response rate
  (verified / (verified + unreachable + refused));
* the **estimate** of each aspect from
  :func:`~beian_audit.estimate_proportion` on the ledger's status words, so
  that unreachable and refused filings are nonresponse, handled by the rule
  ``nonresponse`` (default ``"mar"``: reweighting within strata), never
  silently dropped or counted as wrong;
* the **assessment** against the target with
  :func:`~beian_audit.assess_target`, whose ``nonresponse_robustness`` says
  whether the verdict holds whatever the unreachable sites are, only under
  MAR, or flips;
* the **stopping advice** of :func:`~beian_audit.estimation.sequential_assessment`
  with the looks fixed at draw time (``manifest["verification"]``): "stop:
  met", "stop: not met" or "continue (about k more verifications expected)".

The sequential rule needs every verified row of a stratum to be among its
smallest PRNs. A verified row that follows a still-pending row of its stratum
(in PRN order) waits: it counts in the estimate but not yet in the stopping
rule. Nonresponse enters the stopping rule by the same rule as the estimate:
``"mar"`` leaves the nonrespondents out of their stratum's sample (under MAR
the respondents, in PRN order, are still a simple random sample of it);
``"worst"`` / ``"best"`` count them as incorrect / correct; ``"bounds"``
stops on "met" only if the worst case does and on "not met" only if the best
case does. Such a stop holds whatever the nonrespondents are, so it is the
advice under ``"mar"`` too, even while the MAR looks wait: leaving a
nonrespondent out means its stratum's next filing in PRN order takes its place,
so under MAR a look is complete when every stratum has its share of
*respondents*. "About k more verifications" is at least what completes the
next look.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from beian_audit.ledger.constants import ASPECTS, OUTCOME_STATUSES
from beian_audit.ledger.results import MonthStatus

__all__ = ["month_status"]

_NONRESPONSE = ("unreachable", "refused")
_SCENARIOS = ("worst", "mar", "best")


@contextlib.contextmanager
def _collected(found: list[str], aspect: str) -> Iterator[None]:
    """Keep the library's warnings raised inside as ``"aspect: Kind: message"`` in ``found``.

    A status is read on a console, a notebook and by the CLI's JSON: what the
    estimators warn about (a degenerate interval, strata without respondents
    …) belongs to the status itself, not to the console. Warnings of other
    libraries pass through unchanged.
    """
    from beian_audit.errors import BeianAuditWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        if issubclass(w.category, BeianAuditWarning):
            text = f"{aspect}: {w.category.__name__}: {w.message}"
            if text not in found:
                found.append(text)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno,
                                   source=w.source)


def _progress(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for aspect in ASPECTS:
        status = frame[f"{aspect}_status"]
        grouped = pd.DataFrame({
            "stratum": frame["stratum"].astype(str),
            "N": frame["population_size"],
            **{s: (status == s).astype(np.int64) for s in OUTCOME_STATUSES},
        }).groupby("stratum", sort=False)
        part = grouped.agg(N=("N", "first"), n=("correct", "size"),
                           **{s: (s, "sum") for s in OUTCOME_STATUSES}).reset_index()
        part.insert(1, "aspect", aspect)
        part["verified"] = part["correct"] + part["incorrect"]
        rows.append(part)
    progress = pd.concat(rows, ignore_index=True)[
        ["stratum", "aspect", "N", "n", "verified", "correct", "incorrect", "unreachable",
         "refused", "pending"]]
    progress["response_rate"] = response_rate(progress)
    return progress


def response_rate(counts: pd.DataFrame) -> np.ndarray:
    """verified / (verified + unreachable + refused); ``nan`` before any outcome."""
    resolved = (counts["verified"] + counts["unreachable"] + counts["refused"]).to_numpy()
    with np.errstate(all="ignore"):
        return np.where(resolved > 0, counts["verified"].to_numpy() / resolved, np.nan)


def _in_prefix(frame: pd.DataFrame, status: pd.Series) -> np.ndarray:
    """True where a final outcome is among its stratum's first rows in PRN order."""
    order = np.lexsort((frame["prn"].to_numpy(dtype=float),
                        frame["stratum"].astype(str).to_numpy()))
    pending = (status.to_numpy(dtype=object) == "pending")[order]
    strata = frame["stratum"].astype(str).to_numpy()[order]
    seen = pd.Series(pending.astype(np.int64)).groupby(strata).cumsum().to_numpy()
    out = np.empty(len(frame), dtype=bool)
    out[order] = seen == 0
    return out


def _sequential_runs(
    frame: pd.DataFrame, aspect: str, target: float, verification: Mapping[str, Any],
    alpha: float,
) -> tuple[dict[str, Any], int, list[str]]:
    """The sequential verdict under each nonresponse scenario, rows waiting, notes."""
    from beian_audit.errors import EstimationError
    from beian_audit.estimation.sequential import sequential_assessment

    status = frame[f"{aspect}_status"].astype(str)
    nonresponse = status.isin(_NONRESPONSE)
    design = frame[["stratum", "population_size", "prn"]]
    runs: dict[str, Any] = {}
    waiting = 0
    notes: list[str] = []
    scenarios = _SCENARIOS if nonresponse.any() else ("mar",)
    for scenario in scenarios:
        if scenario == "mar":
            data, words = design[~nonresponse], status[~nonresponse]
        else:
            fill = "incorrect" if scenario == "worst" else "correct"
            data, words = design, status.where(~nonresponse, fill)
        counted = _in_prefix(data, words)
        final = (words != "pending").to_numpy()
        if scenario == "mar":
            waiting = int((final & ~counted).sum())
        keep = (counted & final)
        outcome = pd.Series(words.to_numpy(dtype=object), index=data.index).where(keep, None)
        try:
            runs[scenario] = sequential_assessment(
                data.assign(__outcome__=outcome), "__outcome__", target,
                looks=verification["looks"], alpha=alpha, method=verification["method"],
                spending=verification["spending"])
        except EstimationError as exc:
            notes.append(f"{aspect}: no stopping advice under {scenario} ({exc})")
    if not nonresponse.any() and "mar" in runs:
        runs["worst"] = runs["best"] = runs["mar"]
    return runs, waiting, notes


def _more(run: Any) -> int:
    """Further verifications to expect: at least what completes the next look."""
    more = math.ceil(run.expected_more - 1e-9)
    if run.look < run.looks:
        row = run.table.iloc[run.look]
        more = max(more, int(row["n_planned"]) - int(row["n_verified"]))
    return int(more)


def _continue(more: int) -> str:
    return f"continue (about {more:d} more verifications expected)"


def _advice(runs: Mapping[str, Any], rule: str) -> tuple[str, str, str]:
    """(message, decision, status) under ``rule`` from the scenario runs.

    A stop that holds in the worst case ("met") or in the best case ("not
    met") holds whatever the nonrespondents are, so it is also the advice
    under MAR (whose looks may still wait for replacements of nonrespondents).
    """
    worst, best = runs.get("worst"), runs.get("best")
    robust = ("", "", "")
    if worst is not None and worst.decision == "stop: met":
        robust = ("stop: met", "stop: met", "met")
    elif best is not None and best.decision == "stop: not met":
        robust = ("stop: not met", "stop: not met", "not_met")
    if rule != "bounds":
        run = runs.get(rule)
        if rule == "mar" and robust[0]:
            return robust
        if run is None:
            return "", "", ""
        message = _continue(_more(run)) if run.decision == "continue" else run.message
        return message, run.decision, run.status
    if worst is None or best is None:
        return "", "", ""
    if robust[0]:
        return robust
    if worst.stopped and best.stopped:
        return "stop: inconclusive", "stop: inconclusive", "inconclusive"
    more = max(_more(r) for r in (worst, best) if not r.stopped)
    return _continue(more), "continue", "inconclusive"


def month_status(
    frame: pd.DataFrame,
    *,
    month: str,
    province: str,
    period_status: str,
    targets: Mapping[str, float | None],
    verification: Mapping[str, Any],
    verification_note: str = "",
    confidence_level: float = 0.95,
    method: str = "korn-graubard",
    nonresponse: str = "mar",
) -> MonthStatus:
    """The :class:`MonthStatus` of a month from its current outcomes.

    Parameters
    ----------
    frame : DataFrame
        :meth:`Ledger.outcomes` of the month (``current=True``).
    month, province, period_status : str
    targets : mapping
        Aspect → target (``None``: no target, estimate only).
    verification : mapping
        ``looks``, ``method`` and ``spending`` of the sequential plan.
    verification_note : str
        Added to the notes (e.g. "looks not recorded at draw time").
    confidence_level : float
        One-sided level of the assessment; the sequential rule runs at
        ``alpha = 1 - confidence_level``.
    method : str
        Interval method of :func:`~beian_audit.estimate_proportion`.
    nonresponse : {"mar", "worst", "best", "bounds"}

    Returns
    -------
    MonthStatus
        The library's warnings raised on the way (a degenerate interval,
        strata without respondents …) are kept in ``warnings`` and in the
        ``warnings`` column of ``decisions``, not sent to the console.
    """
    progress = _progress(frame)
    design = frame.drop(columns=[c for c in frame.columns
                                 if c.endswith(("_reason", "_verifier", "_checked_on", "_ok"))])
    estimates: dict[str, Any] = {}
    assessments: dict[str, Any] = {}
    verdicts: dict[str, str] = {}
    advice: dict[str, str] = {}
    sequential: dict[str, Any] = {}
    notes: list[str] = [verification_note] if verification_note else []
    found: list[str] = []
    rows: list[dict[str, Any]] = []
    alpha = 1.0 - confidence_level
    for aspect in ASPECTS:
        with _collected(found, aspect):
            rows.append(_aspect_row(
                frame, design, aspect, targets.get(aspect), verification=verification,
                confidence_level=confidence_level, method=method, nonresponse=nonresponse,
                alpha=alpha, notes=notes, estimates=estimates, assessments=assessments,
                verdicts=verdicts, advice=advice, sequential=sequential))
        rows[-1]["warnings"] = " | ".join(w.split(": ", 1)[1] for w in found
                                          if w.startswith(f"{aspect}: "))
    decisions = pd.DataFrame(rows, columns=[
        "aspect", "target", "estimate", "ci_low", "ci_high", "response_rate", "nonresponse",
        "verdict", "nonresponse_robustness", "nonresponse_note", "advice", "look", "looks",
        "n_verified", "n_max", "n_waiting", "advice_worst", "advice_mar", "advice_best",
        "warnings"])
    return MonthStatus(
        month=month, province=province, status=period_status, progress=progress,
        estimates=estimates, assessments=assessments, verdicts=verdicts,
        nonresponse=nonresponse, advice=advice, sequential=sequential, decisions=decisions,
        looks=verification["looks"], notes=tuple(notes), warnings=tuple(found),
    )


def _aspect_row(
    frame: pd.DataFrame, design: pd.DataFrame, aspect: str, target: float | None, *,
    verification: Mapping[str, Any], confidence_level: float, method: str, nonresponse: str,
    alpha: float, notes: list[str], estimates: dict[str, Any], assessments: dict[str, Any],
    verdicts: dict[str, str], advice: dict[str, str], sequential: dict[str, Any],
) -> dict[str, Any]:
    """The decisions row of one aspect; fills the dicts of :func:`month_status` in place."""
    from beian_audit.errors import EstimationError
    from beian_audit.estimation import assess_target, estimate_proportion

    column = f"{aspect}_status"
    status = design[column]
    resolved = status.isin(("correct", "incorrect", *_NONRESPONSE))
    estimate = None
    if resolved.any():
        try:
            estimate = estimate_proportion(
                design, column, missing="drop", nonresponse=nonresponse,  # type: ignore[arg-type]
                confidence_level=confidence_level, method=method)  # type: ignore[arg-type]
        except EstimationError as exc:  # e.g. only nonrespondents under MAR
            notes.append(f"{aspect}: no estimate under nonresponse={nonresponse!r} ({exc})")
    estimates[aspect] = estimate
    row: dict[str, Any] = {
        "aspect": aspect, "target": np.nan if target is None else float(target),
        "estimate": np.nan if estimate is None else estimate.estimate,
        "ci_low": np.nan if estimate is None else estimate.ci.low,
        "ci_high": np.nan if estimate is None else estimate.ci.high,
        "response_rate": float(response_rate(pd.DataFrame({
            "verified": [int(status.isin(("correct", "incorrect")).sum())],
            "unreachable": [int((status == "unreachable").sum())],
            "refused": [int((status == "refused").sum())]}))[0]),
        "nonresponse": nonresponse,
    }
    if target is None:
        return row
    runs, waiting, run_notes = _sequential_runs(frame, aspect, target, verification, alpha)
    notes.extend(run_notes)
    if waiting:
        notes.append(f"{aspect}: {waiting} verified outcome(s) wait for earlier rows (in "
                     "PRN order) of their stratum before they count in the stopping rule")
    message, decision, seq_status = _advice(runs, nonresponse)
    advice[aspect] = message
    main = runs.get("mar" if nonresponse == "bounds" else nonresponse)
    if main is not None:
        sequential[aspect] = main
    pending = int((status == "pending").sum())
    verdict = "inconclusive"
    if estimate is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assessment = assess_target(estimate, target, confidence_level=confidence_level)
        if message:
            assessment = dataclasses.replace(assessment, stop_advice=message)
        assessments[aspect] = assessment
        if pending == 0:
            verdict = assessment.status
    if pending and decision in ("stop: met", "stop: not met"):
        verdict = seq_status
    verdicts[aspect] = verdict
    current = assessments.get(aspect)
    row.update(
        verdict=verdict,
        nonresponse_robustness=getattr(current, "nonresponse_robustness", ""),
        nonresponse_note=getattr(current, "nonresponse_note", ""),
        advice=message,
        look=getattr(main, "look", 0), looks=getattr(main, "looks", 0),
        n_verified=getattr(main, "n_verified", 0), n_max=getattr(main, "n_max", 0),
        n_waiting=waiting,
        **{f"advice_{k}": getattr(runs.get(k), "message", "") for k in _SCENARIOS},
    )
    return row
