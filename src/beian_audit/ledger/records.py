"""What follows the audit: cases, blacklist, enforcement events, review log, integration.

Mixed into :class:`~beian_audit.ledger.Ledger`. Cases move
``correction_ordered`` → ``corrected`` / ``access_cut`` / ``filing_cancelled``
(a new deadline may be set by ordering the correction again); every step is a
row of ``case_events``, never an update. The other records are added and
listed; their history is kept (``provider_integration``: the latest row per
provider is its current status).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from beian_audit._options import check_choice
from beian_audit.errors import ArgumentError, PeriodStateError
from beian_audit.ledger import schema as t
from beian_audit.ledger._sql import LedgerParts
from beian_audit.privacy import mask_frame, scrub_text

__all__ = ["CASE_TRANSITIONS", "RecordsMixin"]

#: Allowed case steps: status → statuses it may move to.
CASE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "correction_ordered": ("correction_ordered", "corrected", "access_cut", "filing_cancelled"),
    "corrected": (),
    "access_cut": ("filing_cancelled",),
    "filing_cancelled": (),
}


def _date(name: str, value: object, *, required: bool = True) -> dt.date | None:
    if value is None:
        if required:
            raise ArgumentError(f"{name} is required (a date, e.g. '2013-06-15')")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ArgumentError(f"{name} ({value!r}) must be a date, e.g. '2013-06-15'")


def _text(value: object) -> str | None:
    return None if value is None else scrub_text(str(value))


class RecordsMixin(LedgerParts):
    """Cases, blacklist, enforcement, review log and integration status of a ledger."""

    def _period_id(self, conn: sa.Connection, month: str | None,
                   province: str | None) -> int | None:
        if month is None and province is None:
            return None
        if month is None or province is None:
            raise ArgumentError("give both month and province (or neither)")
        return int(self._period_row(conn, month, province).id)

    @staticmethod
    def _province_or_none(province: str | None) -> str | None:
        if province is None:
            return None
        from beian_audit.ledger._args import _province

        return _province(province)

    # ------------------------------------------------------------------ cases

    def open_case(
        self,
        unit_key: str,
        *,
        deadline: dt.date | str,
        month: str | None = None,
        province: str | None = None,
        aspect: str | None = None,
        outcome_id: int | None = None,
        provider_id: str | None = None,
        reason: str | None = None,
        note: str | None = None,
        actor: str | None = None,
    ) -> int:
        """Open a case (a correction is ordered, due by ``deadline``); returns its id."""
        from beian_audit.ledger._args import _who

        if aspect is not None:
            check_choice("aspect", aspect, t.ASPECTS)
        day = _date("deadline", deadline)
        now = dt.datetime.now(dt.UTC)
        with self._write() as conn:
            period_id = self._period_id(conn, month, province)
            case_id = int(conn.execute(t.cases.insert().values(
                period_id=period_id, unit_key=scrub_text(str(unit_key)),
                provider_id=_text(provider_id), aspect=aspect, outcome_id=outcome_id,
                reason=_text(reason), opened_at=now, opened_by=_who(actor),
            )).inserted_primary_key[0])  # type: ignore[index]
            conn.execute(t.case_events.insert().values(
                case_id=case_id, status="correction_ordered", deadline=day, note=_text(note),
                actor=_who(actor), at=now))
        return case_id

    def open_cases_from_outcomes(self, month: str, province: str, *,
                                 deadline: dt.date | str, actor: str | None = None) -> list[int]:
        """Open a case for every current ``incorrect`` outcome that has none yet."""
        frame = self.outcomes(month, province)  # type: ignore[attr-defined]
        key = str(frame.columns[1])
        existing = self.cases(month=month, province=province)
        have = set(zip(existing["unit_key"], existing["aspect"], strict=True))
        opened = []
        for aspect in t.ASPECTS:
            bad = frame[frame[f"{aspect}_status"] == "incorrect"]
            for _, row in bad.iterrows():
                if (str(row[key]), aspect) in have:
                    continue
                opened.append(self.open_case(
                    str(row[key]), deadline=deadline, month=month, province=province,
                    aspect=aspect, provider_id=row.get("provider_id"),
                    reason=row[f"{aspect}_reason"], actor=actor))
        return opened

    def update_case(
        self,
        case_id: int,
        status: str,
        *,
        deadline: dt.date | str | None = None,
        note: str | None = None,
        actor: str | None = None,
    ) -> str:
        """Move a case on (see :data:`CASE_TRANSITIONS`); returns the new status.

        Raises
        ------
        PeriodStateError
            The step is not allowed from the case's current status.
        """
        from beian_audit.ledger._args import _who

        check_choice("status", status, t.CASE_STATUSES)
        day = _date("deadline", deadline, required=status == "correction_ordered")
        with self._write() as conn:
            e = t.case_events
            last = conn.execute(sa.select(e.c.status).where(e.c.case_id == int(case_id))
                                .order_by(e.c.id.desc()).limit(1)).scalar_one_or_none()
            if last is None:
                raise ArgumentError(f"no case {case_id} in the ledger")
            if status not in CASE_TRANSITIONS[last]:
                allowed = ", ".join(CASE_TRANSITIONS[last]) or "nothing (it is final)"
                raise PeriodStateError(
                    f"case {case_id} is {last}: it can move to {allowed}, not {status}")
            conn.execute(e.insert().values(case_id=int(case_id), status=status, deadline=day,
                                           note=_text(note), actor=_who(actor),
                                           at=dt.datetime.now(dt.UTC)))
        return status

    def cases(self, *, month: str | None = None, province: str | None = None,
              status: str | None = None, overdue_on: dt.date | str | None = None
              ) -> pd.DataFrame:
        """Cases with their current status and deadline (latest event).

        ``overdue_on``: only open cases (``correction_ordered``) whose deadline
        is before that date.
        """
        c, e, p = t.cases, t.case_events, t.periods
        latest = (sa.select(e.c.case_id, sa.func.max(e.c.id).label("event_id"))
                  .group_by(e.c.case_id).subquery())
        deadline = (sa.select(e.c.case_id, sa.func.max(e.c.deadline).label("deadline"))
                    .group_by(e.c.case_id).subquery())
        query = (sa.select(c.c.id.label("case_id"), p.c.month, p.c.province, c.c.unit_key,
                           c.c.provider_id, c.c.aspect, c.c.reason, e.c.status,
                           deadline.c.deadline, c.c.opened_at, c.c.opened_by,
                           e.c.at.label("updated_at"))
                 .join(latest, latest.c.case_id == c.c.id)
                 .join(e, e.c.id == latest.c.event_id)
                 .join(deadline, deadline.c.case_id == c.c.id)
                 .outerjoin(p, p.c.id == c.c.period_id).order_by(c.c.id))
        if month is not None:
            from beian_audit.ledger._args import _month

            query = query.where(p.c.month == _month(month))
        if province is not None:
            query = query.where(p.c.province == self._province_or_none(province))
        if status is not None:
            query = query.where(e.c.status == check_choice("status", status, t.CASE_STATUSES))
        if overdue_on is not None:
            query = query.where(e.c.status == "correction_ordered",
                                deadline.c.deadline < _date("overdue_on", overdue_on))
        return self._frame(query)

    def case_events(self, case_id: int | None = None) -> pd.DataFrame:
        """Every step of every case (or of one)."""
        e = t.case_events
        query = sa.select(e).order_by(e.c.id)
        if case_id is not None:
            query = query.where(e.c.case_id == int(case_id))
        return self._frame(query)

    # ------------------------------------------------------------------ blacklist

    def add_blacklist_entry(
        self,
        kind: str,
        value: str,
        *,
        listed_on: dt.date | str,
        reason: str | None = None,
        case_id: int | None = None,
        month: str | None = None,
        province: str | None = None,
        actor: str | None = None,
    ) -> int:
        """Blacklist a sponsor (ID or credit code), domain, mobile or website; returns its id.

        The value is kept as given (a blacklist must match it) and masked in
        :meth:`blacklist` unless ``reveal=True``.
        """
        from beian_audit.ledger._args import _who

        check_choice("kind", kind, t.BLACKLIST_KINDS)
        if not isinstance(value, str) or not value.strip():
            raise ArgumentError("a blacklist entry needs a value")
        day = _date("listed_on", listed_on)
        with self._write() as conn:
            period_id = self._period_id(conn, month, province)
            return int(conn.execute(t.blacklist_entries.insert().values(
                kind=kind, value=value.strip(), reason=_text(reason), listed_on=day,
                period_id=period_id, case_id=case_id, recorded_by=_who(actor),
                recorded_at=dt.datetime.now(dt.UTC),
            )).inserted_primary_key[0])  # type: ignore[index]

    def blacklist(self, *, reveal: bool = False) -> pd.DataFrame:
        """The blacklist (``kind``, ``value`` masked unless ``reveal``, ``listed_on`` …).

        Its ``kind`` and ``value`` columns are what
        :func:`~beian_audit.match_blacklist` takes.
        """
        b = t.blacklist_entries
        frame = self._frame(sa.select(b).order_by(b.c.id))
        if not reveal and len(frame):
            frame["value"] = mask_frame(frame[["value"]], columns={})["value"]
        return frame

    # ------------------------------------------------------------------ enforcement

    def add_enforcement_event(
        self,
        kind: str,
        happened_on: dt.date | str,
        *,
        province: str | None = None,
        provider_id: str | None = None,
        unit_key: str | None = None,
        case_id: int | None = None,
        authority: str | None = None,
        note: str | None = None,
        month: str | None = None,
        actor: str | None = None,
    ) -> int:
        """Record a closure (local / ministry), interview, notice or penalty; returns its id."""
        from beian_audit.ledger._args import _who

        check_choice("kind", kind, t.ENFORCEMENT_KINDS)
        day = _date("happened_on", happened_on)
        with self._write() as conn:
            period_id = self._period_id(conn, month, province) if month is not None else None
            return int(conn.execute(t.enforcement_events.insert().values(
                kind=kind, happened_on=day, province=self._province_or_none(province),
                period_id=period_id, case_id=case_id, provider_id=_text(provider_id),
                unit_key=_text(unit_key), authority=_text(authority), note=_text(note),
                recorded_by=_who(actor), recorded_at=dt.datetime.now(dt.UTC),
            )).inserted_primary_key[0])  # type: ignore[index]

    def enforcement_events(self, *, kind: str | None = None) -> pd.DataFrame:
        """Every enforcement event, oldest first."""
        x = t.enforcement_events
        query = sa.select(x).order_by(x.c.happened_on, x.c.id)
        if kind is not None:
            query = query.where(x.c.kind == check_choice("kind", kind, t.ENFORCEMENT_KINDS))
        return self._frame(query)

    # ------------------------------------------------------------------ review log

    def add_review(
        self,
        kind: str,
        received_on: dt.date | str,
        *,
        quantity: int = 1,
        province: str | None = None,
        unit_key: str | None = None,
        provider_id: str | None = None,
        outcome: str | None = None,
        note: str | None = None,
        actor: str | None = None,
    ) -> int:
        """Log filing reviews or enquiries handled (``quantity`` of them); returns the id."""
        from beian_audit.ledger._args import _who

        check_choice("kind", kind, t.REVIEW_KINDS)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ArgumentError(f"quantity ({quantity!r}) must be a whole number >= 1")
        day = _date("received_on", received_on)
        with self._write() as conn:
            return int(conn.execute(t.review_log.insert().values(
                kind=kind, received_on=day, province=self._province_or_none(province),
                quantity=quantity, unit_key=_text(unit_key), provider_id=_text(provider_id),
                outcome=_text(outcome), note=_text(note), recorded_by=_who(actor),
                recorded_at=dt.datetime.now(dt.UTC),
            )).inserted_primary_key[0])  # type: ignore[index]

    def review_log(self) -> pd.DataFrame:
        """The review and enquiry log, oldest first."""
        r = t.review_log
        return self._frame(sa.select(r).order_by(r.c.received_on, r.c.id))

    # ------------------------------------------------------------------ integration

    def set_integration_status(
        self,
        provider_id: str,
        status: str,
        as_of: dt.date | str,
        *,
        province: str | None = None,
        note: str | None = None,
        actor: str | None = None,
    ) -> int:
        """Record a provider's integration status as of a date; returns the row id."""
        from beian_audit.ledger._args import _who

        check_choice("status", status, t.INTEGRATION_STATUSES)
        day = _date("as_of", as_of)
        with self._write() as conn:
            return int(conn.execute(t.provider_integration.insert().values(
                provider_id=str(provider_id), status=status, as_of=day,
                province=self._province_or_none(province), note=_text(note),
                recorded_by=_who(actor), recorded_at=dt.datetime.now(dt.UTC),
            )).inserted_primary_key[0])  # type: ignore[index]

    def integration(self, *, as_of: dt.date | str | None = None,
                    current: bool = True) -> pd.DataFrame:
        """Providers' integration status: the latest per provider (as of a date), or all."""
        i = t.provider_integration
        query = sa.select(i).order_by(i.c.provider_id, i.c.as_of, i.c.id)
        if as_of is not None:
            query = query.where(i.c.as_of <= _date("as_of", as_of))
        frame = self._frame(query)
        if current and len(frame):
            frame = frame.groupby("provider_id", sort=True).tail(1).reset_index(drop=True)
        return frame

