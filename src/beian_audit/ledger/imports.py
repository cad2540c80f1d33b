"""Outcomes into the ledger: worksheet import, one outcome by hand, many from a frame.

Mixed into :class:`~beian_audit.ledger.Ledger`. Every path follows the same
rules: a filled outcome (per filing and aspect) is written only when it
differs from the current one (status or reason); a correction is a new row
that supersedes the current one (``supersedes_id``), never an update; a
batch (a worksheet, a frame) is checked whole and written in one
transaction, so a bad row writes nothing, and its content fingerprint makes
importing it again a no-op. Errors name the row and the column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from beian_audit.errors import ArgumentError, OutcomeImportError, WorksheetError
from beian_audit.ledger import schema as t
from beian_audit.ledger._args import _who
from beian_audit.ledger._sql import LedgerParts, _insert_chunks, _now
from beian_audit.ledger.results import ImportResult
from beian_audit.privacy import scrub_text

__all__ = ["OUTCOME_COLUMNS", "REFUSED_CODES", "UNREACHABLE_CODES", "ImportMixin"]

#: Reason codes that make an empty outcome cell "unreachable" (the check could not be made).
UNREACHABLE_CODES: frozenset[str] = frozenset(
    {"phone_unreachable", "domain_not_resolving", "site_closed"}
)
#: Reason codes that make an empty outcome cell "refused" (the sponsor would not take part).
REFUSED_CODES: frozenset[str] = frozenset({"refused"})
#: Columns of the frame of :meth:`Ledger.record_outcomes`, besides the filing key
#: (``aspect`` and ``status`` are required, the others optional).
OUTCOME_COLUMNS: tuple[str, ...] = ("aspect", "status", "reason", "verifier", "checked_on",
                                    "note")
_FRAME_MESSAGES = {
    "column_missing": "the column is missing",
    "unknown_column": "not a column of record_outcomes (the filing key, "
                      + ", ".join(OUTCOME_COLUMNS) + ")",
    "key_missing": "no filing key",
    "not_in_sample": "the filing is not in the month's drawn sample",
    "duplicate": "a second outcome for the same filing and aspect in one batch",
    "unknown_aspect": "the aspect must be one of " + ", ".join(t.ASPECTS),
    "unknown_status": "the status must be one of " + ", ".join(t.OUTCOME_STATUSES),
    "unknown_reason": "unknown reason code (the codes are beian_audit.sampling.REASON_CODES)",
    "verifier_missing": "nobody is named as verifier (fill the verifier column, or give "
                        "verifier=…)",
    "bad_date": "not a date (e.g. 2013-05-20)",
    "future_date": "the check date is in the future",
}


def _blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _day(value: Any) -> dt.date | None:
    """A check date from a cell: date, datetime, Timestamp or ISO 8601 text.

    ``None`` for a value of another type; ``ValueError`` from the parser for text
    that is not ISO 8601.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if isinstance(value, str):  # ISO only: 5/6/2013 is May or June
        text = value.strip()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return dt.datetime.fromisoformat(text).date()
    return None


def _frame_candidates(
    frame: pd.DataFrame, key: str, verifier: str | None, units: Mapping[str, int],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The outcomes of a frame, checked row by row: (candidates, problems)."""
    from beian_audit.sampling import REASON_CODES

    problems: list[dict[str, Any]] = []
    columns = [str(c) for c in frame.columns]
    for column in (key, "aspect", "status"):
        if column not in columns:
            problems.append({"row": None, "column": column, "value": None,
                             "reason": "column_missing"})
    for column in columns:
        if column != key and column not in OUTCOME_COLUMNS:
            problems.append({"row": None, "column": column, "value": None,
                             "reason": "unknown_column"})
    if problems:
        return [], problems
    default = None if verifier is None else scrub_text(str(verifier).strip())[:100] or None
    tomorrow = (_now() + dt.timedelta(days=1)).date()
    n = len(frame)
    empty = np.full(n, None, dtype=object)

    def cells(column: str) -> np.ndarray:
        if column not in columns:
            return empty
        return frame[column].to_numpy(dtype=object)

    keys, aspects, statuses = cells(key), cells("aspect"), cells("status")
    reasons, who, when, notes = cells("reason"), cells("verifier"), cells("checked_on"), \
        cells("note")
    labels = list(frame.index)
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for i in range(n):
        label = labels[i]
        first = len(problems)

        def bad(column: str, value: Any, reason: str, label: Any = label) -> None:
            shown = None if _blank(value) else scrub_text(str(value))[:200]
            problems.append({"row": label, "column": column, "value": shown, "reason": reason})

        unit_key = None if _blank(keys[i]) else str(keys[i]).strip()
        if unit_key is None:
            bad(key, None, "key_missing")
        elif unit_key not in units:
            bad(key, unit_key, "not_in_sample")
        aspect, status = aspects[i], statuses[i]
        aspect = aspect.strip() if isinstance(aspect, str) else aspect
        status = status.strip() if isinstance(status, str) else status
        if aspect not in t.ASPECTS:
            bad("aspect", aspect, "unknown_aspect")
        elif unit_key is not None:
            if (unit_key, aspect) in seen:
                bad(key, unit_key, "duplicate")
            seen.add((unit_key, aspect))
        if status not in t.OUTCOME_STATUSES:
            bad("status", status, "unknown_status")
        reason = None
        if not _blank(reasons[i]):
            codes = [c.strip() for c in str(reasons[i]).split(";") if c.strip()]
            unknown = [c for c in codes if c not in REASON_CODES]
            if unknown:
                bad("reason", ";".join(unknown), "unknown_reason")
            reason = ";".join(codes) or None
        name = default if _blank(who[i]) else scrub_text(str(who[i]).strip())[:100]
        if name is None:
            bad("verifier", None, "verifier_missing")
        checked_on = None
        if not _blank(when[i]):
            try:
                checked_on = _day(when[i])
            except (ValueError, TypeError, OverflowError):
                checked_on = None
            if checked_on is None:
                bad("checked_on", when[i], "bad_date")
            else:
                if checked_on > tomorrow:
                    bad("checked_on", checked_on, "future_date")
        if len(problems) > first:
            continue
        out.append({
            "unit_key": unit_key, "aspect": aspect, "status": status,
            "reason": None if status == "correct" else reason, "verifier": name,
            "checked_on": checked_on,
            "source_row": int(label) if isinstance(label, int | np.integer) else i,
            "note": None if _blank(notes[i]) else scrub_text(str(notes[i])),
        })
    return out, problems


def _raise_frame_rows(source: str, problems: list[dict[str, Any]]) -> None:
    def line(p: dict[str, Any]) -> str:
        where = "" if p["row"] is None else f"row {p['row']!r}, "
        return f"{where}column {p['column']!r}: {_FRAME_MESSAGES.get(p['reason'], p['reason'])}"

    _raise_problems(scrub_text(source), "recorded", problems, line)


def _raise_problems(source: str, done: str, problems: list[dict[str, Any]],
                    line: Callable[[dict[str, Any]], str]) -> None:
    """:class:`OutcomeImportError` listing the first ten problems (``line`` says each).

    Every problem is in the error's ``failure_cases``; nothing was ``done``.
    """
    from beian_audit.errors import FAILURE_COLUMNS

    lines = [line(p) + ("" if p["value"] is None else f" (value {p['value']!r})")
             for p in problems[:10]]
    more = (f"\n  … and {len(problems) - 10} more (see .failure_cases)"
            if len(problems) > 10 else "")
    raise OutcomeImportError(
        f"{source}: {len(problems)} problem(s), nothing was {done}:\n  "
        + "\n  ".join(lines) + more,
        pd.DataFrame(problems, columns=list(FAILURE_COLUMNS)),
    )


class ImportMixin(LedgerParts):
    """Recording verification outcomes in a :class:`~beian_audit.ledger.Ledger`."""

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
            recorded, superseding, unchanged = self._append(
                conn, row, candidates, units, source=path.name, content=content,
                n_rows=len(sheet), actor=actor)
        return ImportResult(**result, n_recorded=recorded, n_superseding=superseding,
                            n_unchanged=unchanged, already_imported=False)

    def _append(
        self, conn: sa.Connection, row: Any, candidates: list[dict[str, Any]],
        units: Mapping[str, int], *, source: str, content: str, n_rows: int,
        actor: str | None,
    ) -> tuple[int, int, int]:
        """Append the candidates that change the current outcomes (one import, one batch).

        The rules of every batch: an outcome equal to the current one (status
        and reason) is unchanged; a ``pending`` one never replaces a final
        outcome; any other is written, superseding the current one. Returns
        (recorded, superseding, unchanged).
        """
        current = self._current(conn, row.id)
        now = _now()
        name = scrub_text(source)
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
                "source_file": name, "source_row": c["source_row"],
                "supersedes_id": None if before is None else before["id"],
                "note": c.get("note"),
            })
            superseding += before is not None
        import_id = conn.execute(t.imports.insert().values(
            period_id=row.id, fingerprint=content, file_name=name,
            imported_by=_who(actor), imported_at=now, n_rows=n_rows, n_recorded=len(rows),
        )).inserted_primary_key[0]  # type: ignore[index]
        for record in rows:
            record["import_id"] = import_id
        _insert_chunks(conn, t.outcomes, rows)
        return len(rows), superseding, unchanged

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
        from beian_audit.sampling.worksheet import column_label

        messages = {
            "verifier_missing": "an outcome is filled in but nobody is named as verifier "
                                "(fill 核查人, or import with verifier=… / --verifier)",
            "future_date": "the check date is in the future",
            "not_in_sample": "the filing is not in the month's drawn sample",
        }

        def line(p: dict[str, Any]) -> str:
            column = str(p["column"])
            return (f"Excel row {p['row']}, column {column_label(column)!r} ({column}): "
                    f"{messages.get(p['reason'], p['reason'])}")

        _raise_problems(path.name, "imported", problems, line)

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

    def record_outcomes(
        self,
        frame: pd.DataFrame,
        month: str,
        province: str,
        *,
        key: str | None = None,
        verifier: str | None = None,
        source: str | None = None,
        actor: str | None = None,
    ) -> ImportResult:
        """Record many outcomes at once, all or nothing, idempotently.

        The bulk form of :meth:`record_outcome`, under the rules of
        :meth:`import_outcomes`: each row is checked, and when any row is bad
        nothing is written (the error names every bad row and column); an
        outcome equal to the current one (status and reason) is left
        unchanged, a ``pending`` one never replaces a final outcome, any
        other is appended and supersedes the current one (nothing is
        overwritten). The batch is kept as an import (``Ledger.imports()``)
        with a content fingerprint, so recording the same frame again
        changes nothing.

        Parameters
        ----------
        frame : DataFrame
            One row per filing and aspect: the filing key (column ``key``),
            ``aspect`` (sponsor / access), ``status`` (correct / incorrect /
            unreachable / refused / pending) and optionally ``reason``
            (reason codes, ``;``-separated; kept only with a status other
            than correct), ``verifier``, ``checked_on`` (date of the check:
            a date, a timestamp or ``YYYY-MM-DD``) and ``note``. Other
            columns are refused (a typo must not drop a value silently).
        month, province : str
        key : str, optional
            The key column (default: the one the month was opened with,
            usually ``website_id``).
        verifier : str, optional
            Verifier of rows whose ``verifier`` is empty (or absent).
        source : str, optional
            Where the outcomes come from (kept as the outcomes'
            ``source_file``; default ``"DataFrame"``). ``source_row`` is the
            row's index label when it is an integer, else its position.
        actor : str, optional
            Who records (default: the operating-system user).

        Returns
        -------
        ImportResult
            ``file`` is ``source``; ``n_rows`` the rows of the frame.

        Raises
        ------
        OutcomeImportError
            Bad rows: unknown aspect, status or reason code, a filing not in
            the drawn sample, the same filing and aspect twice, no verifier,
            a bad or future check date, a missing or unknown column. The
            message names the row (index label) and the column;
            ``failure_cases`` lists every problem.
        PeriodStateError
            The month is unknown, closed or not drawn.

        Examples
        --------
        >>> # ledger.record_outcomes(pd.DataFrame({"website_id": ["W1", "W1"],
        >>> #     "aspect": ["sponsor", "access"], "status": ["correct", "unreachable"],
        >>> #     "reason": [None, "phone_unreachable"], "verifier": "王核查",
        >>> #     "checked_on": "2013-05-20"}), "2013-05", "广东", source="calls.csv")
        """
        from beian_audit.errors import ArgumentTypeError, PeriodStateError

        if not isinstance(frame, pd.DataFrame):
            raise ArgumentTypeError(
                f"frame must be a pandas DataFrame, not {type(frame).__name__}")
        name = "DataFrame" if source is None else str(source).strip()
        if not name:
            raise ArgumentError("source ('') must name where the outcomes come from")
        with self._read() as conn:
            row = self._period_row(conn, month, province)
            self._require_open(row, "record outcomes")
            recorded_key = conn.execute(sa.select(t.registry_snapshots.c.key_column).where(
                t.registry_snapshots.c.period_id == row.id)).scalar_one()
            units = {k: i for k, i in conn.execute(
                sa.select(t.sample_units.c.unit_key, t.sample_units.c.id)
                .where(t.sample_units.c.period_id == row.id))}
        if not units:
            raise PeriodStateError(f"{row.month} {row.province} is not drawn yet")
        key = str(recorded_key) if key is None else key
        candidates, problems = _frame_candidates(frame, key, verifier, units)
        if problems:
            _raise_frame_rows(name, problems)
        content = hashlib.sha256(json.dumps(
            {"period": [row.month, row.province],
             "rows": [[c["unit_key"], c["aspect"], c["status"], c["reason"], c["verifier"],
                       None if c["checked_on"] is None else c["checked_on"].isoformat(),
                       c["note"]] for c in candidates]},
            ensure_ascii=False).encode()).hexdigest()
        with self._write() as conn:
            row = self._period_row(conn, month, province, lock=True)
            self._require_open(row, "record outcomes")
            result = dict(file=scrub_text(name), month=row.month, province=row.province,
                          n_rows=len(frame))
            seen = conn.execute(sa.select(t.imports.c.id).where(
                t.imports.c.period_id == row.id, t.imports.c.fingerprint == content)).first()
            if seen is not None:
                return ImportResult(**result, n_recorded=0, n_superseding=0, n_unchanged=0,
                                    already_imported=True)
            recorded, superseding, unchanged = self._append(
                conn, row, candidates, units, source=name, content=content,
                n_rows=len(frame), actor=actor)
        return ImportResult(**result, n_recorded=recorded, n_superseding=superseding,
                            n_unchanged=unchanged, already_imported=False)
