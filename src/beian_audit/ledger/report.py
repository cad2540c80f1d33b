"""The statistics table and the monthly panel, read from a ledger.

:func:`statistics_table_from_ledger` gathers every input of the 18-row table
(:func:`~beian_audit.reporting.statistics_table`) from the ledger's records of
one month × province, and :func:`monthly_panel_from_ledger` stacks the months
of a province into a :func:`~beian_audit.monthly_panel`. Both are methods of
:class:`~beian_audit.ledger.Ledger` too (``statistics_table``, ``panel``,
``panels``). Nothing here is computed differently from the reporting and
estimation functions: the ledger only supplies their inputs.

Where each row comes from:

=====  ==================================================================
rows   ledger records
=====  ==================================================================
1, 8,  ``registry_counts`` of the month (recorded by ``open_month`` from the
9      registry: filings and verification material per access provider)
2      ``registry_counts`` ``accessed_sites`` / ``unfiled_sites``
       (:meth:`Ledger.record_accessed_sites`)
3, 4   ``review_log`` rows of the province in the period (``quantity``)
5–7    ``provider_integration``: the latest status of each provider of the
       province as of the last day of the month
10–13  the month's drawn sample and current outcomes (design-based
       estimates from the status words: unreachable and refused filings
       are nonresponse, reweighted within their stratum by default;
       pending ones are carried by the resolved rows of their stratum)
14–18  ``enforcement_events`` of the province in the period, and
       ``blacklist_entries`` of kind ``website`` or ``domain`` listed in the
       period for a month of the province (row 16)
=====  ==================================================================

A log with no record at all for the province leaves its rows empty
(``missing``) rather than reporting a silent zero.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from beian_audit.errors import ArgumentError, PeriodStateError
from beian_audit.ledger import schema as t
from beian_audit.ledger._args import _month, _province
from beian_audit.ledger.monthly_report import MonthlyReportMixin
from beian_audit.privacy import scrub_text

__all__ = [
    "PANEL_MEASURES",
    "ReportMixin",
    "accessed_site_counts",
    "monthly_panel_from_ledger",
    "province_scope",
    "registry_counts",
    "statistics_table_from_ledger",
]

#: Measures of :func:`monthly_panel_from_ledger` and the aspect each one reads.
PANEL_MEASURES: Mapping[str, str] = {"sponsor_accuracy": "sponsor", "access_accuracy": "access"}

#: Ledger enforcement kinds → the ``action`` codes of the statistics table.
_ACTIONS = {"closure_local": "closed_local", "closure_ministry": "closed_ministry",
            "interview": "interview", "notice": "notice", "penalty": "penalty"}
#: Blacklist kinds that count as websites put on the blacklist (row 16).
_BLACKLISTED_SITES = ("website", "domain")
#: Rows filled from ``registry_counts``: row key → measure.
_STOCK_ROWS = {"filed_websites": "filings", "websites_material_uploaded": "material_uploaded",
               "websites_material_missing": "material_missing",
               "unfiled_websites": "unfiled_sites"}
_SOURCES = {
    "filed_websites": "ledger registry_counts 'filings' of the province's providers",
    "unfiled_websites": "ledger registry_counts 'unfiled_sites' of the province's providers",
    "filings_reviewed": "ledger review_log kind 'review' in the period (quantity)",
    "enquiries_handled": "ledger review_log kind 'enquiry' in the period (quantity)",
    "providers_in_province": "ledger provider_integration: providers of the province",
    "providers_integrated": "ledger provider_integration: latest status 'integrated' "
                            "at the end of the month",
    "providers_not_integrated": "ledger provider_integration: latest status "
                                "'not_integrated' at the end of the month",
    "websites_material_uploaded": "ledger registry_counts 'material_uploaded'",
    "websites_material_missing": "ledger registry_counts 'material_missing'",
    "providers_spot_checked": "ledger sample_units of the month: distinct provider_id",
    "websites_spot_checked": "ledger sample_units of the month",
    "sponsor_accuracy_pct": "ledger outcomes (sponsor, current): design-based estimate x 100",
    "access_accuracy_pct": "ledger outcomes (access, current): design-based estimate x 100",
    "closed_with_local_authorities": "ledger enforcement_events 'closure_local' in the period",
    "closed_with_ministry": "ledger enforcement_events 'closure_ministry' in the period",
    "websites_blacklisted": "ledger blacklist_entries (website, domain) listed in the period",
    "interviews_and_notices": "ledger enforcement_events 'interview' and 'notice' in the "
                              "period",
    "administrative_penalties": "ledger enforcement_events 'penalty' in the period",
}


# --------------------------------------------------------------------------- stock counts
def _distinct(frame: pd.DataFrame, mask: pd.Series, key: str | None) -> pd.Series:
    part = frame.loc[mask.to_numpy(bool)]
    if key is not None and key in part.columns:
        return part.groupby("provider_id", sort=True, observed=True)[key].nunique()
    return part.groupby("provider_id", sort=True, observed=True).size()


def registry_counts(registry: pd.DataFrame, key: str = "website_id") -> pd.DataFrame:
    """Stock counts of a registry per access provider: what rows 1, 8 and 9 need.

    Returns a long frame ``provider_id``, ``measure`` (``filings``,
    ``material_uploaded``, ``material_missing``), ``value`` (distinct
    ``key``). Filings whose ``material_uploaded`` is unknown are in neither
    material count. No row of the registry is kept. A registry without
    ``provider_id`` gives an empty frame.

    Examples
    --------
    >>> reg = pd.DataFrame({"website_id": ["W1", "W2", "W3"], "provider_id": ["P1", "P1", "P2"],
    ...                     "material_uploaded": [True, False, None]})
    >>> registry_counts(reg).pivot(index="provider_id", columns="measure", values="value")
    measure      filings  material_missing  material_uploaded
    provider_id
    P1                 2                 1                  1
    P2                 1                 0                  0
    """
    if "provider_id" not in registry.columns:
        return pd.DataFrame(columns=["provider_id", "measure", "value"])
    frame = registry.assign(provider_id=registry["provider_id"].astype(object))
    frame = frame[frame["provider_id"].notna()]
    everything = pd.Series(True, index=frame.index)
    parts = {"filings": _distinct(frame, everything, key)}
    if "material_uploaded" in frame.columns:
        flag = frame["material_uploaded"].astype("boolean")
        parts["material_uploaded"] = _distinct(frame, flag.fillna(False), key)
        parts["material_missing"] = _distinct(frame, (~flag).fillna(False), key)
    return _long(parts)


def accessed_site_counts(accessed_sites: pd.DataFrame,
                         registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Accessed sites and unfiled ones per access provider: what row 2 needs.

    A site is unfiled when its observed ``filed`` column is false, else when
    :func:`~beian_audit.reporting.match_accessed_sites` finds no filing of its
    registered domain in ``registry`` (the synthetic ``truth_filed`` is never
    used). Sites counted by distinct ``site_id``.

    Returns a long frame ``provider_id``, ``measure`` (``accessed_sites``,
    ``unfiled_sites``), ``value``.
    """
    if "provider_id" not in accessed_sites.columns:
        raise ArgumentError("accessed_sites needs a provider_id column")
    acc = accessed_sites.assign(provider_id=accessed_sites["provider_id"].astype(object))
    if "filed" in acc.columns:
        filed = acc["filed"].astype("boolean")
    elif registry is not None:
        from beian_audit.reporting.rankings import match_accessed_sites

        filed = match_accessed_sites(accessed_sites, registry)["filed"].astype("boolean")
        filed.index = acc.index
    else:
        raise ArgumentError("accessed_sites has no 'filed' column: give the registry to match "
                            "its domains against")
    acc = acc[acc["provider_id"].notna()]
    filed = filed.loc[acc.index]
    everything = pd.Series(True, index=acc.index)
    return _long({"accessed_sites": _distinct(acc, everything, "site_id"),
                  "unfiled_sites": _distinct(acc, (~filed).fillna(False), "site_id")})


def _long(parts: Mapping[str, pd.Series]) -> pd.DataFrame:
    providers = sorted(set().union(*(set(p.index) for p in parts.values())), key=str)
    frames = [pd.DataFrame({"provider_id": [str(p) for p in providers], "measure": measure,
                            "value": part.reindex(providers, fill_value=0).astype(np.int64)
                            .to_numpy()})
              for measure, part in parts.items()]
    return pd.concat(frames, ignore_index=True)


def _count_rows(period_id: int, counts: pd.DataFrame, source: str,
                now: dt.datetime) -> list[dict[str, Any]]:
    return [{"period_id": period_id, "provider_id": str(p)[:64], "measure": str(m),
             "value": int(v), "source": scrub_text(source), "recorded_at": now}
            for p, m, v in zip(counts["provider_id"], counts["measure"], counts["value"],
                               strict=True)]


# --------------------------------------------------------------------------- the table
def _bounds(month: str) -> tuple[int, int, dt.date]:
    year, mon = (int(x) for x in month.split("-"))
    return year, mon, dt.date(year, mon, calendar.monthrange(year, mon)[1])


def _providers(ledger: Any, end: dt.date, providers: pd.DataFrame | None) -> pd.DataFrame | None:
    integration = ledger.integration(as_of=end)
    status = dict(zip(integration["provider_id"].astype(str),
                      integration["status"] == "integrated", strict=True))
    if providers is not None:
        frame = providers.copy()
        missing = [c for c in ("provider_id", "home_province") if c not in frame.columns]
        if missing:
            raise ArgumentError(f"providers needs the column(s) {missing}")
        if status:
            known = frame["provider_id"].astype(str).map(status)
            before = (frame["integration_passed"].astype("boolean")
                      if "integration_passed" in frame.columns
                      else pd.Series(pd.NA, index=frame.index, dtype="boolean"))
            frame["integration_passed"] = known.astype("boolean").fillna(before)
        return frame
    if integration.empty:
        return None
    return pd.DataFrame({
        "provider_id": integration["provider_id"].astype(str),
        "home_province": integration["province"].astype(object),
        "integration_passed": (integration["status"] == "integrated").astype("boolean"),
    })


def _scope(prov: pd.DataFrame | None, code: str) -> set[str] | None:
    """The providers whose home is the province (``None``: not known)."""
    if prov is None:
        return None
    from beian_audit._provinces import province_codes

    homes = prov["home_province"].astype(object)
    return set(prov.loc[(province_codes(homes) == code).to_numpy(), "provider_id"].astype(str))


def province_scope(ledger: Any, month: str, province: str,
                   providers: pd.DataFrame | None = None) -> set[str] | None:
    """The access providers of a province at the end of a ledger month.

    From the ledger's integration records (or ``providers``), as rows 1, 2,
    8 and 9 of the statistics table count them; ``None`` when neither names
    the province's providers (the counts then take every provider).
    """
    month, code = _month(month), _province(province)
    return _scope(_providers(ledger, _bounds(month)[2], providers), code)


def _logs(ledger: Any, code: str) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    review = ledger.review_log()
    review = review[review["province"] == code]
    review_frame = None if review.empty else pd.DataFrame({
        "date": pd.to_datetime(review["received_on"]), "kind": review["kind"],
        "count": review["quantity"].astype(np.int64), "province": review["province"]})
    events = ledger.enforcement_events()
    events = events[events["province"] == code]
    b, p = t.blacklist_entries, t.periods
    listed = ledger._frame(sa.select(b.c.listed_on, p.c.province)
                           .join(p, p.c.id == b.c.period_id)
                           .where(b.c.kind.in_(_BLACKLISTED_SITES), p.c.province == code))
    if events.empty and listed.empty:
        return review_frame, None
    enforcement = pd.concat([
        pd.DataFrame({"date": pd.to_datetime(events["happened_on"]),
                      "action": events["kind"].map(_ACTIONS), "province": events["province"]}),
        pd.DataFrame({"date": pd.to_datetime(listed["listed_on"]), "action": "blacklisted",
                      "province": listed["province"]}),
    ], ignore_index=True)
    return review_frame, enforcement


def _estimate(design: pd.DataFrame, aspect: str, by: Sequence[str] | None, method: str,
              confidence_level: float, nonresponse: str) -> Any:
    """The design-based estimate of an aspect from the ledger's status words."""
    from beian_audit.estimation import estimate_proportion

    return estimate_proportion(design, f"{aspect}_status", by=by,
                               method=method,  # type: ignore[arg-type]
                               confidence_level=confidence_level,
                               nonresponse=nonresponse)  # type: ignore[arg-type]


def _design(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns
                               if c.endswith(("_reason", "_verifier", "_checked_on"))])


def statistics_table_from_ledger(
    ledger: Any,
    month: str,
    province: str,
    *,
    providers: pd.DataFrame | None = None,
    method: str = "korn-graubard",
    confidence_level: float = 0.95,
    nonresponse: str = "mar",
    period: str = "month",
    province_by: str = "provider",
) -> Any:
    """The month's 18-row statistics table, every input read from the ledger.

    Parameters
    ----------
    ledger : Ledger
    month, province : str
        The ledger month (``YYYY-MM``) and province.
    providers : DataFrame, optional
        Access providers (``provider_id``, ``home_province``) when the
        ledger's integration records do not name every provider of the
        province; their ``integration_passed`` is then taken from the
        ledger where it has a status.
    method, confidence_level
        Interval of rows 12–13 (:func:`~beian_audit.estimate_proportion`).
    nonresponse : {"mar", "worst", "best", "bounds"}, default "mar"
        How unreachable and refused filings count in rows 12–13 (see
        :func:`~beian_audit.estimate_proportion`; ``"mar"`` reweights the
        verified filings of each stratum to carry its nonrespondents, ``"worst"``
        is the ministry's strict reading). Pending filings are left out.
    period : {"month", "year_to_date"}
        Window of the flow rows 3, 4, 14–18.
    province_by : {"provider", "none"}
        See :func:`~beian_audit.reporting.statistics_table`.

    Returns
    -------
    StatisticsTable
        Its ``source`` column names the ledger table of every row; ``notes``
        say how many drawn filings are still without a verified outcome.

    Raises
    ------
    PeriodStateError
        The month is not in the ledger.
    """
    from beian_audit.reporting.statistics_table import statistics_table

    month, code = _month(month), _province(province)
    state = ledger.period(month, code)
    year, mon, end = _bounds(month)
    prov = _providers(ledger, end, providers)
    scope = _scope(prov, code) if province_by == "provider" else None
    counts: dict[str | int, int] = {}
    stock = ledger.registry_counts(month, code)
    if scope is not None or province_by == "none":
        local = stock if scope is None else stock[stock["provider_id"].isin(scope)]
        for key, measure in _STOCK_ROWS.items():
            if bool((stock["measure"] == measure).any()):
                counts[key] = int(local.loc[local["measure"] == measure, "value"].sum())
    review, enforcement = _logs(ledger, code)
    sample = estimates = None
    notes: list[str] = []
    if state.drawn:
        outcomes = ledger.outcomes(month, code)
        sample = outcomes[["provider_id", outcomes.columns[1]]].rename(
            columns={outcomes.columns[1]: "website_id"})
        design = _design(outcomes)
        if scope is not None:
            design = design[design["provider_id"].astype(str).isin(scope)]
        estimates = {}
        for aspect in t.ASPECTS:
            status = design[f"{aspect}_status"]
            open_ = int((~status.isin(("correct", "incorrect"))).sum())
            if open_:
                notes.append(f"{aspect}: {open_} of {len(design)} drawn filing(s) of the "
                             "province have no verified outcome (unreachable or refused: "
                             f"nonresponse, {nonresponse}; "
                             f"{int((status == 'pending').sum())} pending, left out)")
            if bool(design[f"{aspect}_ok"].notna().any()):
                estimates[aspect] = _estimate(design, aspect, None, method, confidence_level,
                                              nonresponse)
    table = statistics_table(
        province=code, month=mon, year=year, providers=prov, review_log=review,
        sample=sample, enforcement=enforcement, counts=counts,
        sponsor_accuracy=None if estimates is None else estimates.get("sponsor"),
        access_accuracy=None if estimates is None else estimates.get("access"),
        province_by=province_by, period=period,  # type: ignore[arg-type]
    )
    rows = table.rows.copy()
    filled = ~rows["missing"].to_numpy(bool)
    rows.loc[filled, "source"] = rows.loc[filled, "key"].map(_SOURCES)
    notes.insert(0, f"read from the ledger: {month} {code} (month {state.status})")
    return dataclasses.replace(table, rows=rows, notes=(*table.notes, *notes))


# --------------------------------------------------------------------------- the panel
def monthly_panel_from_ledger(
    ledger: Any,
    province: str,
    measure: str = "sponsor_accuracy",
    *,
    months: Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    method: str = "korn-graubard",
    confidence_level: float = 0.95,
    nonresponse: str = "mar",
) -> Any:
    """The ledger's months of a province as a :func:`~beian_audit.monthly_panel`.

    Parameters
    ----------
    ledger : Ledger
    province : str
    measure : {"sponsor_accuracy", "access_accuracy"}
    months : list of str, optional
        Months to take (default: every drawn month of the province with at
        least one verified outcome of the measure).
    by : str or list of str, optional
        Domain columns (e.g. ``"provider_id"``); default the overall rate only.
    method, confidence_level, nonresponse
        Of :func:`~beian_audit.estimate_proportion`, on the current outcomes'
        status words (``"mar"``: unreachable and refused filings reweighted
        within their stratum; pending ones carried by the resolved rows of
        their stratum).

    Returns
    -------
    MonthlyPanel

    Raises
    ------
    ArgumentError
        An unknown measure.
    PeriodStateError
        No month of the province has a verified outcome (or a month asked
        for is not in the ledger).
    """
    if measure not in PANEL_MEASURES:
        raise ArgumentError(f"measure ({measure!r}) must be one of {list(PANEL_MEASURES)}")
    found = _panel_estimates(ledger, province, (measure,), months=months, by=by,
                             method=method, confidence_level=confidence_level,
                             nonresponse=nonresponse)
    return _as_panel(found[measure], ledger, province, measure, by)


def _as_panel(estimates: Mapping[str, Any], ledger: Any, province: str, measure: str,
              by: str | Sequence[str] | None) -> Any:
    from beian_audit.estimation.panel import monthly_panel

    if not estimates:
        raise PeriodStateError(f"no month of {_province(province)} in the ledger has a "
                               f"verified {PANEL_MEASURES[measure]} outcome")
    columns: list[str] = [] if by is None else ([by] if isinstance(by, str) else list(by))
    return monthly_panel(estimates, by=columns)


def _panel_estimates(
    ledger: Any, province: str, measures: Sequence[str], *, months: Sequence[str] | None,
    by: str | Sequence[str] | None, method: str, confidence_level: float, nonresponse: str,
    until: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Measure → month → estimate; each month's outcomes are read once.

    ``until``: only the months up to this one (a report of that month).
    """
    code = _province(province)
    periods = ledger.periods()
    drawn = periods[(periods["province"] == code) & periods["n_drawn"].notna()]
    if until is not None:
        drawn = drawn[drawn["month"].astype(str) <= _month(until)]
    wanted = list(drawn["month"]) if months is None else [_month(m) for m in months]
    columns: list[str] = [] if by is None else ([by] if isinstance(by, str) else list(by))
    out: dict[str, dict[str, Any]] = {m: {} for m in measures}
    for month in wanted:
        if month not in set(drawn["month"]):
            raise PeriodStateError(f"{month} {code} is not a drawn month of the ledger")
        design = _design(ledger.outcomes(month, code))
        for measure in measures:
            aspect = PANEL_MEASURES[measure]
            if not bool(design[f"{aspect}_ok"].notna().any()):
                if months is not None:
                    raise PeriodStateError(f"{month} {code} has no verified {aspect} "
                                           "outcome yet")
                continue
            out[measure][month] = _estimate(design, aspect, columns or None, method,
                                            confidence_level, nonresponse)
    return out


def _filing_rates(ledger: Any, province: str, *, months: Sequence[str] | None,
                  until: str | None, method: str, confidence_level: float) -> dict[str, Any]:
    """Month → census filing rate of the province's accessed sites (recorded months)."""
    from beian_audit.ledger.monthly_report import census_filing_rate, site_counts

    code = _province(province)
    periods = ledger.periods()
    listed = [str(m) for m in periods.loc[periods["province"] == code, "month"]]
    if until is not None:
        listed = [m for m in listed if m <= _month(until)]
    if months is not None:
        wanted = {_month(m) for m in months}
        listed = [m for m in listed if m in wanted]
    out = {}
    for month in listed:
        counts = site_counts(ledger, month, code)
        if counts is not None:
            out[month] = census_filing_rate(counts, method=method,
                                            confidence_level=confidence_level)
    return out


# --------------------------------------------------------------------------- mixin
class ReportMixin(MonthlyReportMixin):
    """Stock counts, the statistics table, the panel and the monthly report of a
    :class:`Ledger`."""

    def record_accessed_sites(
        self,
        month: str,
        province: str,
        accessed_sites: pd.DataFrame,
        *,
        registry: pd.DataFrame | None = None,
        source: str | None = None,
    ) -> pd.DataFrame:
        """Record the month's accessed sites and unfiled ones per provider (row 2).

        Only counts per access provider are kept, never the site list. The
        sites are matched against ``registry`` (default: the registry the
        month was opened with, when this ledger object still holds it) unless
        they carry an observed ``filed`` column. Recorded once per month.

        Returns the counts recorded (``provider_id``, ``measure``, ``value``).

        Raises
        ------
        PeriodStateError
            The month is closed, or its accessed sites are already recorded.
        """
        with self._read() as conn:  # type: ignore[attr-defined]
            row = self._period_row(conn, month, province)  # type: ignore[attr-defined]
        if registry is None and "filed" not in accessed_sites.columns:
            registry = self._registries.get(int(row.id))
        counts = accessed_site_counts(accessed_sites, registry)
        with self._write() as conn:  # type: ignore[attr-defined]
            row = self._period_row(conn, month, province, lock=True)  # type: ignore[attr-defined]
            self._require_open(row, "record accessed sites")  # type: ignore[attr-defined]
            there = conn.execute(sa.select(t.registry_counts.c.id).where(
                t.registry_counts.c.period_id == row.id,
                t.registry_counts.c.measure == "accessed_sites")).first()
            if there is not None:
                raise PeriodStateError(f"{row.month} {row.province}: the accessed sites are "
                                       "already recorded")
            records = _count_rows(int(row.id), counts,
                                  source if source is not None else "accessed_sites",
                                  dt.datetime.now(dt.UTC))
            for start in range(0, len(records), 1000):
                conn.execute(t.registry_counts.insert(), records[start:start + 1000])
        return counts

    def registry_counts(self, month: str | None = None,
                        province: str | None = None) -> pd.DataFrame:
        """Stock counts per month and provider (``filings``, ``material_uploaded`` …)."""
        c, p = t.registry_counts, t.periods
        query = (sa.select(p.c.month, p.c.province, c.c.provider_id, c.c.measure, c.c.value,
                           c.c.source, c.c.recorded_at)
                 .join(p, p.c.id == c.c.period_id).order_by(c.c.id))
        if month is not None:
            query = query.where(p.c.month == _month(month))
        if province is not None:
            query = query.where(p.c.province == _province(province))
        return self._frame(query)

    def province_scope(self, month: str, province: str) -> set[str] | None:
        """See :func:`province_scope`."""
        return province_scope(self, month, province)

    def statistics_table(self, month: str, province: str, **options: Any) -> Any:
        """See :func:`statistics_table_from_ledger`."""
        return statistics_table_from_ledger(self, month, province, **options)

    def panel(self, province: str, measure: str = "sponsor_accuracy", **options: Any) -> Any:
        """See :func:`monthly_panel_from_ledger`."""
        return monthly_panel_from_ledger(self, province, measure, **options)

    def panels(self, province: str, *, until: str | None = None,
               **options: Any) -> dict[str, Any]:
        """The panels of the province's months, for
        :func:`~beian_audit.reporting.html_report.write_html_report` ``panels=``.

        ``"sponsor_accuracy"`` and ``"access_accuracy"`` (see
        :func:`monthly_panel_from_ledger`), and ``"filing_rate"``: the census
        rate of the accessed websites of the province's providers in each
        month with recorded counts (:meth:`record_accessed_sites`; row 2 of the
        table). A measure with no month is left out.

        ``until``: only the months up to this one (``YYYY-MM``), e.g. for the
        report of that month; the other options are those of
        :func:`monthly_panel_from_ledger`.
        """
        from beian_audit.estimation.panel import monthly_panel

        options["until"] = until
        options.setdefault("months", None)
        options.setdefault("by", None)
        options.setdefault("method", "korn-graubard")
        options.setdefault("confidence_level", 0.95)
        options.setdefault("nonresponse", "mar")
        found = _panel_estimates(self, province, tuple(PANEL_MEASURES), **options)
        panels = {measure: _as_panel(estimates, self, province, measure, options["by"])
                  for measure, estimates in found.items() if estimates}
        rates = _filing_rates(self, province, months=options["months"], until=until,
                              method=options["method"],
                              confidence_level=options["confidence_level"])
        if rates:  # first, as in the headline verdicts
            panels = {"filing_rate": monthly_panel(rates, by=[]), **panels}
        return panels
