"""The :class:`Ledger`: the monthly audit as a lasting, shared record.

A month goes ``open_month`` → ``draw`` (worksheets out) → ``import_outcomes``
(any number of times, by several people, in any order) → ``status`` (progress,
current estimates and verdicts) → ``close_month``. A closed month changes only
after ``reopen_month(reason=…)``, which is recorded too.

Outcomes are append-only: a correction is a new row that supersedes the old
one (``supersedes_id``); nothing is ever updated or deleted, so the full
history can be read back (``outcomes(current=False)``).

Examples
--------
>>> import tempfile, pathlib, warnings
>>> import beian_audit as ba
>>> registry = ba.load_synthetic_registry().head(200)
>>> where = pathlib.Path(tempfile.mkdtemp())
>>> with Ledger.open(where / "audit.db") as ledger:
...     month = ledger.open_month(registry, "2013-05", "广东", n=80)
...     drawn = month.draw(seed=2013, out_dir=where / "sheets")
...     month.status().totals()[["aspect", "n", "verified", "pending"]]
    aspect   n  verified  pending
0  sponsor  80         0       80
1   access  80         0       80
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import inspect
import itertools
import json
import os
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from beian_audit.errors import (
    ArgumentError,
    ArgumentTypeError,
    IncompleteSampleWarning,
    LedgerUpgradeRequiredError,
    OutcomeImportError,
    PeriodStateError,
    WorksheetError,
)
from beian_audit.ledger import migrate
from beian_audit.ledger import schema as t
from beian_audit.ledger._args import _month, _province, _who
from beian_audit.ledger.engine import create_ledger_engine, display_url, ledger_url
from beian_audit.ledger.records import RecordsMixin
from beian_audit.ledger.report import ReportMixin, _count_rows, registry_counts
from beian_audit.ledger.results import DrawResult, ImportResult, MonthStatus, Period
from beian_audit.privacy import scrub_text

__all__ = ["REFUSED_CODES", "UNREACHABLE_CODES", "Ledger", "LedgerMonth", "Split"]

Split = Literal["none", "verifier", "provider"]
SPLITS: tuple[str, ...] = ("none", "verifier", "provider")
#: Reason codes that make an empty outcome cell "unreachable" (the check could not be made).
UNREACHABLE_CODES: frozenset[str] = frozenset(
    {"phone_unreachable", "domain_not_resolving", "site_closed"}
)
#: Reason codes that make an empty outcome cell "refused" (the sponsor would not take part).
REFUSED_CODES: frozenset[str] = frozenset({"refused"})
FINAL = ("correct", "incorrect")
_CHUNK = 1000
_DESIGN_COLUMNS = (
    "stratum", "provider_id", "population_size", "sample_size", "inclusion_probability",
    "weight", "prn", "psu", "psu_stratum", "psu_population_size", "psu_inclusion_probability",
)
_PSU_COLUMNS = ("psu", "psu_stratum", "psu_population_size", "psu_inclusion_probability")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def registry_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of a registry's content (columns, values, row order); no personal data.

    Examples
    --------
    >>> a = pd.DataFrame({"website_id": ["W1", "W2"], "provider_id": ["P1", "P2"]})
    >>> registry_fingerprint(a) == registry_fingerprint(a.copy())
    True
    >>> registry_fingerprint(a) == registry_fingerprint(a.iloc[::-1])
    False
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)
    digest.update(hashed.tobytes())
    return digest.hexdigest()


def _plan_options(options: Mapping[str, Any]) -> dict[str, Any]:
    from beian_audit.sampling import plan_sample

    known = set(inspect.signature(plan_sample).parameters) - {"frame"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ArgumentTypeError(
            f"unknown plan option(s) {unknown}; the options of plan_sample are "
            f"{sorted(known)}"
        )
    return dict(options)


#: The sequential verification plan recorded at draw time (``manifest["verification"]``).
VERIFICATION_DEFAULTS: dict[str, Any] = {
    "looks": 5, "order": "batches, then stratum and PRN", "method": "alpha-spending",
    "spending": "obrien-fleming",
}


def _looks(looks: Any) -> int | list[float]:
    """The planned looks as recorded: a number of equal batches or cumulative fractions."""
    if isinstance(looks, int | np.integer) and not isinstance(looks, bool):
        if looks < 1:
            raise ArgumentError(f"looks ({looks!r}) must be at least 1")
        return int(looks)
    try:
        fractions = [float(x) for x in looks]
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"looks ({looks!r}) must be a number of looks or their "
                                "cumulative fractions, e.g. [0.25, 0.5, 1.0]") from None
    if (not fractions or any(not 0 < f <= 1 for f in fractions)
            or any(b <= a for a, b in itertools.pairwise(fractions))):
        raise ArgumentError(f"looks ({looks!r}): the fractions must increase strictly "
                            "within (0, 1]")
    return fractions if fractions[-1] == 1.0 else [*fractions, 1.0]


def _verification_ordered(units: pd.DataFrame, manifest: Mapping[str, Any]) -> pd.DataFrame:
    """The drawn units in verification order (batches of the planned looks, stratum, PRN)."""
    from beian_audit.estimation.sequential import verification_batches

    if "prn" not in units.columns or "stratum" not in units.columns:
        return units
    looks = dict(manifest.get("verification") or VERIFICATION_DEFAULTS)["looks"]
    ordered = verification_batches(units, looks)
    return ordered.drop(columns=["look", "position", "sequence"])


def _json_ready(value: Any) -> Any:
    from beian_audit._results import jsonable

    if isinstance(value, pd.Series):
        value = value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    return jsonable(value)


def _safe_name(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text).strip("._") or "worksheet"


def _result_frame(result: Any) -> pd.DataFrame:
    """A query result as a frame, built column by column (much faster than from rows)."""
    keys = list(result.keys())
    rows = result.fetchall()
    if not rows:
        return pd.DataFrame(columns=keys)
    columns = zip(*rows, strict=True)
    return pd.DataFrame({k: list(c) for k, c in zip(keys, columns, strict=True)},
                        columns=keys)


def _insert_chunks(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` in chunks (inside the caller's transaction)."""
    for start in range(0, len(rows), _CHUNK):
        _insert_chunk(conn, table, rows[start : start + _CHUNK])


def _insert_chunk(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), rows)


class Ledger(RecordsMixin, ReportMixin):
    """An audit ledger on SQLite (a file, the default) or PostgreSQL (a team's server).

    Open it with :meth:`Ledger.open`; use it as a context manager (or call
    :meth:`close`) to release the connections.

    Attributes
    ----------
    url : str
        Where the ledger is (password hidden).
    path : Path or None
        The SQLite file (``None`` on PostgreSQL).
    """

    def __init__(self, engine: sa.Engine, *, path: Path | None) -> None:
        self._engine = engine
        self.path = path
        self.url = display_url(engine.url)
        self._registries: dict[int, pd.DataFrame] = {}

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        path_or_url: str | os.PathLike[str] | None = None,
        *,
        upgrade: bool = True,
        create: bool = True,
        busy_timeout: float = 60.0,
    ) -> Ledger:
        """Open (or create) a ledger.

        Parameters
        ----------
        path_or_url : str or path-like, optional
            A SQLite file (default ``beian-audit.db`` in the current
            directory), ``sqlite:///path`` or ``postgresql://user@host/db``.
            A new SQLite file is created with owner-only permissions (0600).
        upgrade : bool, default True
            Upgrade a ledger written by an older version of beian_audit.
            ``False``: raise :class:`~beian_audit.errors.LedgerUpgradeRequiredError`
            naming the command that upgrades it.
        create : bool, default True
            Create the ledger when the SQLite file does not exist (``False``:
            raise :class:`~beian_audit.errors.LedgerNotFoundError`).
        busy_timeout : float, default 60
            Seconds a writer waits for another (SQLite).

        Returns
        -------
        Ledger

        Raises
        ------
        LedgerNotFoundError
            ``create=False`` and no ledger at the path.
        LedgerUpgradeRequiredError
            An older ledger and ``upgrade=False``.
        LedgerVersionError
            Not a ledger, or a ledger written by a newer version.
        """
        url, path = ledger_url(path_or_url)
        engine = create_ledger_engine(url, path, create=create, busy_timeout=busy_timeout)
        try:
            with engine.connect() as conn:
                current = migrate.current_revision(conn)
            head = migrate.head_revision()
            if current != head:
                if current is not None and not upgrade:
                    where = str(path) if path is not None else display_url(url)
                    command = f"beian-audit ledger upgrade {where}"
                    raise LedgerUpgradeRequiredError(
                        f"the ledger {where} has schema revision {current!r}, older than "
                        f"this version of beian_audit ({head!r}); upgrade it with `{command}`",
                        command=command, current=current, head=head,
                    )
                with engine.connect().execution_options(ledger_write=True) as conn, \
                        conn.begin():
                    migrate.upgrade(conn)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, path=path)

    def close(self) -> None:
        """Release the connections (the ledger stays on disk / on the server)."""
        self._engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ledger({self.url!r})"

    @property
    def revision(self) -> str | None:
        """The ledger's schema revision."""
        with self._engine.connect() as conn:
            return migrate.current_revision(conn)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for read-only SQL of your own)."""
        return self._engine

    @contextlib.contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """One write transaction (SQLite: BEGIN IMMEDIATE, so writers queue)."""
        with self._engine.connect().execution_options(ledger_write=True) as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    # ------------------------------------------------------------------ periods

    def _period_row(
        self, conn: sa.Connection, month: str, province: str, *, lock: bool = False
    ) -> Any:
        month, province = _month(month), _province(province)
        query = sa.select(t.periods).where(
            t.periods.c.month == month, t.periods.c.province == province
        )
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            raise PeriodStateError(
                f"the ledger has no month {month} for province {province}; open it with "
                "`beian-audit month open` (Ledger.open_month)"
            )
        return row

    @staticmethod
    def _require_open(row: Any, what: str) -> None:
        if row.status != "open":
            raise PeriodStateError(
                f"{row.month} {row.province} is closed: cannot {what}; reopen it first with "
                f"`beian-audit month reopen --month {row.month} --province {row.province} "
                "--reason …` (Ledger.reopen_month)"
            )

    def _event(self, conn: sa.Connection, period_id: int, event: str, *,
               reason: str | None = None, actor: str | None = None) -> None:
        conn.execute(t.period_events.insert().values(
            period_id=period_id, event=event, reason=None if reason is None
            else scrub_text(reason), actor=_who(actor), at=_now()))

    def _as_period(self, conn: sa.Connection, row: Any) -> Period:
        drawn = conn.execute(
            sa.select(sa.func.count()).select_from(t.draws).where(t.draws.c.period_id == row.id)
        ).scalar_one()
        return Period(id=row.id, month=row.month, province=row.province, status=row.status,
                      drawn=bool(drawn), opened_at=row.opened_at)

    def period(self, month: str, province: str) -> Period:
        """The state of one month (raises :class:`PeriodStateError` when unknown)."""
        with self._read() as conn:
            return self._as_period(conn, self._period_row(conn, month, province))

    def month(self, month: str, province: str) -> LedgerMonth:
        """A handle on one month of the ledger (checks that it exists)."""
        period = self.period(month, province)
        return LedgerMonth(self, period.month, period.province)

    def open_month(
        self,
        registry: pd.DataFrame | str | os.PathLike[str],
        month: str,
        province: str,
        *,
        key: str = "website_id",
        source: str | None = None,
        actor: str | None = None,
        **plan_options: Any,
    ) -> LedgerMonth:
        """Open a month: record the registry snapshot and the sample plan.

        Parameters
        ----------
        registry : DataFrame or path
            The registry of the month (a path is read with
            :func:`~beian_audit.read_filings`). Only its fingerprint, row count
            and source are recorded: no copy of its rows.
        month : str
            ``YYYY-MM``.
        province : str
            Name, short name, ICP prefix or GB/T 2260 code (stored as the code).
        key : str, default "website_id"
            The filing key column.
        source : str, optional
            Where the registry came from (default: the path, or ``"DataFrame"``).
        actor : str, optional
            Who opens the month (default: the operating-system user).
        **plan_options
            Options of :func:`~beian_audit.plan_sample` (``n``, ``strata``,
            ``allocation``, ``margin``, ``target`` …); recorded.

        Returns
        -------
        LedgerMonth
            A handle on the month (it keeps the registry for :meth:`LedgerMonth.draw`).

        Raises
        ------
        PeriodStateError
            The month is already in the ledger.
        ArgumentError, SampleDesignError
            Bad month, province or plan options.
        """
        from beian_audit.sampling import plan_sample

        month, province = _month(month), _province(province)
        options = _plan_options(plan_options)
        if not isinstance(registry, pd.DataFrame):
            from beian_audit.io import read_filings

            source = source if source is not None else os.fspath(registry)
            registry = read_filings(registry)
        if key not in registry.columns:
            raise ArgumentError(f"key ({key!r}) is not a column of the registry")
        plan = plan_sample(registry, **options)
        sizes = plan.sizes
        fingerprint = registry_fingerprint(registry)
        now = _now()
        with self._write() as conn:
            exists = conn.execute(sa.select(t.periods.c.status).where(
                t.periods.c.month == month, t.periods.c.province == province)).first()
            if exists is not None:
                raise PeriodStateError(
                    f"{month} {province} is already in the ledger ({exists.status}); use "
                    "Ledger.month(...) (or `beian-audit month status`)"
                )
            period_id = conn.execute(t.periods.insert().values(
                month=month, province=province, status="open", opened_at=now,
                opened_by=_who(actor))).inserted_primary_key[0]  # type: ignore[index]
            self._event(conn, period_id, "opened", actor=actor)
            conn.execute(t.registry_snapshots.insert().values(
                period_id=period_id, fingerprint=fingerprint, row_count=len(registry),
                source=scrub_text(source if source is not None else "DataFrame"),
                key_column=key, recorded_at=now))
            plan_id = conn.execute(t.plans.insert().values(
                period_id=period_id, options=_json_ready(options),
                design=_json_ready(plan.design()), n_total=int(plan.n),
                n_strata=int(plan.n_strata), recorded_at=now,
            )).inserted_primary_key[0]  # type: ignore[index]
            _insert_chunks(conn, t.plan_strata, [
                {"plan_id": plan_id, "stratum": str(s), "population_size": int(big_n),
                 "sample_size": int(n)}
                for s, big_n, n in zip(sizes["stratum"], sizes["N"], sizes["n"], strict=True)
            ])
            _insert_chunks(conn, t.registry_counts, _count_rows(
                period_id, registry_counts(registry, key), "registry", now))
        self._registries[period_id] = registry
        return LedgerMonth(self, month, province)

    def close_month(self, month: str, province: str, *, actor: str | None = None,
                    reason: str | None = None) -> Period:
        """Close a month: from now on it rejects draws and imports until reopened.

        Warns :class:`~beian_audit.errors.IncompleteSampleWarning` when drawn
        filings are still pending.
        """
        with self._write() as conn:
            row = self._period_row(conn, month, province, lock=True)
            if row.status == "closed":
                raise PeriodStateError(f"{row.month} {row.province} is already closed")
            conn.execute(t.periods.update().where(t.periods.c.id == row.id).values(
                status="closed", closed_at=_now(), closed_by=_who(actor)))
            self._event(conn, row.id, "closed", reason=reason, actor=actor)
            row = self._period_row(conn, month, province)
            period = self._as_period(conn, row)
        if period.drawn:
            status = self.status(month, province)
            if not status.complete:
                warnings.warn(f"{month} {period.province} closed with pending outcomes: "
                              f"{status._summary()}", IncompleteSampleWarning, stacklevel=2)
        return period

    def reopen_month(self, month: str, province: str, *, reason: str,
                     actor: str | None = None) -> Period:
        """Reopen a closed month; the reason is recorded in the month's events."""
        if not isinstance(reason, str) or not reason.strip():
            raise ArgumentError("reopening a month needs a reason (reason='…')")
        with self._write() as conn:
            row = self._period_row(conn, month, province, lock=True)
            if row.status != "closed":
                raise PeriodStateError(f"{row.month} {row.province} is open, not closed")
            conn.execute(t.periods.update().where(t.periods.c.id == row.id).values(
                status="open", closed_at=None, closed_by=None))
            self._event(conn, row.id, "reopened", reason=reason.strip(), actor=actor)
            return self._as_period(conn, self._period_row(conn, month, province))

    # ------------------------------------------------------------------ draw

    def draw(
        self,
        month: str,
        province: str,
        *,
        seed: int,
        registry: pd.DataFrame | str | os.PathLike[str] | None = None,
        out_dir: str | os.PathLike[str] | None = None,
        split: Split = "none",
        verifiers: Sequence[str] | None = None,
        contacts: Literal["masked", "clear", "protected-sheet"] = "masked",
        period: int = 0,
        rotation: float = 0.0,
        checks: Any = None,
        overwrite: bool = False,
        actor: str | None = None,
        looks: int | Sequence[float] = 5,
    ) -> DrawResult:
        """Draw the month's sample (once) and write the worksheets.

        Parameters
        ----------
        month, province : str
        seed : int
            Seed of the draw (recorded; keep it across months to keep the panel).
        registry : DataFrame or path, optional
            The registry the month was opened with (its fingerprint is
            checked); not needed on the handle returned by :meth:`open_month`.
        out_dir : path, optional
            Directory for the worksheets (none written when not given).
        split : {"none", "verifier", "provider"}, default "none"
            One worksheet for all; one per verifier (``verifiers``, dealt out
            in turn along the verification order, so each stratum is shared
            evenly); or one per access provider. Every worksheet lists its
            rows in verification order (:func:`~beian_audit.estimation.verification_batches`):
            batch by batch, and by stratum and PRN within a batch, so that
            working down the sheet, any prefix of a stratum's rows is a simple
            random sample of it.
        verifiers : list of str, optional
            With ``split="verifier"``.
        contacts : {"masked", "clear", "protected-sheet"}
            See :func:`~beian_audit.write_worksheet`.
        period, rotation
            Rotation of the panel (see :func:`~beian_audit.draw_sample`).
        checks : optional
            Automatic check results for the worksheets (``CheckReport``).
        overwrite : bool, default False
            Replace existing worksheet files.
        actor : str, optional
        looks : int or sequence of float, default 5
            The planned looks of the sequential stopping rule (a number of
            equal batches, or cumulative fractions of the sample, e.g.
            ``[0.25, 0.5, 1]``), fixed here, before any verification:
            recorded in the manifest (``manifest["verification"]``) and used
            by :meth:`status` for its stopping advice.

        Returns
        -------
        DrawResult

        Raises
        ------
        PeriodStateError
            The month is closed or already drawn.
        ArgumentError
            The registry differs from the one the month was opened with, or a
            bad ``split``.
        """
        from beian_audit.sampling import draw_sample, plan_from_design

        if split not in SPLITS:
            raise ArgumentError(f"split ({split!r}) must be one of {', '.join(SPLITS)}")
        if split == "verifier" and not verifiers:
            raise ArgumentError("split='verifier' needs verifiers=[names]")
        verification = {**VERIFICATION_DEFAULTS, "looks": _looks(looks)}
        with self._read() as conn:
            row = self._period_row(conn, month, province)
            self._require_open(row, "draw")
            snapshot = conn.execute(sa.select(t.registry_snapshots).where(
                t.registry_snapshots.c.period_id == row.id)).one()
            design = conn.execute(sa.select(t.plans.c.design).where(
                t.plans.c.period_id == row.id)).scalar_one()
            if conn.execute(sa.select(t.draws.c.seed).where(
                    t.draws.c.period_id == row.id)).first() is not None:
                raise PeriodStateError(f"{row.month} {row.province} is already drawn; a month "
                                       "is drawn once (write its worksheets again with "
                                       "Ledger.write_worksheets)")
        frame = self._registry(row.id, registry, snapshot)
        plan = plan_from_design(frame, design)
        sample = draw_sample(frame, plan, seed=seed, key=snapshot.key_column, period=period,
                             rotation=rotation)
        sample = dataclasses.replace(sample, manifest={**sample.manifest,
                                                       "verification": verification})
        units = sample.frame
        now = _now()
        with self._write() as conn:
            row = self._period_row(conn, month, province, lock=True)
            self._require_open(row, "draw")
            if conn.execute(sa.select(t.draws.c.id).where(
                    t.draws.c.period_id == row.id)).first() is not None:
                raise PeriodStateError(f"{row.month} {row.province} is already drawn")
            draw_id = conn.execute(t.draws.insert().values(
                period_id=row.id, seed=str(int(seed)), manifest=_json_ready(sample.manifest),
                sample_fingerprint=str(sample.manifest["sample_fingerprint"]),
                frame_fingerprint=str(sample.manifest["frame_fingerprint"]),
                n_units=len(units), drawn_at=now, drawn_by=_who(actor),
            )).inserted_primary_key[0]  # type: ignore[index]
            records = self._unit_records(units, sample.key, row.id, draw_id)
            _insert_chunks(conn, t.sample_units, records)
            self._event(conn, row.id, "drawn", actor=actor)
            written = pd.DataFrame(columns=["file", "assignee", "n_units"])
            if out_dir is not None:
                written = self._write_worksheets(
                    conn, row, sample, out_dir, split=split, verifiers=verifiers,
                    contacts=contacts, checks=checks, overwrite=overwrite)
        return DrawResult(month=row.month, province=row.province, seed=int(seed),
                          n=len(units), by_stratum=sample.by_stratum(), worksheets=written,
                          manifest=sample.manifest)

    @staticmethod
    def _unit_records(units: pd.DataFrame, key: str, period_id: int,
                      draw_id: int) -> list[dict[str, Any]]:
        data: dict[str, Any] = {
            "period_id": period_id, "draw_id": draw_id,
            "position": np.arange(len(units)),
            "unit_key": units[key].astype(str).to_numpy(dtype=object),
        }
        for column in _DESIGN_COLUMNS:
            if column in units.columns:
                values = units[column]
                data[column] = values.astype(object).where(values.notna(), None).to_numpy()
            else:
                data[column] = None
        table = pd.DataFrame(data)
        records: list[dict[str, Any]] = [
            {str(k): v for k, v in r.items()} for r in table.to_dict(orient="records")]
        for record in records:
            for name, value in record.items():
                if isinstance(value, np.generic):
                    record[name] = value.item()
            for name in ("stratum", "provider_id", "psu", "psu_stratum"):
                if record[name] is not None:
                    record[name] = str(record[name])
        return records

    def _registry(self, period_id: int, registry: Any, snapshot: Any) -> pd.DataFrame:
        if registry is None:
            registry = self._registries.get(period_id)
            if registry is None:
                raise ArgumentError(
                    "give the registry the month was opened with (registry=…); the ledger "
                    "keeps only its fingerprint"
                )
        elif not isinstance(registry, pd.DataFrame):
            from beian_audit.io import read_filings

            registry = read_filings(registry)
        if registry_fingerprint(registry) != snapshot.fingerprint:
            raise ArgumentError(
                f"the registry differs from the one the month was opened with "
                f"({snapshot.row_count:,} rows, source {snapshot.source!r}, fingerprint "
                f"{snapshot.fingerprint[:12]}…); give that same registry"
            )
        self._registries[period_id] = registry
        return registry

    def write_worksheets(
        self,
        month: str,
        province: str,
        out_dir: str | os.PathLike[str],
        *,
        registry: pd.DataFrame | str | os.PathLike[str] | None = None,
        split: Split = "none",
        verifiers: Sequence[str] | None = None,
        contacts: Literal["masked", "clear", "protected-sheet"] = "masked",
        checks: Any = None,
        overwrite: bool = False,
    ) -> pd.DataFrame:
        """(Re-)write the worksheets of a drawn month (same sample, recorded).

        Returns a frame of ``file``, ``assignee``, ``n_units``.
        """
        from beian_audit.spotcheck import sample_from_manifest

        if split not in SPLITS:
            raise ArgumentError(f"split ({split!r}) must be one of {', '.join(SPLITS)}")
        if split == "verifier" and not verifiers:
            raise ArgumentError("split='verifier' needs verifiers=[names]")
        with self._read() as conn:
            row = self._period_row(conn, month, province)
            snapshot = conn.execute(sa.select(t.registry_snapshots).where(
                t.registry_snapshots.c.period_id == row.id)).one()
            manifest = conn.execute(sa.select(t.draws.c.manifest).where(
                t.draws.c.period_id == row.id)).scalar_one_or_none()
        if manifest is None:
            raise PeriodStateError(f"{row.month} {row.province} is not drawn yet")
        frame = self._registry(row.id, registry, snapshot)
        sample = sample_from_manifest(frame, manifest)
        if "verification" in manifest:
            sample = dataclasses.replace(sample, manifest={
                **sample.manifest, "verification": manifest["verification"]})
        with self._write() as conn:
            return self._write_worksheets(conn, row, sample, out_dir, split=split,
                                          verifiers=verifiers, contacts=contacts,
                                          checks=checks, overwrite=overwrite)

    def _write_worksheets(
        self, conn: sa.Connection, row: Any, sample: Any, out_dir: str | os.PathLike[str], *,
        split: str, verifiers: Sequence[str] | None, contacts: Any, checks: Any,
        overwrite: bool,
    ) -> pd.DataFrame:
        from beian_audit.safe_output import staged_directory
        from beian_audit.sampling import Sample, write_worksheet

        units = _verification_ordered(sample.frame, sample.manifest)
        groups: list[tuple[str | None, np.ndarray]]
        if split == "provider":
            if "provider_id" not in units.columns:
                raise ArgumentError("split='provider' needs a provider_id column")
            providers = units["provider_id"].astype(str).to_numpy()
            groups = [(str(p), np.flatnonzero(providers == p))
                      for p in pd.unique(providers)]
        elif split == "verifier":
            names = [str(v) for v in verifiers or ()]
            turn = np.arange(len(units)) % len(names)  # dealt out along the order
            groups = [(n, np.flatnonzero(turn == i)) for i, n in enumerate(names)]
        else:
            groups = [(None, np.arange(len(units)))]
        base = f"{row.month}_{row.province}"
        out: list[dict[str, Any]] = []
        now = _now()
        with staged_directory(out_dir, overwrite=overwrite) as staged:
            for assignee, positions in groups:
                if positions.size == 0:
                    continue
                name = f"{base}_{_safe_name(assignee)}.xlsx" if assignee else f"{base}.xlsx"
                part = Sample(frame=units.iloc[positions], manifest=sample.manifest,
                              plan=sample.plan)
                write_worksheet(part, staged / name, contacts=contacts, checks=checks)
                out.append({"file": str(Path(out_dir) / name), "assignee": assignee,
                            "n_units": int(positions.size)})
                conn.execute(t.worksheets.insert().values(
                    period_id=row.id, file_name=scrub_text(name), split=split,
                    assignee=None if assignee is None else scrub_text(assignee),
                    n_units=int(positions.size), written_at=now))
        return pd.DataFrame(out, columns=["file", "assignee", "n_units"])

    # ------------------------------------------------------------------ outcomes

    def import_outcomes(
        self,
        worksheet: str | os.PathLike[str],
        *,
        verifier: str | None = None,
        actor: str | None = None,
    ) -> ImportResult:
        """Import a filled-in worksheet, all or nothing, idempotently.

        The worksheet's hidden manifest says which month it belongs to (its
        sample fingerprint). Each filled outcome (per filing and aspect) is
        recorded when it differs from the current one (status or reason; a
        reason is kept only with a status other than correct): a first
        outcome, or a correction that supersedes the earlier one. An empty cell never
        replaces an outcome; an empty cell whose reason is an unreachable code
        (``phone_unreachable``, ``domain_not_resolving``, ``site_closed``) is
        recorded as ``unreachable``, one whose reason is ``refused``
        (拒绝配合核查) as ``refused`` (refused wins when both are given), with
        another reason as ``pending``.

        Importing the same content again changes nothing (a content
        fingerprint is kept for every import). The whole worksheet is written
        in one transaction: when any row is bad, nothing is written.

        Parameters
        ----------
        worksheet : path
            A worksheet written by :meth:`draw` (or :meth:`write_worksheets`).
        verifier : str, optional
            Verifier for rows whose 核查人 (``checked_by``) cell is empty.
        actor : str, optional
            Who imports (default: the operating-system user).

        Returns
        -------
        ImportResult

        Raises
        ------
        OutcomeImportError
            Bad rows (unknown values, edited keys, a filled row without a
            verifier, a check date in the future …): the message names the
            Excel row, the column and the reason; ``failure_cases`` lists every
            problem. Also: a worksheet of a sample not in this ledger.
        PeriodStateError
            The month is closed.
        InputFileError
            The file is missing or not a workbook.
        """
        from beian_audit.sampling import read_worksheet

        path = Path(os.fspath(worksheet))
        try:
            sheet = read_worksheet(path)
        except OutcomeImportError:
            raise
        except WorksheetError as exc:
            raise OutcomeImportError(exc.message, exc.failure_cases) from exc
        manifest = sheet.attrs.get("manifest", {})
        key = str(manifest.get("key") or sheet.columns[0])
        fingerprint = str(manifest.get("sample_fingerprint", ""))
        content = self._content_fingerprint(sheet, key, fingerprint)
        with self._read() as conn:
            found = conn.execute(
                sa.select(t.periods.c.month, t.periods.c.province, t.periods.c.status)
                .join(t.draws, t.draws.c.period_id == t.periods.c.id)
                .where(t.draws.c.sample_fingerprint == fingerprint)).first()
        if found is None:
            raise OutcomeImportError(
                f"{path.name}: its sample (fingerprint {fingerprint[:16]!r}) was not drawn in "
                f"this ledger ({self.url}); import it into the ledger it was drawn from",
                pd.DataFrame({"row": [None], "column": ["_manifest"], "value": [None],
                              "reason": ["unknown_sample"]}),
            )
        self._require_open(found, "import outcomes")
        candidates = self._candidates(sheet, key, verifier, path)
        with self._write() as conn:
            row = self._period_row(conn, found.month, found.province, lock=True)
            self._require_open(row, "import outcomes")
            seen = conn.execute(sa.select(t.imports.c.id).where(
                t.imports.c.period_id == row.id, t.imports.c.fingerprint == content)).first()
            result = dict(file=path.name, month=row.month, province=row.province,
                          n_rows=len(sheet))
            if seen is not None:
                return ImportResult(**result, n_recorded=0, n_superseding=0, n_unchanged=0,
                                    already_imported=True)
            units = {k: i for k, i in conn.execute(
                sa.select(t.sample_units.c.unit_key, t.sample_units.c.id)
                .where(t.sample_units.c.period_id == row.id))}
            missing = [c for c in candidates if c["unit_key"] not in units]
            if missing:
                self._raise_rows(path, [
                    {"row": c["source_row"], "column": key, "value": c["unit_key"],
                     "reason": "not_in_sample"} for c in missing])
            current = self._current(conn, row.id)
            now = _now()
            rows: list[dict[str, Any]] = []
            unchanged = superseding = 0
            for c in candidates:
                unit_id = units[c["unit_key"]]
                before = current.get((unit_id, c["aspect"]))
                if before is not None:
                    if (before["status"], before["reason"]) == (c["status"], c["reason"]):
                        unchanged += 1
                        continue
                    if c["status"] == "pending" and before["status"] != "pending":
                        unchanged += 1  # a note never replaces an outcome
                        continue
                rows.append({
                    "period_id": row.id, "unit_id": unit_id, "aspect": c["aspect"],
                    "status": c["status"], "reason": c["reason"], "verifier": c["verifier"],
                    "checked_on": c["checked_on"], "recorded_at": now,
                    "source_file": scrub_text(path.name), "source_row": c["source_row"],
                    "supersedes_id": None if before is None else before["id"], "note": None,
                })
                superseding += before is not None
            import_id = conn.execute(t.imports.insert().values(
                period_id=row.id, fingerprint=content, file_name=scrub_text(path.name),
                imported_by=_who(actor), imported_at=now, n_rows=len(sheet),
                n_recorded=len(rows),
            )).inserted_primary_key[0]  # type: ignore[index]
            for record in rows:
                record["import_id"] = import_id
            _insert_chunks(conn, t.outcomes, rows)
        return ImportResult(**result, n_recorded=len(rows), n_superseding=superseding,
                            n_unchanged=unchanged, already_imported=False)

    @staticmethod
    def _content_fingerprint(sheet: pd.DataFrame, key: str, sample: str) -> str:
        records = [
            [None if v is None or v is pd.NA or v is pd.NaT else str(v) for v in row]
            for row in sheet.astype(object).itertuples(index=False, name=None)
        ]
        text = json.dumps({"sample": sample, "columns": [str(c) for c in sheet.columns],
                           "rows": records}, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def _candidates(self, sheet: pd.DataFrame, key: str, verifier: str | None,
                    path: Path) -> list[dict[str, Any]]:
        from beian_audit.sampling.worksheet import DATA_START_ROW

        default = None if verifier is None else scrub_text(str(verifier))[:100]
        tomorrow = (_now() + dt.timedelta(days=1)).date()
        problems: list[dict[str, Any]] = []
        out: list[dict[str, Any]] = []
        keys = sheet[key].astype(str).to_numpy()
        reasons = sheet["reason"].fillna("").astype(str).to_numpy()
        who = sheet["checked_by"].astype(object).where(
            sheet["checked_by"].notna(), None).to_numpy(dtype=object)
        when = sheet["checked_on"].to_numpy(dtype=object)
        verdicts = {aspect: sheet[f"{aspect}_ok"].to_numpy(dtype=object)
                    for aspect in t.ASPECTS}  # plain arrays: no per-cell pandas lookups
        for i in range(len(sheet)):
            excel_row = DATA_START_ROW + i
            codes = [c for c in reasons[i].split(";") if c]
            reason = ";".join(codes) or None
            day = when[i]
            checked_on = None if pd.isna(day) else pd.Timestamp(day).date()
            first = len(out)
            for aspect in t.ASPECTS:
                value = verdicts[aspect][i]
                if value is pd.NA or value is None:
                    if not codes:
                        continue
                    status = ("refused" if REFUSED_CODES & set(codes) else
                              "unreachable" if UNREACHABLE_CODES & set(codes) else "pending")
                else:
                    status = "correct" if bool(value) else "incorrect"
                out.append({"unit_key": keys[i], "aspect": aspect, "status": status,
                            "reason": None if status == "correct" else reason,
                            "checked_on": checked_on, "source_row": excel_row})
            if len(out) == first:
                continue
            name = who[i]
            name = default if name is None or not str(name).strip() else scrub_text(
                str(name).strip())[:100]
            if name is None:
                problems.append({"row": excel_row, "column": "checked_by", "value": None,
                                 "reason": "verifier_missing"})
            if checked_on is not None and checked_on > tomorrow:
                problems.append({"row": excel_row, "column": "checked_on",
                                 "value": str(checked_on), "reason": "future_date"})
            for c in out[first:]:
                c["verifier"] = name
        if problems:
            self._raise_rows(path, problems)
        return out

    @staticmethod
    def _raise_rows(path: Path, problems: list[dict[str, Any]]) -> None:
        from beian_audit.errors import FAILURE_COLUMNS
        from beian_audit.sampling.worksheet import column_label

        messages = {
            "verifier_missing": "an outcome is filled in but nobody is named as verifier "
                                "(fill 核查人, or import with verifier=… / --verifier)",
            "future_date": "the check date is in the future",
            "not_in_sample": "the filing is not in the month's drawn sample",
        }
        lines = []
        for p in problems[:10]:
            column = str(p["column"])
            shown = "" if p["value"] is None else f" (value {p['value']!r})"
            lines.append(f"Excel row {p['row']}, column {column_label(column)!r} ({column}): "
                         f"{messages.get(p['reason'], p['reason'])}{shown}")
        more = (f"\n  … and {len(problems) - 10} more (see .failure_cases)"
                if len(problems) > 10 else "")
        raise OutcomeImportError(
            f"{path.name}: {len(problems)} problem(s), nothing was imported:\n  "
            + "\n  ".join(lines) + more,
            pd.DataFrame(problems, columns=list(FAILURE_COLUMNS)),
        )

    @staticmethod
    def _current(conn: sa.Connection, period_id: int) -> dict[tuple[int, str], dict[str, Any]]:
        o = t.outcomes
        later = sa.select(o.c.supersedes_id).where(
            o.c.period_id == period_id, o.c.supersedes_id.is_not(None))
        rows = conn.execute(sa.select(o.c.id, o.c.unit_id, o.c.aspect, o.c.status, o.c.reason)
                            .where(o.c.period_id == period_id, o.c.id.not_in(later)))
        return {(r.unit_id, r.aspect): {"id": r.id, "status": r.status, "reason": r.reason}
                for r in rows}

    def record_outcome(
        self,
        month: str,
        province: str,
        key: str,
        aspect: Literal["sponsor", "access"],
        status: Literal["correct", "incorrect", "unreachable", "refused", "pending"],
        *,
        verifier: str,
        reason: str | None = None,
        checked_on: dt.date | None = None,
        note: str | None = None,
    ) -> int:
        """Record one outcome by hand (e.g. ``refused``); it supersedes the current one.

        Returns the new outcome's id.
        """
        if aspect not in t.ASPECTS:
            raise ArgumentError(f"aspect ({aspect!r}) must be one of {', '.join(t.ASPECTS)}")
        if status not in t.OUTCOME_STATUSES:
            raise ArgumentError(
                f"status ({status!r}) must be one of {', '.join(t.OUTCOME_STATUSES)}")
        if not isinstance(verifier, str) or not verifier.strip():
            raise ArgumentError("an outcome needs a verifier (verifier='…')")
        if reason is not None:
            from beian_audit.sampling import REASON_CODES

            unknown = [c for c in reason.split(";") if c and c not in REASON_CODES]
            if unknown:
                raise ArgumentError(f"unknown reason code(s) {unknown}; the codes are "
                                    f"{sorted(REASON_CODES)}")
        with self._write() as conn:
            row = self._period_row(conn, month, province, lock=True)
            self._require_open(row, "record outcomes")
            unit_id = conn.execute(sa.select(t.sample_units.c.id).where(
                t.sample_units.c.period_id == row.id,
                t.sample_units.c.unit_key == str(key))).scalar_one_or_none()
            if unit_id is None:
                raise ArgumentError(f"filing {scrub_text(str(key))!r} is not in the drawn "
                                    f"sample of {row.month} {row.province}")
            before = self._current(conn, row.id).get((unit_id, aspect))
            return int(conn.execute(t.outcomes.insert().values(
                period_id=row.id, unit_id=unit_id, aspect=aspect, status=status,
                reason=reason or None, verifier=scrub_text(verifier.strip())[:100],
                checked_on=checked_on, recorded_at=_now(),
                supersedes_id=None if before is None else before["id"],
                note=None if note is None else scrub_text(note),
            )).inserted_primary_key[0])  # type: ignore[index]

    # ------------------------------------------------------------------ views

    def _frame(self, query: Any) -> pd.DataFrame:
        with self._read() as conn:
            result = conn.execute(query)
            return _result_frame(result)

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

    # ------------------------------------------------------------------ status

    def status(
        self,
        month: str,
        province: str,
        *,
        targets: Mapping[str, float | None] | None = None,
        confidence_level: float = 0.95,
        method: str = "korn-graubard",
        nonresponse: str = "mar",
    ) -> MonthStatus:
        """Progress per stratum, the current estimates, verdicts and stopping advice.

        Unreachable and refused filings are nonresponse, handled by
        ``nonresponse`` (see :mod:`beian_audit.ledger.status` and
        ``docs/nonresponse.md``); the stopping advice uses the looks fixed
        when the month was drawn (see ``docs/sequential.md``).

        Parameters
        ----------
        month, province : str
        targets : mapping, optional
            Aspect → target rate (default: sponsor 0.75, the plan's accuracy
            target; access none).
        confidence_level : float, default 0.95
            One-sided level of the assessment (the stopping rule runs at
            ``alpha = 1 - confidence_level``).
        method : str, default "korn-graubard"
            Interval method of :func:`~beian_audit.estimate_proportion`.
        nonresponse : {"mar", "worst", "best", "bounds"}, default "mar"
            How unreachable and refused filings enter the estimate, the
            verdict and the stopping rule: ``"mar"`` reweights the
            respondents within their stratum (missing at random within the
            stratum); ``"worst"`` counts them incorrect (the ministry's strict
            reading); ``"best"`` correct; ``"bounds"`` takes the worst-case
            lower and best-case upper limits. Whatever the rule, the
            ``nonresponse_robustness`` of each verdict says whether it holds
            whatever the nonrespondents are.

        Returns
        -------
        MonthStatus
        """
        from beian_audit.estimation.nonresponse import NONRESPONSE_RULES
        from beian_audit.ledger.status import month_status
        from beian_audit.spotcheck import DEFAULT_TARGETS

        if not isinstance(nonresponse, str) or nonresponse not in NONRESPONSE_RULES:
            raise ArgumentError(f"nonresponse ({nonresponse!r}) must be one of "
                                f"{', '.join(NONRESPONSE_RULES)}")
        goal: dict[str, float | None] = {"sponsor": DEFAULT_TARGETS["sponsor_accuracy"],
                                         "access": None}
        if targets is not None:
            unknown = sorted(set(targets) - set(t.ASPECTS))
            if unknown:
                raise ArgumentError(f"targets for unknown aspect(s) {unknown}; the aspects "
                                    f"are {list(t.ASPECTS)}")
            goal.update(targets)
        period = self.period(month, province)
        if not period.drawn:
            raise PeriodStateError(f"{period.month} {period.province} is not drawn yet")
        verification, note = self._verification(period.month, period.province)
        return month_status(
            self.outcomes(month, province), month=period.month, province=period.province,
            period_status=period.status, targets=goal, verification=verification,
            verification_note=note, confidence_level=confidence_level, method=method,
            nonresponse=nonresponse)

    def _verification(self, month: str, province: str) -> tuple[dict[str, Any], str]:
        """The sequential plan recorded at draw time, or the default with a note."""
        recorded = self.manifest(month, province).get("verification")
        if recorded:
            return {**VERIFICATION_DEFAULTS, **recorded}, ""
        looks = VERIFICATION_DEFAULTS["looks"]
        return dict(VERIFICATION_DEFAULTS), (
            f"the planned looks were not recorded when this month was drawn (a ledger "
            f"drawn by an older version): the stopping advice assumes {looks} equal looks")


class LedgerMonth:
    """A handle on one month × province of a :class:`Ledger`.

    Every method calls the ledger's method of the same name with this month.
    The handle returned by :meth:`Ledger.open_month` also keeps the registry,
    so that :meth:`draw` needs only the seed.
    """

    def __init__(self, ledger: Ledger, month: str, province: str) -> None:
        self.ledger = ledger
        self.month = month
        self.province = province

    def __repr__(self) -> str:
        return f"LedgerMonth({self.month!r}, {self.province!r}, ledger={self.ledger.url!r})"

    @property
    def period(self) -> Period:
        """The month's state (open / closed, drawn)."""
        return self.ledger.period(self.month, self.province)

    def draw(self, seed: int, **options: Any) -> DrawResult:
        """See :meth:`Ledger.draw`."""
        return self.ledger.draw(self.month, self.province, seed=seed, **options)

    def write_worksheets(self, out_dir: str | os.PathLike[str], **options: Any) -> pd.DataFrame:
        """See :meth:`Ledger.write_worksheets`."""
        return self.ledger.write_worksheets(self.month, self.province, out_dir, **options)

    def import_outcomes(self, worksheet: str | os.PathLike[str], **options: Any) -> ImportResult:
        """See :meth:`Ledger.import_outcomes` (the worksheet must belong to this month)."""
        result = self.ledger.import_outcomes(worksheet, **options)
        return result

    def record_outcome(self, key: str, aspect: Any, status: Any, **options: Any) -> int:
        """See :meth:`Ledger.record_outcome`."""
        return self.ledger.record_outcome(self.month, self.province, key, aspect, status,
                                          **options)

    def status(self, **options: Any) -> MonthStatus:
        """See :meth:`Ledger.status`."""
        return self.ledger.status(self.month, self.province, **options)

    def outcomes(self, *, current: bool = True) -> pd.DataFrame:
        """See :meth:`Ledger.outcomes`."""
        return self.ledger.outcomes(self.month, self.province, current=current)

    def sample(self) -> pd.DataFrame:
        """See :meth:`Ledger.sample`."""
        return self.ledger.sample(self.month, self.province)

    def close(self, **options: Any) -> Period:
        """See :meth:`Ledger.close_month`."""
        return self.ledger.close_month(self.month, self.province, **options)

    def reopen(self, *, reason: str, **options: Any) -> Period:
        """See :meth:`Ledger.reopen_month`."""
        return self.ledger.reopen_month(self.month, self.province, reason=reason, **options)

    def record_accessed_sites(self, accessed_sites: pd.DataFrame, **options: Any) -> pd.DataFrame:
        """See :meth:`Ledger.record_accessed_sites`."""
        return self.ledger.record_accessed_sites(self.month, self.province, accessed_sites,
                                                 **options)

    def statistics_table(self, **options: Any) -> Any:
        """The month's 18-row statistics table from the ledger (see
        :func:`~beian_audit.ledger.report.statistics_table_from_ledger`)."""
        return self.ledger.statistics_table(self.month, self.province, **options)
