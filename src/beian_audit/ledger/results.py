"""Result objects of the ledger workflow (frozen, with ``to_frame`` / ``to_dict``).

Examples
--------
>>> import pandas as pd
>>> r = ImportResult(file="w.xlsx", month="2013-05", province="440000", n_rows=3,
...                  n_recorded=2, n_superseding=0, n_unchanged=1, already_imported=False)
>>> r
ImportResult(w.xlsx → 2013-05 440000: 3 rows, 2 outcomes recorded (0 corrections), 1 unchanged)
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from beian_audit._results import SCHEMA_VERSION, ResultMixin, jsonable

__all__ = ["DrawResult", "ImportResult", "MonthStatus", "Period"]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Period(ResultMixin):
    """One month × province of the ledger.

    Attributes
    ----------
    month : str
        ``YYYY-MM``.
    province : str
        GB/T 2260 code of the province (``"440000"``).
    status : {"open", "closed"}
    drawn : bool
        Whether the sample has been drawn.
    opened_at : datetime
    """

    id: int
    month: str
    province: str
    status: str
    drawn: bool
    opened_at: dt.datetime | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row: ``month``, ``province``, ``status``, ``drawn``, ``opened_at``."""
        return pd.DataFrame([{"month": self.month, "province": self.province,
                              "status": self.status, "drawn": self.drawn,
                              "opened_at": self.opened_at}])

    def _summary(self) -> str:
        drawn = "drawn" if self.drawn else "not drawn"
        return f"{self.month} {self.province}: {self.status}, {drawn}"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class DrawResult(ResultMixin):
    """The drawn sample of a month and the worksheets written for it.

    Attributes
    ----------
    month, province : str
    seed : int
    n : int
        Drawn filings.
    by_stratum : DataFrame
        ``stratum``, ``N``, ``n``, ``selected``.
    worksheets : DataFrame
        ``file``, ``assignee``, ``n_units`` (empty when none was written).
    manifest : dict
        The sample manifest (re-draws the sample).
    """

    month: str
    province: str
    seed: int
    n: int
    by_stratum: pd.DataFrame
    worksheets: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The sizes per stratum."""
        return self.by_stratum

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the base fields plus ``manifest`` and ``worksheets``."""
        out = super(DrawResult, self).to_dict()
        out["manifest"] = jsonable(self.manifest)
        out["worksheets"] = jsonable(self.worksheets.to_dict(orient="records"))
        return out

    def _summary(self) -> str:
        return (f"{self.month} {self.province}: n={self.n:,}, strata={len(self.by_stratum):,}, "
                f"seed={self.seed}, worksheets={len(self.worksheets)}")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ImportResult(ResultMixin):
    """What importing one worksheet changed.

    Attributes
    ----------
    file : str
        The worksheet's file name.
    month, province : str
        The month the worksheet belongs to (found from its sample fingerprint).
    n_rows : int
        Rows of the worksheet.
    n_recorded : int
        Outcomes written (one per filing and aspect that changed).
    n_superseding : int
        Of those, corrections of an earlier outcome.
    n_unchanged : int
        Filled outcomes equal to the current ones (nothing written).
    already_imported : bool
        The same content was imported before: nothing was written.
    """

    file: str
    month: str
    province: str
    n_rows: int
    n_recorded: int
    n_superseding: int
    n_unchanged: int
    already_imported: bool

    def to_frame(self) -> pd.DataFrame:
        """One row with the fields."""
        return pd.DataFrame([{
            "file": self.file, "month": self.month, "province": self.province,
            "n_rows": self.n_rows, "n_recorded": self.n_recorded,
            "n_superseding": self.n_superseding, "n_unchanged": self.n_unchanged,
            "already_imported": self.already_imported,
        }])

    def _summary(self) -> str:
        if self.already_imported:
            return f"{self.file}: already imported into {self.month} {self.province}, no change"
        return (f"{self.file} → {self.month} {self.province}: {self.n_rows:,} rows, "
                f"{self.n_recorded:,} outcomes recorded ({self.n_superseding:,} corrections), "
                f"{self.n_unchanged:,} unchanged")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class MonthStatus(ResultMixin):
    """Progress, current estimates, verdicts and stopping advice of a month.

    Attributes
    ----------
    month, province, status : str
    progress : DataFrame
        Per stratum and aspect: ``stratum``, ``aspect``, ``N``, ``n`` (drawn),
        ``verified`` (correct + incorrect), ``correct``, ``incorrect``,
        ``unreachable``, ``refused``, ``pending`` (no final outcome yet) and
        ``response_rate`` (verified / (verified + unreachable + refused)).
    estimates : dict
        Aspect → :class:`~beian_audit.ProportionEstimate` of the share of
        correct filings (``None`` before the first outcome), made from the
        ledger's statuses: unreachable and refused filings are nonresponse,
        handled by ``nonresponse`` (the estimate keeps every scenario and the
        response rate per stratum, ``.response``).
    assessments : dict
        Aspect → :class:`~beian_audit.TargetAssessment` against its target
        (aspects without a target are absent), with ``nonresponse_robustness``
        (``"robust"``: holds whatever the unreachable sites are;
        ``"mar_only"``: holds only under MAR; ``"flips"``) and ``stop_advice``.
    verdicts : dict
        Aspect → ``"met"``, ``"not_met"`` or ``"inconclusive"``. Once every
        drawn filing has an outcome: the assessment's status. Before: the
        sequential rule's ("met" / "not met" when it says stop), else
        ``"inconclusive"``.
    nonresponse : str
        The nonresponse rule applied (``"mar"`` by default).
    advice : dict
        Aspect → ``"stop: met"``, ``"stop: not met"``, ``"stop: inconclusive"``
        or ``"continue (about k more verifications expected)"``.
    sequential : dict
        Aspect → the :class:`~beian_audit.estimation.SequentialVerdict` under
        the rule (MAR for ``"bounds"``), with its table of looks.
    decisions : DataFrame
        One row per aspect: target, estimate and interval, response rate,
        verdict, nonresponse robustness and its sentence, advice, look of
        looks, verified and planned counts, outcomes waiting for earlier rows,
        and the advice under each nonresponse scenario.
    looks : int or list of float
        The planned looks (recorded at draw time).
    notes : tuple of str
        Anything the reader must know (assumed looks, outcomes waiting …).
    warnings : tuple of str
        What the estimators warned about while the status was made, as
        ``"aspect: WarningClass: message"`` (e.g. a
        :class:`~beian_audit.errors.DegenerateIntervalWarning` when every
        verified filing of a stratum is correct): kept here, in the
        ``warnings`` column of ``decisions``, in ``to_dict()`` and in the
        repr, rather than printed on the console.
    """

    month: str
    province: str
    status: str
    progress: pd.DataFrame
    estimates: dict[str, Any]
    assessments: dict[str, Any]
    verdicts: dict[str, str]
    nonresponse: str = "mar"
    advice: dict[str, str] = field(default_factory=dict)
    sequential: dict[str, Any] = field(default_factory=dict)
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)
    looks: Any = 5
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """No drawn filing is pending (for either aspect)."""
        return bool((self.progress["pending"] == 0).all())

    def totals(self) -> pd.DataFrame:
        """The progress summed over strata, one row per aspect (with its response rate)."""
        counts = ["N", "n", "verified", "correct", "incorrect", "unreachable", "refused",
                  "pending"]
        out = self.progress.groupby("aspect", sort=False)[counts].sum().reset_index()
        resolved = (out["verified"] + out["unreachable"] + out["refused"]).to_numpy()
        with np.errstate(all="ignore"):
            out["response_rate"] = np.where(resolved > 0, out["verified"] / resolved, np.nan)
        return out

    def response_rates(self) -> pd.DataFrame:
        """Response rate per stratum (rows) and aspect (columns)."""
        return self.progress.pivot(index="stratum", columns="aspect", values="response_rate")

    def to_frame(self) -> pd.DataFrame:
        """The progress per stratum and aspect."""
        return self.progress

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the progress records plus ``totals``, ``estimates``,
        ``assessments``, ``verdicts``, ``nonresponse``, ``advice``,
        ``decisions``, ``looks``, ``notes`` and ``warnings``."""
        out = super(MonthStatus, self).to_dict()
        out.update(
            month=self.month, province=self.province, status=self.status,
            complete=self.complete,
            totals=jsonable(self.totals().to_dict(orient="records")),
            estimates={k: None if v is None else v.to_dict() for k, v in self.estimates.items()},
            assessments={k: v.to_dict() for k, v in self.assessments.items()},
            verdicts=dict(self.verdicts),
            nonresponse=self.nonresponse,
            advice=dict(self.advice),
            decisions=jsonable(self.decisions.to_dict(orient="records")),
            looks=jsonable(self.looks),
            notes=list(self.notes),
            warnings=list(self.warnings),
        )
        out["schema_version"] = SCHEMA_VERSION
        return out

    def _summary(self) -> str:
        parts = []
        for row in self.totals().itertuples():
            parts.append(f"{row.aspect}: {row.verified}/{row.n} verified, "
                         f"{row.unreachable} unreachable, {row.refused} refused, "
                         f"{row.pending} pending")
        verdicts = ", ".join(f"{k} {v}" for k, v in self.verdicts.items())
        advice = ", ".join(f"{k} {v!r}" for k, v in self.advice.items() if v)
        text = f"{self.month} {self.province} ({self.status}): " + "; ".join(parts)
        warned = len(self.warnings)
        return (text + (f"; verdicts: {verdicts}" if verdicts else "")
                + (f"; advice: {advice}" if advice else "")
                + (f"; {warned} warning{'s' * (warned != 1)} (see .warnings)" if warned else ""))

    def _repr_html_(self) -> str:
        body = super(MonthStatus, self)._repr_html_()
        rows = []
        for aspect, estimate in self.estimates.items():
            if estimate is not None:
                extra = ""
                assessment = self.assessments.get(aspect)
                if assessment is not None and assessment.nonresponse_note:
                    extra += f"; {assessment.nonresponse_note}"
                if self.advice.get(aspect):
                    extra += f"; advice: {self.advice[aspect]}"
                rows.append(f"<li>{html.escape(aspect)}: {html.escape(repr(estimate))} — "
                            f"{html.escape(self.verdicts.get(aspect, ''))}"
                            f"{html.escape(extra)}</li>")
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        warned = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        return (body + (f"<ul>{''.join(rows)}</ul>" if rows else "")
                + (f"<p>Notes:</p><ul>{notes}</ul>" if notes else "")
                + (f"<p>Warnings:</p><ul>{warned}</ul>" if warned else ""))
