"""The ledger's subcommands of ``beian-audit`` (registered by :mod:`beian_audit.cli`).

::

    beian-audit month open REGISTRY --month M --province P [plan options]
    beian-audit month draw REGISTRY --month M --province P --seed S [--out DIR]
                           [--split none|verifier|provider] [--verifier NAME ...] [--looks K]
    beian-audit month status --month M --province P [--sponsor-target T] [--fail-on-target]
                             [--nonresponse mar|worst|best|bounds]
    beian-audit month report --month M --province P [--out DIR] [--html | --no-html]
                             [--language zh|en] [--nonresponse mar|worst|best|bounds] [--force]
    beian-audit month close  --month M --province P [--reason TEXT]
    beian-audit month reopen --month M --province P --reason TEXT
    beian-audit outcomes import WORKSHEET [WORKSHEET ...] [--verifier NAME]
    beian-audit ledger upgrade [PATH_OR_URL]
    beian-audit case open KEY --deadline D [--month M --province P --aspect A]
    beian-audit case open --from-outcomes --month M --province P --deadline D
    beian-audit case update CASE_ID STATUS [--deadline D] [--note TEXT]
    beian-audit case list [--month M --province P] [--status S] [--overdue-on D]

Every subcommand takes ``--ledger PATH_OR_URL`` (default: ``$BEIAN_AUDIT_LEDGER``,
else ``beian-audit.db`` in the current directory; a PostgreSQL URL serves a
team). Only ``month open`` creates a ledger; the others need an existing one.
The exit codes are those of :mod:`beian_audit.cli`; ``month status
--fail-on-target`` exits 1 unless every targeted verdict is ``met``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["register"]

LEDGER_ENV = "BEIAN_AUDIT_LEDGER"


def _records(frame: Any) -> list[dict[str, Any]]:
    """A frame as JSON-ready records (dates and times as ISO text)."""
    import pandas as pd

    out = []
    for record in frame.to_dict(orient="records"):
        for name, value in record.items():
            if isinstance(value, dt.date | dt.datetime | pd.Timestamp):
                record[name] = value.isoformat()
        out.append(record)
    return out


def _location(args: argparse.Namespace) -> str:
    value = args.ledger or os.environ.get(LEDGER_ENV) or "beian-audit.db"
    return str(value)


def _open(args: argparse.Namespace, *, create: bool = False) -> Any:
    from beian_audit.ledger import Ledger

    return Ledger.open(_location(args), create=create)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date ({text!r}) must be YYYY-MM-DD, e.g. 2013-06-15") from None


def _dispatch(args: argparse.Namespace) -> int:
    return int(args.action_func(args))


def _month_open(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli
    from beian_audit.ledger.engine import ledger_url

    path = cli.input_path(args.registry, "REGISTRY")
    allocation = cli.allocation_of(args)
    if allocation == "neyman" and args.anticipated is None:
        raise cli.usage_error("--allocation neyman needs --anticipated")
    options = dict(
        strata=args.strata if len(args.strata) > 1 else args.strata[0], n=args.n,
        n_per_stratum=args.n_per_stratum, allocation=allocation,
        min_per_stratum=args.min_per_stratum, target=args.target, margin=args.margin,
        expected=args.expected, anticipated=cli.anticipated_arg(args.anticipated),
        confidence_level=args.confidence_level, failures=args.allowed_failures,
        power=args.power, deff=args.deff, response_rate=args.response_rate,
    )
    filings = cli.load_registry(path)
    _, db = ledger_url(_location(args))
    new = db is not None and not db.exists()
    ledger = None
    try:
        ledger = _open(args, create=True)
        month = ledger.open_month(filings, args.month, args.province, key=args.key,
                                  source=str(path), actor=args.actor, **options)
        plan = ledger.plan(month.month, month.province)
    except BaseException:
        if ledger is not None:
            ledger.close()
        if new and db is not None:  # a failed `month open` leaves no empty ledger behind
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        raise
    ledger.close()
    cli.note(args, f"opened {month.month} {month.province} in {ledger.url}: allocation "
                    f"{allocation!r}, n = {plan['n']}")
    cli.print_json({"ledger": ledger.url, "month": month.month, "province": month.province,
                     "allocation": allocation, "n": plan["n"], "n_strata": plan["n_strata"],
                     "sizes": _records(plan["sizes"])})
    return cli.EXIT_OK


def _month_draw(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli

    path = cli.input_path(args.registry, "REGISTRY")
    if args.split == "verifier" and not args.verifier:
        raise cli.usage_error("--split verifier needs --verifier NAME (one per verifier)")
    if args.verifier and args.split != "verifier":
        raise cli.usage_error("--verifier goes with --split verifier")
    with _open(args) as ledger:
        ledger.period(args.month, args.province)  # the month exists: before reading
        filings = cli.load_registry(path)
        result = ledger.draw(args.month, args.province, seed=args.seed, registry=filings,
                             out_dir=args.out, split=args.split, verifiers=args.verifier,
                             contacts=args.contacts, period=args.period,
                             rotation=args.rotation, overwrite=args.force, actor=args.actor,
                             looks=args.looks)
    if args.contacts != "masked":
        cli.note(args, "the worksheets hold phone numbers in clear (personal data): give "
                        "them only to the assigned field checkers and delete them after use")
    cli.print_json(result.to_dict())
    return cli.EXIT_OK


def _month_status(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli

    targets: dict[str, float | None] = {}
    if args.sponsor_target is not None:
        targets["sponsor"] = args.sponsor_target
    if args.access_target is not None:
        targets["access"] = args.access_target
    with _open(args) as ledger:
        status = ledger.status(args.month, args.province, targets=targets or None,
                               confidence_level=args.confidence_level,
                               nonresponse=args.nonresponse)
    for aspect, advice in status.advice.items():
        if advice:
            cli.note(args, f"{aspect}: {status.verdicts.get(aspect, '')}; {advice}")
    for note in status.notes:
        cli.note(args, note)
    cli.print_json(status.to_dict())
    if args.fail_on_target and (not status.verdicts or any(
            v != "met" for v in status.verdicts.values())):
        return cli.EXIT_TARGET_NOT_MET
    return cli.EXIT_OK


def _month_report(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli
    from beian_audit.ledger.monthly_report import MONTH_REPORT_FILES

    targets: dict[str, float | None] = {}
    if args.sponsor_target is not None:
        targets["sponsor"] = args.sponsor_target
    if args.access_target is not None:
        targets["access"] = args.access_target
    outputs = cli.Outputs(force=args.force)
    files = [f for f in MONTH_REPORT_FILES if args.html or f != "report.html"]
    out = outputs.directory(args.out, files, "--out")
    with _open(args) as ledger:
        ledger.period(args.month, args.province)  # the month exists: before any output
        with outputs.transaction():
            staged = outputs.stage_dir(out)
            report = ledger.report(args.month, args.province, staged, html=args.html,
                                   language=args.language, targets=targets or None,
                                   nonresponse=args.nonresponse,
                                   confidence_level=args.confidence_level)
        url = ledger.url
    for note in report.notes:
        cli.note(args, note)
    if not report.complete:
        cli.note(args, "outcomes are still pending: the verdicts of the report are provisional")
    report = dataclasses.replace(report, out_dir=out, files={
        k: out / Path(v).name for k, v in report.files.items()})  # where they were moved
    document = report.to_dict()
    document.pop("records", None)
    document["ledger"] = url
    cli.print_json(document)
    return cli.EXIT_OK


def _month_close(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli

    with _open(args) as ledger:
        period = ledger.close_month(args.month, args.province, actor=args.actor,
                                    reason=args.reason)
    cli.print_json(period.to_dict())
    return cli.EXIT_OK


def _month_reopen(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli

    with _open(args) as ledger:
        period = ledger.reopen_month(args.month, args.province, reason=args.reason,
                                     actor=args.actor)
    cli.print_json(period.to_dict())
    return cli.EXIT_OK


def _outcomes_import(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli
    from beian_audit.errors import OutcomeImportError, WorksheetError

    paths = [cli.input_path(w, "WORKSHEET", (".xlsx", ".xlsm")) for w in args.worksheet]
    results: list[Any] = []
    with _open(args) as ledger:
        for path in paths:
            try:
                result = ledger.import_outcomes(path, verifier=args.verifier, actor=args.actor)
            except OutcomeImportError as exc:
                if isinstance(exc.__cause__, WorksheetError):
                    raise cli.FileProblems(path, exc.__cause__) from exc
                sys.stderr.write(f"beian-audit outcomes: error: {exc}\n")
                if results:
                    sys.stderr.write(f"  (imported before it: "
                                     f"{', '.join(r.file for r in results)})\n")
                return cli.EXIT_BAD_INPUT
            cli.note(args, result._summary())
            results.append(result)
    cli.print_json({"ledger": ledger.url,
                     "imports": [r.to_frame().iloc[0].to_dict() for r in results]})
    return cli.EXIT_OK


def _ledger_upgrade(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli
    from beian_audit.errors import LedgerUpgradeRequiredError
    from beian_audit.ledger import Ledger
    from beian_audit.ledger.migrate import head_revision

    location = args.path or _location(args)
    try:
        with Ledger.open(location, create=False, upgrade=False) as ledger:
            before = ledger.revision
    except LedgerUpgradeRequiredError as exc:
        before = exc.current
    with Ledger.open(location, create=False, upgrade=True) as ledger:
        after = ledger.revision
        url = ledger.url
    cli.note(args, f"{url}: schema revision {before} → {after}"
              if before != after else f"{url} is up to date (revision {after})")
    cli.print_json({"ledger": url, "from": before, "to": after, "head": head_revision()})
    return cli.EXIT_OK


def _case_open(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli

    if args.from_outcomes:
        if args.key is not None or args.month is None or args.province is None:
            raise cli.usage_error("--from-outcomes takes --month and --province, not a KEY")
    elif args.key is None:
        raise cli.usage_error("give the KEY of the filing (or --from-outcomes)")
    if (args.month is None) != (args.province is None):
        raise cli.usage_error("give both --month and --province (or neither)")
    with _open(args) as ledger:
        if args.from_outcomes:
            ids = ledger.open_cases_from_outcomes(args.month, args.province,
                                                  deadline=args.deadline, actor=args.actor)
        else:
            ids = [ledger.open_case(args.key, deadline=args.deadline, month=args.month,
                                    province=args.province, aspect=args.aspect,
                                    reason=args.reason, note=args.note, actor=args.actor)]
        cases = ledger.cases()
    cli.print_json({"opened": ids,
                     "cases": _records(cases[cases["case_id"].isin(ids)])})
    return cli.EXIT_OK


def _case_update(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli

    with _open(args) as ledger:
        ledger.update_case(args.case_id, args.status, deadline=args.deadline, note=args.note,
                           actor=args.actor)
        cases = ledger.cases()
    cli.print_json({"case": _records(cases[cases["case_id"] == args.case_id])[0]})
    return cli.EXIT_OK


def _case_list(args: argparse.Namespace) -> int:
    from beian_audit import _cli_base as cli

    if (args.month is None) != (args.province is None):
        raise cli.usage_error("give both --month and --province (or neither)")
    with _open(args) as ledger:
        cases = ledger.cases(month=args.month, province=args.province, status=args.status,
                             overdue_on=args.overdue_on)
    cli.print_json({"cases": _records(cases)})
    return cli.EXIT_OK


def register(
    sub: Any,
    *,
    add: Callable[[str, str], argparse.ArgumentParser],
    force: Callable[[argparse.ArgumentParser], None],
    design: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add ``month``, ``outcomes``, ``ledger`` and ``case`` to the ``beian-audit`` parser."""
    from beian_audit import _cli_base as cli
    from beian_audit.ledger.constants import CASE_STATUSES

    formatter = argparse.RawDescriptionHelpFormatter

    def group(name: str, text: str) -> Any:
        parser = add(name, text)
        parser.set_defaults(func=_dispatch)
        return parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(actions: Any, name: str, text: str, func: Callable[..., int], *,
               month: bool = True, month_required: bool = True) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = actions.add_parser(
            name, help=text, description=text, epilog=cli.EPILOG, formatter_class=formatter)
        p.add_argument("--ledger", default=None,
                       help=f"ledger file or URL (default: ${LEDGER_ENV}, else beian-audit.db "
                            "in the current directory); postgresql://user@host/db for a team")
        p.add_argument("--actor", default=None,
                       help="who does it (recorded; default: the system user)")
        if month:
            p.add_argument("--month", type=cli.month_arg, required=month_required,
                           default=None, help="YYYY-MM")
            p.add_argument("--province", type=cli.province_arg, required=month_required,
                           default=None, help="province name, short name or code")
        p.set_defaults(action_func=func)
        return p

    months = group("month", "the monthly audit in the ledger: open, draw, status, report, "
                            "close, reopen")
    opening = action(months, "open", "open a month: record the registry and the plan", _month_open)
    design(opening)
    opening.add_argument("--key", default="website_id", help="filing key column")
    drawing = action(months, "draw", "draw the month's sample and write the worksheets",
                     _month_draw)
    drawing.add_argument("registry", help="the registry the month was opened with")
    drawing.add_argument("--seed", type=cli.count_arg("--seed", 0), required=True)
    drawing.add_argument("--out", default="worksheets",
                         help="directory of the worksheets (default: worksheets)")
    drawing.add_argument("--split", choices=["none", "verifier", "provider"], default="none",
                         help="one worksheet, one per verifier, or one per access provider")
    drawing.add_argument("--verifier", action="append", default=None,
                         help="with --split verifier: a verifier's name (repeat)")
    drawing.add_argument("--contacts", choices=["masked", "clear", "protected-sheet"],
                         default="masked", help="phone numbers for the field checkers")
    drawing.add_argument("--period", type=cli.count_arg("--period", 0), default=0)
    drawing.add_argument("--rotation", type=cli.unit_arg("--rotation", closed=True), default=0.0)
    drawing.add_argument("--looks", type=cli.count_arg("--looks", 1), default=5,
                         help="planned looks of the sequential stopping rule, fixed before "
                              "verifying (default 5 equal batches)")
    force(drawing)
    status = action(months, "status", "progress per stratum, current estimates and verdicts",
                    _month_status)
    status.add_argument("--sponsor-target", type=cli.unit_arg("--sponsor-target"), default=None,
                        help="target of sponsor accuracy (default 0.75)")
    status.add_argument("--access-target", type=cli.unit_arg("--access-target"), default=None,
                        help="target of access accuracy (default: none)")
    status.add_argument("--confidence-level", type=cli.unit_arg("--confidence-level"),
                        default=0.95)
    status.add_argument("--nonresponse", choices=["mar", "worst", "best", "bounds"],
                        default="mar",
                        help="unreachable / refused filings: mar (default, reweighted within "
                             "the stratum), worst (counted incorrect: the ministry's strict "
                             "reading), best, or bounds (worst to best)")
    status.add_argument("--fail-on-target", action="store_true",
                        help="exit with 1 unless every targeted verdict is 'met'")
    reporting = action(months, "report", "write the month's report: report.html, the "
                                         "statistics table (XLSX, CSV, JSON) and the status",
                       _month_report)
    reporting.add_argument("--out", default="reports",
                           help="output directory (default: reports)")
    reporting.add_argument("--html", action=argparse.BooleanOptionalAction, default=True,
                           help="write report.html, the month on one self-contained page "
                                "(default: yes)")
    reporting.add_argument("--language", choices=["zh", "en"], default="zh",
                           help="language of report.html (default: zh)")
    reporting.add_argument("--sponsor-target", type=cli.unit_arg("--sponsor-target"),
                           default=None, help="target of sponsor accuracy (default 0.75)")
    reporting.add_argument("--access-target", type=cli.unit_arg("--access-target"),
                           default=None, help="target of access accuracy (default: none)")
    reporting.add_argument("--confidence-level", type=cli.unit_arg("--confidence-level"),
                           default=0.95)
    reporting.add_argument("--nonresponse", choices=["mar", "worst", "best", "bounds"],
                           default="mar",
                           help="unreachable / refused filings, as in `month status` "
                                "(default: mar)")
    force(reporting)
    closing = action(months, "close", "close the month (changes need a reopen)", _month_close)
    closing.add_argument("--reason", default=None, help="a note recorded with the closing")
    reopening = action(months, "reopen", "reopen a closed month (the reason is recorded)",
                       _month_reopen)
    reopening.add_argument("--reason", required=True, help="why the month is reopened")

    outcomes = group("outcomes", "verification outcomes in the ledger")
    importing = action(outcomes, "import", "import filled worksheets (each all or nothing; "
                                           "importing one twice changes nothing)",
                       _outcomes_import, month=False)
    importing.add_argument("worksheet", nargs="+", help="filled worksheet(s) (.xlsx)")
    importing.add_argument("--verifier", default=None,
                           help="verifier of rows whose 核查人 cell is empty")

    ledgers = group("ledger", "the ledger database itself")
    upgrading = action(ledgers, "upgrade", "upgrade a ledger written by an older version",
                       _ledger_upgrade, month=False)
    upgrading.add_argument("path", nargs="?", default=None,
                           help="the ledger file or URL (default: --ledger)")

    cases = group("case", "cases opened from failed checks: correction → corrected / "
                          "access cut / filing cancelled")
    opening = action(cases, "open", "open a case (a correction is ordered)", _case_open,
                     month_required=False)
    opening.add_argument("key", nargs="?", default=None, help="the filing's key")
    opening.add_argument("--deadline", type=_date, required=True, help="YYYY-MM-DD")
    opening.add_argument("--aspect", choices=["sponsor", "access"], default=None)
    opening.add_argument("--reason", default=None)
    opening.add_argument("--note", default=None)
    opening.add_argument("--from-outcomes", action="store_true",
                         help="open a case for every incorrect outcome of the month")
    updating = action(cases, "update", "move a case on", _case_update, month=False)
    updating.add_argument("case_id", type=cli.count_arg("CASE_ID", 1))
    updating.add_argument("status", choices=list(CASE_STATUSES))
    updating.add_argument("--deadline", type=_date, default=None, help="YYYY-MM-DD")
    updating.add_argument("--note", default=None)
    listing = action(cases, "list", "list cases with their current status", _case_list,
                     month_required=False)
    listing.add_argument("--status", choices=list(CASE_STATUSES), default=None)
    listing.add_argument("--overdue-on", type=_date, default=None,
                         help="only open cases past their deadline on this date")
