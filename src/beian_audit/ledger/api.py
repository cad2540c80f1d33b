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
    PeriodStateError,
)
from beian_audit.ledger import migrate
from beian_audit.ledger import schema as t
from beian_audit.ledger._args import _month, _province, _who
from beian_audit.ledger._sql import _insert_chunks, _now, _result_frame
from beian_audit.ledger.engine import create_ledger_engine, display_url, ledger_url
from beian_audit.ledger.imports import REFUSED_CODES, UNREACHABLE_CODES, ImportMixin
from beian_audit.ledger.records import RecordsMixin
from beian_audit.ledger.report import ReportMixin, _count_rows, registry_counts
from beian_audit.ledger.results import DrawResult, ImportResult, MonthStatus, Period
from beian_audit.ledger.views import _DESIGN_COLUMNS, VERIFICATION_DEFAULTS, ViewsMixin
from beian_audit.privacy import scrub_text

__all__ = ["REFUSED_CODES", "UNREACHABLE_CODES", "Ledger", "LedgerMonth", "Split"]

Split = Literal["none", "verifier", "provider"]
SPLITS: tuple[str, ...] = ("none", "verifier", "provider")


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


class Ledger(ViewsMixin, ImportMixin, RecordsMixin, ReportMixin):
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

    def _frame(self, query: Any) -> pd.DataFrame:
        with self._read() as conn:
            result = conn.execute(query)
            return _result_frame(result)

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

    def record_outcomes(self, frame: pd.DataFrame, **options: Any) -> ImportResult:
        """See :meth:`Ledger.record_outcomes`."""
        return self.ledger.record_outcomes(frame, self.month, self.province, **options)

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
