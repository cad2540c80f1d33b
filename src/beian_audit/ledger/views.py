"""The ledger's records as pandas frames: months, events, snapshots, plan, sample, outcomes.

Mixed into :class:`~beian_audit.ledger.Ledger`. Every method reads; nothing
here writes to the ledger.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from beian_audit.errors import PeriodStateError
from beian_audit.ledger import schema as t
from beian_audit.ledger._args import _month, _province
from beian_audit.ledger._sql import LedgerParts, _result_frame

__all__ = ["VERIFICATION_DEFAULTS", "ViewsMixin"]

#: The sequential verification plan recorded at draw time (``manifest["verification"]``).
VERIFICATION_DEFAULTS: dict[str, Any] = {
    "looks": 5, "order": "batches, then stratum and PRN", "method": "alpha-spending",
    "spending": "obrien-fleming",
}
#: Design columns kept per drawn filing (``sample_units``).
_DESIGN_COLUMNS = (
    "stratum", "provider_id", "population_size", "sample_size", "inclusion_probability",
    "weight", "prn", "psu", "psu_stratum", "psu_population_size", "psu_inclusion_probability",
)
_PSU_COLUMNS = ("psu", "psu_stratum", "psu_population_size", "psu_inclusion_probability")


class ViewsMixin(LedgerParts):
    """Read-only views of a :class:`~beian_audit.ledger.Ledger` (one frame per record kind)."""

    def periods(self) -> pd.DataFrame:
        """Every month of the ledger: ``month``, ``province``, ``status``, ``n_drawn`` …"""
        p, d = t.periods, t.draws
        query = (sa.select(p.c.month, p.c.province, p.c.status, p.c.opened_at, p.c.opened_by,
                           p.c.closed_at, p.c.closed_by, d.c.seed, d.c.n_units.label("n_drawn"))
                 .outerjoin(d, d.c.period_id == p.c.id).order_by(p.c.month, p.c.province))
        return self._frame(query)

    def period_events(self, month: str | None = None,
                      province: str | None = None) -> pd.DataFrame:
        """The log of opened / drawn / closed / reopened (with reasons)."""
        p, e = t.periods, t.period_events
        query = (sa.select(p.c.month, p.c.province, e.c.event, e.c.reason, e.c.actor, e.c.at)
                 .join(p, p.c.id == e.c.period_id).order_by(e.c.id))
        if month is not None:
            query = query.where(p.c.month == _month(month))
        if province is not None:
            query = query.where(p.c.province == _province(province))
        return self._frame(query)

    def snapshots(self) -> pd.DataFrame:
        """The registry snapshot of every month (fingerprint, row count, source)."""
        p, s = t.periods, t.registry_snapshots
        return self._frame(sa.select(p.c.month, p.c.province, s.c.fingerprint, s.c.row_count,
                                     s.c.source, s.c.key_column, s.c.recorded_at)
                           .join(p, p.c.id == s.c.period_id).order_by(p.c.month))

    def plan(self, month: str, province: str) -> dict[str, Any]:
        """The month's plan: ``options`` as given, ``design`` and sizes per stratum.

        Once the month is drawn, also ``verification``: the planned looks of
        the sequential stopping rule (recorded at draw time), its method and
        spending function.
        """
        with self._read() as conn:
            row = self._period_row(conn, month, province)
            plan = conn.execute(sa.select(t.plans).where(t.plans.c.period_id == row.id)).one()
            strata = conn.execute(sa.select(t.plan_strata.c.stratum,
                                            t.plan_strata.c.population_size.label("N"),
                                            t.plan_strata.c.sample_size.label("n"))
                                  .where(t.plan_strata.c.plan_id == plan.id)
                                  .order_by(t.plan_strata.c.stratum))
            sizes = pd.DataFrame(strata.fetchall(), columns=["stratum", "N", "n"])
        out = {"options": plan.options, "design": plan.design, "n": plan.n_total,
               "n_strata": plan.n_strata, "sizes": sizes}
        with contextlib.suppress(PeriodStateError):  # drawn: the sequential plan
            out["verification"] = self._verification(month, province)[0]
        return out

    def manifest(self, month: str, province: str) -> dict[str, Any]:
        """The manifest of the month's draw (it re-draws the sample)."""
        with self._read() as conn:
            row = self._period_row(conn, month, province)
            manifest = conn.execute(sa.select(t.draws.c.manifest).where(
                t.draws.c.period_id == row.id)).scalar_one_or_none()
        if manifest is None:
            raise PeriodStateError(f"{row.month} {row.province} is not drawn yet")
        return dict(manifest)

    def sample(self, month: str, province: str) -> pd.DataFrame:
        """The drawn filings with their design columns, in draw order."""
        with self._read() as conn:
            row = self._period_row(conn, month, province)
            key = conn.execute(sa.select(t.registry_snapshots.c.key_column).where(
                t.registry_snapshots.c.period_id == row.id)).scalar_one()
            u = t.sample_units
            result = conn.execute(sa.select(u.c.id, u.c.unit_key, *[u.c[c] for c in
                                                                    _DESIGN_COLUMNS])
                                  .where(u.c.period_id == row.id).order_by(u.c.position))
            frame = _result_frame(result)
        if frame.empty:
            raise PeriodStateError(f"{row.month} {row.province} is not drawn yet")
        if frame[list(_PSU_COLUMNS)].isna().all().all():
            frame = frame.drop(columns=list(_PSU_COLUMNS))
        for column in ("population_size", "sample_size"):
            frame[column] = frame[column].astype(np.int64)
        return frame.rename(columns={"unit_key": key, "id": "unit_id"})

    def outcomes(self, month: str, province: str, *, current: bool = True) -> pd.DataFrame:
        """Verification outcomes of a month.

        Parameters
        ----------
        month, province : str
        current : bool, default True
            ``True``: one row per drawn filing with its design columns (ready
            for :func:`~beian_audit.estimate_proportion`) and, per aspect,
            ``<aspect>_status``, ``<aspect>_ok`` (nullable boolean: correct →
            True, incorrect → False, else ``<NA>``), ``<aspect>_reason``,
            ``<aspect>_verifier``, ``<aspect>_checked_on``.
            ``False``: the full history, one row per recorded outcome, with
            ``id``, ``supersedes_id``, ``superseded_by`` and ``current``.

        Examples
        --------
        >>> # frame = ledger.outcomes("2013-05", "广东")
        >>> # estimate_proportion(frame, "sponsor_ok", missing="drop")
        """
        sample = self.sample(month, province)
        key = str(sample.columns[1])
        with self._read() as conn:
            row = self._period_row(conn, month, province)
            o = t.outcomes
            result = conn.execute(
                sa.select(o.c.id, o.c.unit_id, o.c.aspect, o.c.status, o.c.reason,
                          o.c.verifier, o.c.checked_on, o.c.recorded_at, o.c.source_file,
                          o.c.source_row, o.c.import_id, o.c.supersedes_id, o.c.note)
                .where(o.c.period_id == row.id).order_by(o.c.id))
            history = _result_frame(result)
        superseded = dict(zip(history["supersedes_id"].dropna().astype(np.int64),
                              history.loc[history["supersedes_id"].notna(), "id"], strict=True))
        history["superseded_by"] = pd.array(
            [superseded.get(int(i)) for i in history["id"]], dtype="Int64")
        history["supersedes_id"] = history["supersedes_id"].astype("Int64")
        history["current"] = history["superseded_by"].isna()
        if not current:
            keys = sample.set_index("unit_id")[key]
            history.insert(1, key, history["unit_id"].map(keys))
            return history
        now = history[history["current"]]
        out = sample.copy()
        for aspect in t.ASPECTS:
            part = now[now["aspect"] == aspect].set_index("unit_id")
            status = out["unit_id"].map(part["status"]).astype(object)
            out[f"{aspect}_status"] = status.where(status.notna(), "pending").astype(str)
            ok = status.map({"correct": True, "incorrect": False})
            out[f"{aspect}_ok"] = ok.astype(object).where(ok.notna(), None).astype("boolean")
            out[f"{aspect}_reason"] = out["unit_id"].map(part["reason"])
            out[f"{aspect}_verifier"] = out["unit_id"].map(part["verifier"])
            out[f"{aspect}_checked_on"] = out["unit_id"].map(part["checked_on"])
        return out

    def imports(self) -> pd.DataFrame:
        """Every worksheet imported: file, month, who, when, rows and outcomes written."""
        p, i = t.periods, t.imports
        return self._frame(sa.select(p.c.month, p.c.province, i.c.id, i.c.file_name,
                                     i.c.imported_by, i.c.imported_at, i.c.n_rows,
                                     i.c.n_recorded, i.c.fingerprint)
                           .join(p, p.c.id == i.c.period_id).order_by(i.c.id))

    def worksheets(self) -> pd.DataFrame:
        """Every worksheet written for a month."""
        p, w = t.periods, t.worksheets
        return self._frame(sa.select(p.c.month, p.c.province, w.c.file_name, w.c.split,
                                     w.c.assignee, w.c.n_units, w.c.written_at)
                           .join(p, p.c.id == w.c.period_id).order_by(w.c.id))

    def _verification(self, month: str, province: str) -> tuple[dict[str, Any], str]:
        """The sequential plan recorded at draw time, or the default with a note."""
        recorded = self.manifest(month, province).get("verification")
        if recorded:
            return {**VERIFICATION_DEFAULTS, **recorded}, ""
        looks = VERIFICATION_DEFAULTS["looks"]
        return dict(VERIFICATION_DEFAULTS), (
            f"the planned looks were not recorded when this month was drawn (a ledger "
            f"drawn by an older version): the stopping advice assumes {looks} equal looks")

