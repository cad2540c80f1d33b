"""The monthly report of a ledger month: one HTML page and the table files (#14, #16).

The workflow step ``report`` between ``month status`` and ``month close``.
:func:`month_report_data` reads everything the page shows from the ledger's
records of one month × province; :func:`write_month_report` writes it:

============================  ==============================================
file                          content
============================  ==============================================
``report.html``               the month on one self-contained page
                              (:func:`~beian_audit.reporting.write_html_report`)
``statistics_table.xlsx``     the 18-row table laid out as the ministry's form
``statistics_table.csv``      the same as a tidy table
``statistics_table.json``     the same, following ``statistics_table.schema.json``
``status.json``               ``MonthStatus.to_dict()`` (the document ``beian-audit
                              month status`` prints) plus ``report``: the
                              headline measures with the filing rate
``unfiled_ranking.csv``       the top ten providers by unfiled websites (only
                              when accessed-site counts are recorded)
============================  ==============================================

Where the page's pieces come from:

* **headline verdicts** — sponsor and access accuracy from the month's
  current outcomes exactly as :meth:`Ledger.status` computes them (same
  estimate, nonresponse rule and verdict: a month with pending filings shows
  the sequential rule's verdict or "not yet provable"); the estimates by
  provider (forest plot) come from the same
  :func:`~beian_audit.estimate_proportion` call with ``by="provider_id"``,
  whose overall value is the status's estimate;
* **filing rate** — the ``accessed_sites`` / ``unfiled_sites`` counts per
  provider recorded by :meth:`Ledger.record_accessed_sites` (the province's
  providers, as row 2 of the table counts them): a census, so the rate is
  exact (zero-width interval) and the top-ten ranking carries no sampling
  error. Without recorded counts the verdict and ranking sections say so;
* **18-row table** — :func:`~beian_audit.ledger.report.statistics_table_from_ledger`;
* **trend** — the ledger's months of the province up to this one
  (:meth:`Ledger.panels`);
* **progress and nonresponse per stratum** — ``MonthStatus.progress``;
* **methodology** — the manifest recorded at draw time (seed, design,
  fingerprints, library version), the registry snapshot's fingerprint and the
  nonresponse rule.

Every file is written atomically (all of them or none) and holds no personal
data: counts, rates, provider ids and fingerprints only, every text cell masked.

Examples
--------
>>> import tempfile, pathlib, warnings
>>> import beian_audit as ba
>>> from beian_audit.ledger import Ledger
>>> where = pathlib.Path(tempfile.mkdtemp())
>>> with Ledger.open(where / "audit.db") as ledger, warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     month = ledger.open_month(ba.load_synthetic_registry().head(300), "2013-05", "广东",
...                               n=60)
...     _ = month.draw(seed=2013, out_dir=where / "sheets")
...     report = ledger.report("2013-05", "广东", where / "report", html=False)
>>> sorted(report.files)
['statistics_csv', 'statistics_json', 'statistics_xlsx', 'status']
>>> report.verdicts
{'sponsor_accuracy': 'inconclusive'}
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from beian_audit._results import SCHEMA_VERSION, ResultMixin, jsonable
from beian_audit.errors import ArgumentError
from beian_audit.ledger._sql import LedgerParts

__all__ = [
    "MONTH_REPORT_FILES",
    "MonthReport",
    "MonthReportData",
    "MonthlyReportMixin",
    "census_filing_rate",
    "month_report_data",
    "site_counts",
    "write_month_report",
]

#: Every file :func:`write_month_report` can write (``report.html`` with
#: ``html=True``, ``unfiled_ranking.csv`` when accessed-site counts are recorded).
MONTH_REPORT_FILES: tuple[str, ...] = (
    "report.html", "statistics_table.xlsx", "statistics_table.csv", "statistics_table.json",
    "status.json", "unfiled_ranking.csv",
)
#: Measure of the report → aspect of the ledger.
_ASPECT = {"sponsor_accuracy": "sponsor", "access_accuracy": "access"}
#: Keys accepted in ``targets`` → the measure they set.
_TARGET_KEYS = {"sponsor": "sponsor_accuracy", "access": "access_accuracy",
                "sponsor_accuracy": "sponsor_accuracy", "access_accuracy": "access_accuracy",
                "filing_rate": "filing_rate"}
_MEASURES = ("filing_rate", "sponsor_accuracy", "access_accuracy")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class MonthReportData(ResultMixin):
    """What the monthly report of a ledger month shows, read from the ledger.

    Pass it (or the month handle ``ledger.month(m, p)``) to
    :func:`~beian_audit.reporting.write_html_report`.

    Attributes
    ----------
    month, province : str
        ``YYYY-MM`` and the GB/T 2260 code.
    province_name : str
        The province's Chinese name.
    period_status : {"open", "closed"}
    month_status : MonthStatus
        :meth:`Ledger.status` of the month with the report's options.
    estimates : dict
        Measure (``"sponsor_accuracy"``, ``"access_accuracy"``) →
        ProportionEstimate by ``provider_id`` (its overall value is the
        status's estimate); absent before the first outcome.
    assessments : dict
        Measure → TargetAssessment of the estimate (per provider too), for the
        measures with a target (the filing rate's against 99.5 % when counts
        are recorded).
    verdicts : dict
        Measure → ``"met"`` / ``"not_met"`` / ``"inconclusive"``: the
        status's verdict for the accuracies, the census assessment's for the
        filing rate.
    targets : dict
        Measure → target (``None``: no target).
    filing_rate : ProportionEstimate or None
        The census filing rate of the province's accessed websites, by provider.
    accessed_sites_recorded : bool
        Whether the month's accessed-site counts are in the ledger.
    unfiled_ranking : UnfiledRanking or None
        The top ten providers by unfiled websites accessed (census counts).
    statistics : StatisticsTable
        The 18-row table read from the ledger.
    panels : dict
        Measure → MonthlyPanel of the province's months up to this one.
    stratum_progress : DataFrame
        ``MonthStatus.progress``: per stratum and aspect, drawn, verified,
        unreachable, refused, pending and the response rate.
    manifest : dict
        The sample manifest recorded at draw time.
    snapshot : dict
        The registry snapshot: ``fingerprint``, ``row_count``.
    nonresponse : str
        The nonresponse rule.
    """

    month: str
    province: str
    province_name: str
    period_status: str
    month_status: Any
    estimates: dict[str, Any]
    assessments: dict[str, Any]
    verdicts: dict[str, str]
    targets: dict[str, float | None]
    filing_rate: Any
    accessed_sites_recorded: bool
    unfiled_ranking: Any
    statistics: Any
    panels: dict[str, Any]
    stratum_progress: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    snapshot: dict[str, Any] = field(default_factory=dict)
    nonresponse: str = "mar"

    def to_frame(self) -> pd.DataFrame:
        """The headline: one row per measure shown (estimate, interval, target, verdict)."""
        rows = []
        for measure in _MEASURES:
            est = self.filing_rate if measure == "filing_rate" else self.estimates.get(measure)
            if est is None:
                continue
            target = self.targets.get(measure)
            rows.append({"measure": measure, "estimate": float(est.estimate),
                         "ci_low": float(est.ci.low), "ci_high": float(est.ci.high),
                         "n": int(est.n), "target": np.nan if target is None else target,
                         "verdict": self.verdicts.get(measure, "")})
        return pd.DataFrame(rows, columns=["measure", "estimate", "ci_low", "ci_high", "n",
                                           "target", "verdict"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the headline records plus month, province, verdicts, notes."""
        out = super(MonthReportData, self).to_dict()
        out.update(month=self.month, province=self.province, period_status=self.period_status,
                   nonresponse=self.nonresponse, verdicts=dict(self.verdicts),
                   accessed_sites_recorded=self.accessed_sites_recorded,
                   notes=list(self.month_status.notes))
        out["schema_version"] = SCHEMA_VERSION
        return out

    def _summary(self) -> str:
        verdicts = ", ".join(f"{k} {v}" for k, v in self.verdicts.items()) or "no verdict"
        return f"{self.month} {self.province} ({self.period_status}): {verdicts}"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class MonthReport(ResultMixin):
    """The files of a ledger month's report (:meth:`Ledger.report`).

    Attributes
    ----------
    month, province : str
    out_dir : Path
    files : dict
        Name (``html``, ``statistics_xlsx``, ``statistics_csv``,
        ``statistics_json``, ``status``, ``unfiled_ranking``) → path written.
    verdicts : dict
        Measure → verdict shown on the page.
    complete : bool
        No drawn filing is pending (the verdicts are final).
    notes : tuple of str
        The status's notes (assumed looks, outcomes waiting …).
    """

    month: str
    province: str
    out_dir: Path
    files: dict[str, Path]
    verdicts: dict[str, str]
    complete: bool
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per file: ``name``, ``path``."""
        return pd.DataFrame({"name": list(self.files),
                             "path": [str(p) for p in self.files.values()]})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: month, province, directory, files, verdicts, complete, notes."""
        out = super(MonthReport, self).to_dict()
        out.update(month=self.month, province=self.province, out_dir=str(self.out_dir),
                   files={k: str(v) for k, v in self.files.items()},
                   verdicts=dict(self.verdicts), complete=self.complete,
                   notes=list(self.notes))
        return out

    def _summary(self) -> str:
        verdicts = ", ".join(f"{k} {v}" for k, v in self.verdicts.items()) or "no verdict"
        return (f"{self.month} {self.province}: {len(self.files)} files in {self.out_dir}; "
                f"{verdicts}" + ("" if self.complete else " (provisional: outcomes pending)"))


# --------------------------------------------------------------------------- reading
def _targets(targets: Mapping[str, float | None] | None) -> dict[str, float | None]:
    from beian_audit.spotcheck import DEFAULT_TARGETS

    goal: dict[str, float | None] = {"filing_rate": DEFAULT_TARGETS["filing_rate"],
                                     "sponsor_accuracy": DEFAULT_TARGETS["sponsor_accuracy"],
                                     "access_accuracy": None}
    if targets is None:
        return goal
    if not isinstance(targets, Mapping):
        raise ArgumentError(f"targets must be a mapping measure -> rate, e.g. "
                            f"{{'sponsor': 0.75}}; got {type(targets).__name__}")
    unknown = sorted(str(k) for k in set(targets) - set(_TARGET_KEYS))
    if unknown:
        raise ArgumentError(f"targets for unknown measure(s) {unknown}; the measures are "
                            "'filing_rate', 'sponsor' and 'access'")
    for key, value in targets.items():
        if value is not None and not (isinstance(value, int | float)
                                      and not isinstance(value, bool) and 0 < value < 1):
            raise ArgumentError(f"target of {key} ({value!r}) must be in (0, 1) or None")
        goal[_TARGET_KEYS[key]] = None if value is None else float(value)
    return goal


def census_filing_rate(counts: pd.DataFrame, *, method: str, confidence_level: float) -> Any:
    """The census filing rate by provider from ``accessed`` / ``unfiled`` counts.

    One row per accessed site (filed or not), the whole list as one stratum
    taken in full: the interval has zero width (``note="census"``), as for
    :func:`~beian_audit.filing_rate` on the full list.
    """
    from beian_audit.errors import DegenerateIntervalWarning
    from beian_audit.estimation import estimate_proportion

    accessed = counts["accessed"].to_numpy(np.int64)
    unfiled = counts["unfiled"].to_numpy(np.int64)
    providers = np.repeat(counts["provider_id"].to_numpy(object), accessed)
    filed = np.concatenate([np.r_[np.ones(a - u, np.int8), np.zeros(u, np.int8)]
                            for a, u in zip(accessed, unfiled, strict=True)])
    work = pd.DataFrame({"provider_id": providers, "filed": filed})
    work["_N"] = float(len(work))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateIntervalWarning)
        return estimate_proportion(work, "filed", strata=False, population_size="_N",
                                   weight=False, cluster=False, by="provider_id",
                                   method=method,  # type: ignore[arg-type]
                                   confidence_level=confidence_level)


def site_counts(ledger: Any, month: str, code: str) -> pd.DataFrame | None:
    """Accessed and unfiled sites per provider of the province (``None``: none recorded)."""
    stock = ledger.registry_counts(month, code)
    stock = stock[stock["measure"].isin(("accessed_sites", "unfiled_sites"))]
    if not bool((stock["measure"] == "accessed_sites").any()):
        return None
    scope = ledger.province_scope(month, code)
    if scope is not None:
        stock = stock[stock["provider_id"].astype(str).isin(scope)]
    wide = (stock.pivot_table(index="provider_id", columns="measure", values="value",
                              aggfunc="sum", fill_value=0)
            .reindex(columns=["accessed_sites", "unfiled_sites"], fill_value=0))
    wide = wide[wide["accessed_sites"] > 0]
    if wide.empty:
        return None
    return pd.DataFrame({"provider_id": wide.index.astype(str),
                         "accessed": wide["accessed_sites"].astype(np.int64).to_numpy(),
                         "unfiled": wide["unfiled_sites"].astype(np.int64).to_numpy()})


def month_report_data(
    ledger: Any,
    month: str,
    province: str,
    *,
    targets: Mapping[str, float | None] | None = None,
    nonresponse: str = "mar",
    confidence_level: float = 0.95,
    method: str = "korn-graubard",
) -> MonthReportData:
    """Read everything the monthly report of a ledger month shows.

    Parameters
    ----------
    ledger : Ledger
    month, province : str
        A drawn month of the ledger.
    targets : mapping, optional
        ``"filing_rate"`` (default 0.995), ``"sponsor"`` (0.75) and
        ``"access"`` (no target) → target rate, or ``None`` for none.
    nonresponse : {"mar", "worst", "best", "bounds"}, default "mar"
        How unreachable and refused filings count (as :meth:`Ledger.status`).
    confidence_level : float, default 0.95
    method : str, default "korn-graubard"
        Interval method of :func:`~beian_audit.estimate_proportion`.

    Returns
    -------
    MonthReportData

    Raises
    ------
    PeriodStateError
        The month is not in the ledger or not drawn yet.
    ArgumentError
        Unknown targets or nonresponse rule.
    """
    from beian_audit._provinces import resolve_province
    from beian_audit.estimation import assess_target, estimate_proportion
    from beian_audit.reporting.rankings import top_unfiled_providers

    goal = _targets(targets)
    status = ledger.status(month, province, targets={a: goal[m] for m, a in _ASPECT.items()},
                           confidence_level=confidence_level, method=method,
                           nonresponse=nonresponse)
    month, code = status.month, status.province
    outcomes = ledger.outcomes(month, code)
    design = outcomes.drop(columns=[c for c in outcomes.columns if c.endswith(
        ("_reason", "_verifier", "_checked_on", "_ok"))])
    estimates: dict[str, Any] = {}
    assessments: dict[str, Any] = {}
    verdicts: dict[str, str] = {}
    for measure, aspect in _ASPECT.items():
        if aspect in status.verdicts:
            verdicts[measure] = status.verdicts[aspect]
        if status.estimates.get(aspect) is None:
            continue
        est = estimate_proportion(design, f"{aspect}_status", by="provider_id",
                                  missing="drop", nonresponse=nonresponse,  # type: ignore[arg-type]
                                  confidence_level=confidence_level,
                                  method=method)  # type: ignore[arg-type]
        estimates[measure] = est
        target = goal[measure]
        if target is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assessment = assess_target(est, target, confidence_level=confidence_level)
        advice = status.advice.get(aspect)
        if advice:
            assessment = dataclasses.replace(assessment, stop_advice=advice)
        assessments[measure] = assessment
    counts = site_counts(ledger, month, code)
    rate = ranking = None
    if counts is not None:
        rate = census_filing_rate(counts, method=method, confidence_level=confidence_level)
        if goal["filing_rate"] is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                assessments["filing_rate"] = assess_target(rate, goal["filing_rate"],
                                                           confidence_level=confidence_level)
            verdicts["filing_rate"] = str(assessments["filing_rate"].status)
        sites = pd.DataFrame({
            "site_id": np.arange(int(counts["accessed"].sum())).astype(str),
            "provider_id": np.repeat(counts["provider_id"].to_numpy(object),
                                     counts["accessed"].to_numpy(np.int64)),
            "filed": np.concatenate([np.r_[np.ones(a - u, bool), np.zeros(u, bool)] for a, u
                                     in zip(counts["accessed"], counts["unfiled"],
                                            strict=True)])})
        ranking = top_unfiled_providers(sites, n=10)
    table = ledger.statistics_table(month, code, method=method,
                                    confidence_level=confidence_level, nonresponse=nonresponse)
    panels = ledger.panels(code, until=month, method=method, confidence_level=confidence_level,
                           nonresponse=nonresponse)
    snapshots = ledger.snapshots()
    snapshot = snapshots[(snapshots["month"] == month) & (snapshots["province"] == code)]
    return MonthReportData(
        month=month, province=code, province_name=resolve_province(code)[1],
        period_status=status.status, month_status=status, estimates=estimates,
        assessments=assessments, verdicts=verdicts, targets=goal, filing_rate=rate,
        accessed_sites_recorded=counts is not None, unfiled_ranking=ranking,
        statistics=table, panels=panels, stratum_progress=status.progress,
        manifest=ledger.manifest(month, code),
        snapshot={} if snapshot.empty else {
            "fingerprint": str(snapshot["fingerprint"].iloc[0]),
            "row_count": int(snapshot["row_count"].iloc[0])},
        nonresponse=nonresponse,
    )


# --------------------------------------------------------------------------- writing
def write_month_report(
    data: MonthReportData,
    out_dir: str | os.PathLike[str],
    *,
    html: bool = True,
    language: Literal["zh", "en"] = "zh",
    overwrite: bool = True,
) -> MonthReport:
    """Write the report files of a ledger month (see the module notes) under ``out_dir``.

    The files are written into a hidden staging directory and moved into
    ``out_dir`` only when all of them are complete (other files there are
    kept); ``overwrite=False`` raises
    :class:`~beian_audit.errors.OutputExistsError`, before anything is moved,
    when one of them exists.
    """
    from beian_audit._options import check_choice
    from beian_audit.reporting.html_report import LANGUAGES, write_html_report
    from beian_audit.safe_output import staged_directory, write_json

    check_choice("language", language, LANGUAGES)
    final = Path(out_dir)
    files: dict[str, Path] = {}
    with staged_directory(final, overwrite=overwrite) as stage:
        table = data.statistics
        files["statistics_xlsx"] = table.to_excel(stage / "statistics_table.xlsx")
        files["statistics_csv"] = table.to_csv(stage / "statistics_table.csv")
        files["statistics_json"] = write_json(table.to_dict(), stage / "statistics_table.json",
                                              indent=None)
        document = data.month_status.to_dict()
        document["report"] = {
            "measures": jsonable(data.to_frame().to_dict(orient="records")),
            "verdicts": dict(data.verdicts),
            "accessed_sites_recorded": data.accessed_sites_recorded,
        }
        files["status"] = write_json(document, stage / "status.json")
        if data.unfiled_ranking is not None:
            files["unfiled_ranking"] = data.unfiled_ranking.to_csv(
                stage / "unfiled_ranking.csv")
        if html:
            files["html"] = write_html_report(data, stage / "report.html",
                                              language=language)
    return MonthReport(
        month=data.month, province=data.province, out_dir=final,
        files={k: final / p.relative_to(stage) for k, p in files.items()},
        verdicts=dict(data.verdicts), complete=bool(data.month_status.complete),
        notes=tuple(data.month_status.notes),
    )


# --------------------------------------------------------------------------- mixin
class MonthlyReportMixin(LedgerParts):
    """The monthly report of a :class:`~beian_audit.ledger.Ledger` (``report``, ``report_data``)."""

    def report_data(
        self,
        month: str,
        province: str,
        *,
        targets: Mapping[str, float | None] | None = None,
        nonresponse: str = "mar",
        confidence_level: float = 0.95,
        method: str = "korn-graubard",
    ) -> Any:
        """Everything the month's report shows, read from the ledger.

        See :func:`~beian_audit.ledger.monthly_report.month_report_data`;
        pass the result (or ``ledger.month(month, province)``) to
        :func:`~beian_audit.reporting.write_html_report`.
        """
        return month_report_data(self, month, province, targets=targets,
                                 nonresponse=nonresponse, confidence_level=confidence_level,
                                 method=method)

    def report(
        self,
        month: str,
        province: str,
        out_dir: str | os.PathLike[str],
        *,
        html: bool = True,
        language: str = "zh",
        targets: Mapping[str, float | None] | None = None,
        nonresponse: str = "mar",
        confidence_level: float = 0.95,
        method: str = "korn-graubard",
        overwrite: bool = True,
    ) -> Any:
        """Write the month's report: ``report.html``, the statistics table, the status.

        The workflow step between ``status`` and ``close_month``
        (``beian-audit month report``). Everything is read from the ledger:
        the verdicts from the current outcomes (as :meth:`status`), the filing
        rate and the top-ten ranking from the accessed-site counts
        (:meth:`record_accessed_sites`), the 18-row table
        (:meth:`statistics_table`), the trend from the months up to this one
        (:meth:`panels`), the methodology from the manifest recorded at draw
        time. See :mod:`beian_audit.ledger.monthly_report`.

        Parameters
        ----------
        month, province : str
            A drawn month of the ledger (open or closed).
        out_dir : path
            Directory of the files (created; other files in it are kept).
        html : bool, default True
            Also write ``report.html``, the month on one self-contained page.
        language : {"zh", "en"}, default "zh"
            Language of ``report.html``.
        targets : mapping, optional
            ``"filing_rate"`` (default 0.995), ``"sponsor"`` (0.75),
            ``"access"`` (none) → target, ``None`` for no target.
        nonresponse : {"mar", "worst", "best", "bounds"}, default "mar"
            How unreachable and refused filings count (as :meth:`status`).
        confidence_level : float, default 0.95
        method : str, default "korn-graubard"
        overwrite : bool, default True
            ``False``: raise :class:`~beian_audit.errors.OutputExistsError`
            (before any file is moved) when a report file exists in ``out_dir``.

        Returns
        -------
        MonthReport
            The files written and the verdicts shown.

        Raises
        ------
        PeriodStateError
            The month is not in the ledger or not drawn yet.
        """
        from beian_audit._options import check_choice
        from beian_audit.errors import OutputExistsError

        check_choice("language", language, ("zh", "en"))
        if not overwrite:  # before the work (write_month_report checks again at the end)
            skip = {"unfiled_ranking.csv"} | (set() if html else {"report.html"})
            for name in MONTH_REPORT_FILES:
                if name not in skip and (Path(out_dir) / name).exists():
                    raise OutputExistsError(f"{str(Path(out_dir) / name)!r} exists; pass "
                                            "overwrite=True (CLI: --force) to replace it")
        data = month_report_data(self, month, province, targets=targets,
                                 nonresponse=nonresponse, confidence_level=confidence_level,
                                 method=method)
        return write_month_report(data, out_dir, html=html,
                                  language=language,  # type: ignore[arg-type]
                                  overwrite=overwrite)
