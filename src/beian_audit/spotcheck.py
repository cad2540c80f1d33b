"""The monthly spot check end to end: the main job of a support centre.

read → check → plan → draw → verification outcomes → estimate → assess → report.

:func:`run_spot_check` runs the chain on a registry; the verification outcomes
come from the auditors' filled worksheet (``outcomes=``, see
:func:`beian_audit.sampling.read_worksheet`) or, for the synthetic registry, from
its ground truth (what a perfect human verifier would find).
:func:`write_spot_check` writes the report files; ``beian-audit demo`` and
``make demo`` run both on the bundled registry.

Examples
--------
>>> import beian_audit as ba
>>> result = run_spot_check(ba.load_synthetic_registry(), providers=ba.load_providers(),
...                         accessed_sites=ba.load_accessed_sites(), seed=2013)
>>> result.assessments["sponsor_accuracy"].status
'not_met'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from beian_audit._results import SCHEMA_VERSION, ResultMixin, jsonable
from beian_audit.errors import ArgumentError
from beian_audit.estimation.nonresponse import blank_as_pending
from beian_audit.privacy import mask_frame

__all__ = [
    "DEFAULT_TARGETS",
    "REPORT_FILES",
    "SpotCheckResult",
    "run_spot_check",
    "sample_from_manifest",
    "write_spot_check",
]

#: The 2013 campaign's targets (MIIT special action plan): filing rate 99.5 %,
#: sponsor-information accuracy 75 %. Targets are parameters, not constants.
DEFAULT_TARGETS: Mapping[str, float] = {"filing_rate": 0.995, "sponsor_accuracy": 0.75}

_OUTCOMES = {"sponsor_accuracy": "sponsor_ok", "access_accuracy": "access_ok"}

#: Every file :func:`write_spot_check` may write (the statistics table only with
#: ``providers``, ``report.html`` only with ``html=True``).
REPORT_FILES: tuple[str, ...] = (
    "summary.json",
    "manifest.json",
    "estimates_by_provider.csv",
    "check_summary.csv",
    "worksheet.xlsx",
    "provider_ranking.csv",
    "provider_accuracy.png",
    "statistics_table.xlsx",
    "statistics_table.csv",
    "statistics_table.json",
    "report.html",
)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class SpotCheckResult(ResultMixin):
    """Everything one monthly spot check produced.

    Attributes
    ----------
    filings : DataFrame
        The canonical registry that was checked.
    checks : CheckReport
        Automatic checks of every filing.
    sample : Sample
        The drawn sample (with manifest).
    outcomes : DataFrame
        Sampled rows with the design columns and ``sponsor_ok`` / ``access_ok``.
    estimates : dict of str to ProportionEstimate
        ``sponsor_accuracy`` and ``access_accuracy`` (each with domains by provider).
    filing_rate : object or None
        Filing-rate result when an accessed-site list was given.
    assessments : dict of str to TargetAssessment
        One per target.
    month : str
        The reporting month, ``YYYY-MM``.
    targets : dict of str to float
        The targets assessed.
    progress : dict of str to VerificationProgress
        Per outcome (``sponsor_ok``, ``access_ok``): filings drawn, filings
        verified and the keys still without an outcome (empty when the outcomes
        came from the synthetic truth).
    """

    filings: pd.DataFrame
    checks: Any
    sample: Any
    outcomes: pd.DataFrame
    estimates: dict[str, Any]
    filing_rate: Any
    assessments: dict[str, Any]
    month: str
    targets: dict[str, float] = field(default_factory=dict)
    progress: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """``True`` when every check ran and every drawn filing has its outcomes."""
        checks_complete = bool(getattr(self.checks, "complete", True))
        return checks_complete and all(p.complete for p in self.progress.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready output; ``complete`` is ``False`` for a partial result."""
        out = ResultMixin.to_dict(self)
        out["complete"] = self.complete
        out["verification"] = {k: p.to_dict() for k, p in self.progress.items()}
        skipped = getattr(self.checks, "skipped", None)
        out["skipped_checks"] = (
            [] if skipped is None else jsonable(skipped.to_dict(orient="records"))
        )
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per measure: estimate, interval, target, status."""
        rows = []
        for name, assessment in self.assessments.items():
            est = self._measure(name)
            ci = est.ci if est is not None else None
            rows.append(
                {
                    "measure": name,
                    "estimate": None if est is None else float(est.estimate),
                    "ci_low": None if ci is None else float(ci.low),
                    "ci_high": None if ci is None else float(ci.high),
                    "n": None if est is None else int(est.n),
                    "target": self.targets.get(name),
                    "status": assessment.status,
                    "complete": self._measure_complete(name),
                }
            )
        for name, est in self.estimates.items():
            if name not in self.assessments:
                rows.append(
                    {
                        "measure": name,
                        "estimate": float(est.estimate),
                        "ci_low": float(est.ci.low),
                        "ci_high": float(est.ci.high),
                        "n": int(est.n),
                        "target": None,
                        "status": None,
                        "complete": self._measure_complete(name),
                    }
                )
        return pd.DataFrame(rows)

    def _measure_complete(self, name: str) -> bool:
        progress = self.progress.get(_OUTCOMES.get(name, ""))
        return progress is None or bool(progress.complete)

    def _measure(self, name: str) -> Any:
        if name == "filing_rate":
            return getattr(self.filing_rate, "estimate_result", self.filing_rate)
        return self.estimates.get(name)

    def _summary(self) -> str:
        parts = [f"{self.month}: {len(self.filings)} filings, {len(self.outcomes)} sampled"]
        for name, assessment in self.assessments.items():
            parts.append(f"{name} {assessment.status}")
        if not self.complete:
            parts.append("PARTIAL")
        return ", ".join(parts)

    def summary_text(self) -> str:
        """A short multi-line summary for a terminal."""
        lines = [f"beian_audit spot check {self.month}"]
        lines.append(
            f"  filings checked: {len(self.filings):,}; machine verdict: sponsor info ok "
            f"{self.checks.verdict['sponsor_info_ok'].mean():.1%}"
        )
        lines.append(
            f"  sample: {len(self.outcomes):,} filings from "
            f"{self.outcomes['provider_id'].nunique()} providers (seed {self.sample.seed})"
        )
        rows: list[dict[Any, Any]] = self.to_frame().to_dict(orient="records")
        for row in rows:
            target = "" if pd.isna(row["target"]) else f" vs target {row['target']:.1%}"
            status = f": {row['status'].upper()}" if isinstance(row["status"], str) else ""
            lines.append(
                f"  {row['measure']}: {row['estimate']:.2%} "
                f"[{row['ci_low']:.2%}, {row['ci_high']:.2%}]{target}{status}"
            )
        for progress in self.progress.values():
            if not progress.complete:
                lines.append(f"  PARTIAL: {progress}")
        skipped = getattr(self.checks, "skipped", None)
        if skipped is not None and len(skipped):
            lines.append(f"  PARTIAL: {len(skipped)} automatic checks skipped "
                         f"({', '.join(skipped['check'].astype(str)[:4])} …)")
        return "\n".join(lines)


def _truth_outcomes(sampled: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("truth_sponsor_ok", "truth_access_ok") if c not in sampled.columns]
    if missing:
        from beian_audit.errors import SampleDesignError

        raise SampleDesignError(
            f"outcomes were not given and the registry has no ground truth ({missing!r}); "
            "pass outcomes=read_worksheet(path) with the auditors' verdicts"
        )
    return pd.DataFrame(
        {
            "sponsor_ok": sampled["truth_sponsor_ok"].astype("boolean"),
            "access_ok": sampled["truth_access_ok"].astype("boolean"),
        },
        index=sampled.index,
    )


def check_month(month: str) -> str:
    """Validate a reporting month ``YYYY-MM`` (2000-01 … 2100-12) and return it.

    Examples
    --------
    >>> check_month("2013-05")
    '2013-05'
    >>> check_month("2013-5")
    Traceback (most recent call last):
    ...
    beian_audit.errors.ArgumentError: month ('2013-5') must be YYYY-MM, e.g. '2013-05'
    """
    import re

    match = re.fullmatch(r"(\d{4})-(\d{2})", month) if isinstance(month, str) else None
    if match is None or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
        raise ArgumentError(f"month ({month!r}) must be YYYY-MM, e.g. '2013-05'")
    return month


def sample_from_manifest(filings: pd.DataFrame, manifest: Mapping[str, Any]) -> Any:
    """Re-draw the sample a worksheet's manifest describes, and check it is the same.

    Parameters
    ----------
    filings : DataFrame
        The registry the sample was drawn from.
    manifest : mapping
        ``Sample.manifest`` (e.g. ``read_worksheet(path).attrs["manifest"]``).

    Returns
    -------
    Sample

    Raises
    ------
    SampleDesignError
        The manifest is not a sample manifest, or the registry does not
        reproduce the sample (another registry or an edited manifest).
    """
    from beian_audit.errors import SampleDesignError
    from beian_audit.sampling import draw_sample, verify_sample
    from beian_audit.sampling.plan import plan_from_design

    needed = [k for k in ("design", "seed", "key") if k not in manifest]
    if needed:
        raise SampleDesignError(f"the manifest has no {', '.join(needed)}: not a sample manifest")
    plan = plan_from_design(filings, manifest["design"])
    sample = draw_sample(filings, plan, seed=int(manifest["seed"]), key=str(manifest["key"]),
                         period=int(manifest.get("period", 0)),
                         rotation=float(manifest.get("rotation", 0.0)))
    if not verify_sample(filings, dict(manifest), sample.frame):
        raise SampleDesignError(
            "the registry does not reproduce the worksheet's sample "
            "(a different registry, or an edited manifest)"
        )
    return sample


def run_spot_check(
    registry: pd.DataFrame | str | Path,
    *,
    providers: pd.DataFrame | None = None,
    accessed_sites: pd.DataFrame | None = None,
    outcomes: pd.DataFrame | None = None,
    seed: int = 2013,
    month: str = "2013-05",
    allocation: str = "tianjin",
    n: int | None = None,
    targets: Mapping[str, float] = DEFAULT_TARGETS,
    method: str = "korn-graubard",
    confidence_level: float = 0.95,
    progress: bool = False,
    manifest: Mapping[str, Any] | None = None,
) -> SpotCheckResult:
    """Run the monthly spot check: read, check, plan, draw, estimate, assess.

    Parameters
    ----------
    registry : DataFrame or path
        The registry of filings (anything :func:`~beian_audit.read_filings` reads).
    providers : DataFrame, optional
        Provider table (``provider_id``, ``ip_ranges``) for the access checks.
    accessed_sites : DataFrame, optional
        Sites the providers report as accessed (``domain``, ``provider_id``);
        gives the filing rate.
    outcomes : DataFrame, optional
        Verification outcomes with the key column, ``sponsor_ok`` and
        ``access_ok`` (e.g. from :func:`~beian_audit.sampling.read_worksheet`).
        Default: the synthetic ground truth of the sampled filings. Drawn
        filings without an outcome are left out of the estimates, counted in
        ``progress`` and make the result partial (``complete`` is ``False``,
        with an :class:`~beian_audit.errors.IncompleteSampleWarning`).
    seed : int, default 2013
        Seed of the permanent random numbers; recorded in the manifest.
    month : str, default "2013-05"
        Reporting month ``YYYY-MM``.
    allocation : str, default "tianjin"
        Allocation across access providers (see
        :func:`~beian_audit.sampling.plan_sample`); the default is the provincial
        rule 1 → 1, 2–49 → 2, 50–100 → 3, > 100 → 3 %.
    n : int, optional
        Total sample size (not used by the ``"tianjin"`` rule).
    targets : mapping, default DEFAULT_TARGETS
        Measure → target; measures are ``sponsor_accuracy``,
        ``access_accuracy`` and ``filing_rate``.
    method, confidence_level : str, float
        Interval method and level of the estimates (see
        :func:`~beian_audit.estimate_proportion`).
    progress : bool, default False
        Progress bars on the long steps.
    manifest : mapping, optional
        The manifest of the sample the outcomes belong to (e.g.
        ``read_worksheet(path).attrs["manifest"]``; taken from
        ``outcomes.attrs`` when there). The sample is then re-drawn from it
        (:func:`sample_from_manifest`) instead of planned with
        ``allocation``, ``n`` and ``seed``.

    Returns
    -------
    SpotCheckResult

    Raises
    ------
    SampleDesignError
        No outcomes and no synthetic truth; or the registry does not reproduce
        the manifest's sample.
    EstimationError
        No drawn filing has an outcome yet. (An outcome nobody filled in, e.g.
        ``access_ok`` when only the sponsor information was verified, is not
        estimated and the result is partial.)
    """
    from beian_audit.checks.filings import check_filings
    from beian_audit.estimation import assess_target, estimate_proportion
    from beian_audit.io import read_filings
    from beian_audit.sampling import draw_sample, plan_sample

    check_month(month)
    filings = read_filings(registry)
    checks = check_filings(filings, providers=providers, progress=progress)
    if manifest is None and outcomes is not None:
        manifest = outcomes.attrs.get("manifest") or None
    if manifest is not None:
        sample = sample_from_manifest(filings, manifest)
    else:
        plan = plan_sample(filings, strata="provider_id", allocation=allocation, n=n)  # type: ignore[arg-type]
        sample = draw_sample(filings, plan, seed=seed)
    sampled = sample.frame
    progress_by: dict[str, Any] = {}
    if outcomes is None:
        found = _truth_outcomes(sampled)
    else:
        from beian_audit.sampling import verification_progress

        key = sample.key
        merged = sampled[[key]].merge(
            outcomes[[key, "sponsor_ok", "access_ok"]], on=key, how="left", validate="1:1"
        )
        found = merged[["sponsor_ok", "access_ok"]].set_axis(sampled.index)
        for column in ("sponsor_ok", "access_ok"):
            progress_by[column] = verification_progress(merged, outcome=column, key=key)
        _check_progress(progress_by)
        found = found.apply(blank_as_pending)
    data = sampled.assign(**{c: found[c] for c in found.columns})
    estimates = {
        name: estimate_proportion(
            data,
            column,
            by="provider_id",
            method=method,  # type: ignore[arg-type]
            confidence_level=confidence_level,
            missing="drop",  # type: ignore[arg-type]
        )
        for name, column in _OUTCOMES.items()
        if bool(data[column].notna().any())  # an outcome nobody filled in is not estimated
    }
    rate = None
    if accessed_sites is not None:
        from beian_audit.estimation.filing_rate import filing_rate

        rate = filing_rate(accessed_sites, filings)
    assessments = {}
    subject: Any
    for name, target in targets.items():
        if name == "filing_rate":
            if rate is None:
                continue
            subject = getattr(rate, "estimate_result", rate)
        elif name in estimates:
            subject = estimates[name]
        else:
            continue
        assessments[name] = assess_target(subject, target, confidence_level=confidence_level)
    return SpotCheckResult(
        filings=filings,
        checks=checks,
        sample=sample,
        outcomes=data,
        estimates=estimates,
        filing_rate=rate,
        assessments=assessments,
        month=month,
        targets=dict(targets),
        progress=progress_by,
    )


def _check_progress(progress: Mapping[str, Any]) -> None:
    import warnings

    from beian_audit.errors import EstimationError, IncompleteSampleWarning

    if all(state.n_verified == 0 for state in progress.values()):
        state = next(iter(progress.values()))
        raise EstimationError(
            f"no drawn filing has an outcome yet (0 of {state.n_drawn} verified): "
            "fill in the worksheet first"
        )
    for state in progress.values():
        if not state.complete:
            warnings.warn(
                f"the result is partial: {state}", IncompleteSampleWarning, stacklevel=3
            )


def _write_sponsor_files(result: SpotCheckResult, out: Path, files: dict[str, Path]) -> None:
    """The provider ranking and the forest plot of sponsor-information accuracy."""
    from beian_audit.reporting import plot_forest, rank_providers
    from beian_audit.safe_output import write_table

    ranking = rank_providers(result.outcomes, "sponsor_ok", rng=result.sample.seed)
    files["ranking"] = write_table(
        mask_frame(ranking.to_frame(), columns={}), out / "provider_ranking.csv"
    )
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    sponsor = result.estimates["sponsor_accuracy"]
    fig, ax = plt.subplots(figsize=(7, max(4.0, 0.22 * len(sponsor.table))))
    plot_forest(sponsor, target=result.targets.get("sponsor_accuracy"), ax=ax)
    ax.set_title(f"Sponsor-information accuracy by access provider, {result.month}")
    fig.tight_layout()
    files["plot"] = out / "provider_accuracy.png"
    fig.savefig(files["plot"], dpi=120)
    plt.close(fig)


def province_table(
    result: SpotCheckResult,
    *,
    province: str,
    providers: pd.DataFrame,
    accessed_sites: pd.DataFrame | None = None,
    review_log: pd.DataFrame | None = None,
    enforcement: pd.DataFrame | None = None,
    method: str = "korn-graubard",
) -> Any:
    """The province's monthly statistics table from a national spot check.

    Rows 12–13 are re-estimated from the part of the sample whose access
    providers are located in the province (whole provider strata, so the
    stratified estimator stays design-unbiased), never from averaging rates.
    """
    from beian_audit._provinces import province_codes
    from beian_audit.estimation import estimate_proportion
    from beian_audit.reporting import statistics_table

    code = province_codes(pd.Series([province])).iloc[0]
    if code is None:
        raise ArgumentError(f"province ({province!r}) is not a known province name or code")
    table = providers.drop_duplicates("provider_id")
    homes = province_codes(table["home_province"].astype(object))
    local = set(table["provider_id"][(homes == code).to_numpy()])
    data = result.outcomes[result.outcomes["provider_id"].isin(local)]
    estimates = {}
    if len(data):
        for name, column in _OUTCOMES.items():
            if bool(data[column].notna().any()):
                estimates[name] = estimate_proportion(
                    data, column, method=method, missing="drop"  # type: ignore[arg-type]
                )
    year, month = (int(x) for x in result.month.split("-"))
    return statistics_table(
        province=code,
        month=month,
        year=year,
        registry=result.filings,
        accessed_sites=accessed_sites,
        providers=providers,
        sample=result.outcomes,
        sponsor_accuracy=estimates.get("sponsor_accuracy"),
        access_accuracy=estimates.get("access_accuracy"),
        review_log=review_log,
        enforcement=enforcement,
    )


def write_spot_check(
    result: SpotCheckResult,
    out: str | Path,
    *,
    providers: pd.DataFrame | None = None,
    accessed_sites: pd.DataFrame | None = None,
    province: str | None = None,
    review_log: pd.DataFrame | None = None,
    enforcement: pd.DataFrame | None = None,
    overwrite: bool = True,
    html: bool = False,
    language: str = "zh",
    table: Any = None,
    panels: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Write the report files of a spot check under ``out``.

    Files: ``summary.json`` (estimates, assessments, manifest; versioned schema),
    ``estimates_by_provider.csv``, ``check_summary.csv``, ``worksheet.xlsx``
    (masked), ``manifest.json``, ``provider_ranking.csv`` and
    ``provider_accuracy.png`` (forest plot with the target); with ``providers``
    also the province's statistics table ``statistics_table.xlsx`` / ``.json`` /
    ``.csv`` (default province: the one hosting most filings). Personal data is
    masked in every file, and every CSV / XLSX is safe to open in a
    spreadsheet program (:mod:`beian_audit.safe_output`). With ``html=True``
    also ``report.html``, the month on one self-contained page
    (:func:`~beian_audit.reporting.html_report.write_html_report`, in
    ``language`` ``"zh"`` or ``"en"``). ``table`` (a ``StatisticsTable``, e.g.
    read from a ledger with ``Ledger.statistics_table``) is written instead of
    the table computed from the spot check; ``panels`` (measure →
    ``MonthlyPanel``, e.g. ``Ledger.panels``) gives ``report.html`` its trend.

    The files are first written into a hidden staging directory next to
    ``out`` and moved into ``out`` (one atomic rename per file) only when all
    of them are complete: a failure half-way leaves ``out`` as it was, with
    no partial file. Other files already in ``out`` are kept. With
    ``overwrite=False`` an :class:`~beian_audit.errors.OutputExistsError` is
    raised, before anything is moved, when one of the report files exists.

    Returns
    -------
    dict
        Name → path of every file written.
    """
    from beian_audit.safe_output import staged_directory

    final = Path(out)
    with staged_directory(final, overwrite=overwrite) as stage:
        files = _write_report_files(
            result,
            stage,
            providers=providers,
            accessed_sites=accessed_sites,
            province=province,
            review_log=review_log,
            enforcement=enforcement,
            html=html,
            language=language,
            given_table=table,
            panels=panels,
        )
    return {name: final / path.relative_to(stage) for name, path in files.items()}


def _write_report_files(
    result: SpotCheckResult,
    out: Path,
    *,
    providers: pd.DataFrame | None,
    accessed_sites: pd.DataFrame | None,
    province: str | None,
    review_log: pd.DataFrame | None,
    enforcement: pd.DataFrame | None,
    html: bool = False,
    language: str = "zh",
    given_table: Any = None,
    panels: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    from beian_audit.safe_output import write_json, write_table

    if html:
        from beian_audit._options import check_choice

        check_choice("language", language, ("zh", "en"))  # before any file is written

    files: dict[str, Path] = {}
    form: Any = None  # the statistics table, for report.html

    summary = {
        "schema_version": SCHEMA_VERSION,
        "kind": "SpotCheck",
        "month": result.month,
        "n_filings": len(result.filings),
        "n_sampled": len(result.outcomes),
        "measures": jsonable(result.to_frame().to_dict(orient="records")),
        "manifest": jsonable(result.sample.manifest),
    }
    files["summary"] = write_json(summary, out / "summary.json")
    files["manifest"] = write_json(result.sample.manifest, out / "manifest.json")
    frames = []
    for name, est in result.estimates.items():
        table = est.to_frame()
        table.insert(0, "measure", name)
        frames.append(table)
    files["estimates"] = write_table(
        mask_frame(pd.concat(frames, ignore_index=True), columns={}),
        out / "estimates_by_provider.csv",
    )
    files["checks"] = write_table(
        mask_frame(result.checks.summary(by="provider_id"), columns={}), out / "check_summary.csv"
    )
    files["worksheet"] = result.sample.to_worksheet(
        out / "worksheet.xlsx", checks=result.checks  # flags and findings in Chinese
    )

    if "sponsor_accuracy" in result.estimates:  # absent when no sponsor outcome was filled in
        _write_sponsor_files(result, out, files)

    table = given_table
    if table is None and providers is not None:
        if province is None:
            counts = result.filings["provider_id"].map(
                providers.set_index("provider_id")["home_province"]
            )
            province = str(counts.value_counts().index[0])
        table = province_table(
            result,
            province=province,
            providers=providers,
            accessed_sites=accessed_sites,
            review_log=review_log,
            enforcement=enforcement,
        )
    if table is not None:
        files["statistics_xlsx"] = table.to_excel(out / "statistics_table.xlsx")
        files["statistics_csv"] = table.to_csv(out / "statistics_table.csv")
        files["statistics_json"] = write_json(table.to_dict(), out / "statistics_table.json",
                                              indent=None)  # fmt: skip
        form = table
    if html:
        from beian_audit.reporting.html_report import write_html_report

        files["html"] = write_html_report(result, out / "report.html", table=form,
                                          panels=panels,
                                          language=language)  # type: ignore[arg-type]
    return files
