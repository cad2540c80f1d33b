"""The ``beian-audit`` command for scheduled spot checks.

Subcommands::

    beian-audit read     REGISTRY                        validate a registry, list every problem
    beian-audit check    REGISTRY [--providers P] [--failures F.csv]
    beian-audit plan     REGISTRY [--strata COL ...] [--allocation A] [--n N | --margin M |
                                   --target T] [--expected E] [--anticipated A]
    beian-audit draw     REGISTRY --seed S [--worksheet W.xlsx] [--manifest M.json]
                                   [--contacts masked|clear|protected-sheet] [plan options]
    beian-audit estimate REGISTRY --worksheet W.xlsx [W2.xlsx ...] [--outcome sponsor|access]
                                   [--target T] [--fail-on-target]
    beian-audit report   [--registry R --worksheet W.xlsx ...] [--providers P]
                         [--accessed-sites A] [--province P] [--month YYYY-MM] [--out DIR]
                         [--html [--language zh|en]]
    beian-audit demo     [--out DIR] [--json]            the main job on the bundled registry
    beian-audit month open|draw|status|close|reopen …   the monthly audit in a ledger
    beian-audit outcomes import WORKSHEET …             (see :mod:`beian_audit.ledger.cli`)
    beian-audit ledger upgrade [PATH_OR_URL]
    beian-audit case open|update|list …

Registries may be CSV, XLSX or Parquet with Chinese or English headers. Every
subcommand but ``demo`` prints its result as JSON on stdout (``demo`` prints a
short text summary, or JSON with ``--json``); warnings and errors go to stderr,
one line each. Personal data is masked in everything written, except the phone
numbers that ``draw --contacts clear|protected-sheet`` writes for the field
checkers (see :mod:`beian_audit.sampling.worksheet`).

**Exit codes** (the same for every subcommand):

* ``0`` success;
* ``1`` a target was not met — only with ``--fail-on-target`` (``estimate``): any
  verdict other than ``met`` (``not_met``, ``inconclusive``, or a partly filled
  worksheet) exits 1;
* ``2`` bad usage or bad input: an unknown or malformed option (``--month
  2013-5``, an unknown ``--province``), an input file that is missing or
  unreadable, schema or worksheet problems (every problem is listed on stderr
  with the line or Excel row and the column as headed in the file; cap the list
  with ``--max-problems``), an output that exists without ``--force`` or cannot
  be written, and every other :class:`~beian_audit.errors.BeianAuditError`;
* ``3`` an internal error (a bug): a one-line message; ``--debug`` shows the
  traceback.

**Outputs are all-or-nothing.** Every option is checked before the work starts
(months, provinces, output suffixes, that an output is not one of the inputs and
that its directory can be created). Files are written to temporary names next to
their destination and moved into place only when the whole subcommand has
succeeded, so a failure never leaves a half-written worksheet or a partial set of
report files; missing directories are created then. An existing output is
replaced only with ``--force`` (``demo`` always replaces its own report files).

**Allocation.** ``plan`` and ``draw`` use ``--allocation`` when given. Otherwise
they use ``proportional`` (the Python default of
:func:`~beian_audit.sampling.plan_sample`) when a size or goal is given
(``--n``, ``--margin``, ``--target``), and the provincial rule ``tianjin``
(1 → 1, 2–49 → 2, 50–100 → 3, > 100 → 3 %) when none is; the allocation used is
in the JSON (``allocation``) and on stderr. ``neyman`` needs ``--anticipated``
(a rate, a registry column, or a CSV/JSON file of stratum → rate).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beian_audit.errors import BeianAuditError

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL_ERROR",
    "EXIT_OK",
    "EXIT_TARGET_NOT_MET",
    "CliUsageError",
    "main",
]

from beian_audit._cli_base import (
    ALLOCATIONS as _ALLOCATIONS,
)
from beian_audit._cli_base import (
    EPILOG as _EPILOG,
)
from beian_audit._cli_base import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL_ERROR,
    EXIT_OK,
    EXIT_TARGET_NOT_MET,
    CliUsageError,
)
from beian_audit._cli_base import (
    FileProblems as _FileProblems,
)
from beian_audit._cli_base import (
    Outputs as _Outputs,
)
from beian_audit._cli_base import (
    allocation_of as _allocation,
)
from beian_audit._cli_base import (
    anticipated_arg as _anticipated,
)
from beian_audit._cli_base import (
    count_arg as _count,
)
from beian_audit._cli_base import (
    file_headers as _file_headers,
)
from beian_audit._cli_base import (
    input_path as _input,
)
from beian_audit._cli_base import (
    load_registry as _load,
)
from beian_audit._cli_base import (
    load_table as _load_table,
)
from beian_audit._cli_base import (
    month_arg as _month,
)
from beian_audit._cli_base import (
    note as _note,
)
from beian_audit._cli_base import (
    print_json as _print_json,
)
from beian_audit._cli_base import (
    problem_lines as _problem_lines,
)
from beian_audit._cli_base import (
    province_arg as _province,
)
from beian_audit._cli_base import (
    read_sheets as _read_sheets,
)
from beian_audit._cli_base import (
    unit_arg as _unit,
)
from beian_audit._cli_base import (
    usage_error as _usage,
)


def _plan(args: argparse.Namespace, filings: Any) -> Any:
    from beian_audit.sampling import plan_sample

    allocation = _allocation(args)
    if allocation == "neyman" and args.anticipated is None:
        raise _usage("--allocation neyman needs --anticipated (a rate, a registry column, "
                      "or a CSV/JSON file of stratum -> rate)")
    plan = plan_sample(
        filings,
        strata=args.strata if len(args.strata) > 1 else args.strata[0],
        n=args.n,
        n_per_stratum=args.n_per_stratum,
        allocation=allocation,  # type: ignore[arg-type]
        min_per_stratum=args.min_per_stratum,
        target=args.target,
        margin=args.margin,
        expected=args.expected,
        anticipated=_anticipated(args.anticipated),
        confidence_level=args.confidence_level,
        failures=args.allowed_failures,
        power=args.power,
        deff=args.deff,
        response_rate=args.response_rate,
    )
    how = "as given" if args.allocation is not None else "default: see --help"
    _note(args, f"allocation {allocation!r} ({how}), n = {plan.n}")
    return plan, allocation


def _cmd_read(args: argparse.Namespace) -> int:
    from beian_audit.schema import FILING_SCHEMA

    path = _input(args.registry, "REGISTRY")
    filings = _load(path)
    headers = _file_headers(path)
    mapped = [{"column": c, "header": headers.get(c, c)} for c in filings.columns
              if c in FILING_SCHEMA]
    unknown = [c for c in filings.columns if c not in FILING_SCHEMA]
    absent = [c.name for c in FILING_SCHEMA if c.name not in filings.columns]
    _print_json({"file": str(path), "rows": len(filings), "columns": mapped,
                 "unrecognised_headers": unknown, "absent_columns": absent, "problems": []})
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from beian_audit.checks.filings import check_filings

    path = _input(args.registry, "REGISTRY")
    providers_path = _input(args.providers, "--providers") if args.providers else None
    outputs = _Outputs(force=args.force, inputs=[path, providers_path])
    failures_path = outputs.file(args.failures, (".csv",), "--failures") if args.failures else None
    filings = _load(path)
    providers = _load_table(providers_path, "providers")
    report = check_filings(filings, providers=providers, progress=args.progress)
    with outputs.transaction():
        if failures_path is not None:
            from beian_audit.safe_output import write_table

            # masked, neutralised cells (the transaction makes it atomic)
            write_table(report.failures, outputs.stage(failures_path))
    _print_json(
        {
            "complete": report.complete,
            "summary": report._summary(),
            "skipped": report.skipped.to_dict(orient="records"),
            "checks": report.to_frame().to_dict(orient="records"),
            "by_provider": report.summary(by="provider_id").to_dict(orient="records")
            if "provider_id" in report.groups.columns
            else [],
        }
    )
    return EXIT_OK


def _cmd_plan(args: argparse.Namespace) -> int:
    path = _input(args.registry, "REGISTRY")
    plan, allocation = _plan(args, _load(path))
    _print_json({"allocation": allocation, **plan.to_dict()})
    return EXIT_OK


def _cmd_draw(args: argparse.Namespace) -> int:
    from beian_audit.sampling import draw_sample

    path = _input(args.registry, "REGISTRY")
    providers_path = _input(args.providers, "--providers") if args.providers else None
    if providers_path is not None and not args.with_checks:
        raise _usage("--providers goes with --with-checks")
    outputs = _Outputs(force=args.force, inputs=[path, providers_path])
    worksheet = outputs.file(args.worksheet, (".xlsx",), "--worksheet") if args.worksheet else None
    manifest = outputs.file(args.manifest, (".json",), "--manifest") if args.manifest else None
    if args.contacts != "masked" and worksheet is None:
        raise _usage("--contacts goes with --worksheet")
    filings = _load(path)
    plan, allocation = _plan(args, filings)
    sample = draw_sample(filings, plan, seed=args.seed, period=args.period,
                         rotation=args.rotation)
    with outputs.transaction():
        if worksheet is not None:
            checks = None
            if args.with_checks:
                from beian_audit.checks.filings import check_filings

                checks = check_filings(filings, providers=_load_table(providers_path,
                                                                       "providers"))
            sample.to_worksheet(outputs.stage(worksheet), checks=checks,
                                contacts=args.contacts)
        if manifest is not None:
            from beian_audit.safe_output import write_json

            write_json(sample.manifest, outputs.stage(manifest))
    if args.contacts != "masked":
        _note(args, f"{worksheet} holds phone numbers in clear (personal data): give it only "
                    "to the assigned field checkers and delete it after verification")
    _print_json({"allocation": allocation, "summary": sample._summary(),
                 "manifest": sample.manifest,
                 "by_stratum": sample.by_stratum().to_dict(orient="records")})
    return EXIT_OK


def _cmd_estimate(args: argparse.Namespace) -> int:
    from beian_audit.errors import IncompleteSampleWarning
    from beian_audit.estimation import assess_target, estimate_proportion
    from beian_audit.estimation.nonresponse import blank_as_pending
    from beian_audit.sampling import verification_progress
    from beian_audit.spotcheck import sample_from_manifest

    path = _input(args.registry, "REGISTRY")
    sheets = [_input(w, "--worksheet", (".xlsx",)) for w in args.worksheet]
    if args.fail_on_target and args.target is None:
        raise _usage("--fail-on-target needs --target")
    filings = _load(path)
    outcomes = _read_sheets(sheets)
    manifest = outcomes.attrs["manifest"]
    sample = sample_from_manifest(filings, manifest)
    key = sample.key
    data = sample.frame.merge(
        outcomes.drop(columns=[c for c in outcomes.columns
                               if c in sample.frame.columns and c != key]),
        on=key, how="left", validate="1:1",
    )
    column = f"{args.outcome}_ok"
    progress = verification_progress(data, outcome=column, key=key)
    payload: dict[str, Any] = {"complete": progress.complete, **progress.to_dict()}
    estimate = None
    if progress.n_verified:
        if not progress.complete:
            warnings.warn(f"the estimate is partial: {progress}", IncompleteSampleWarning,
                          stacklevel=1)
        data[column] = blank_as_pending(data[column])  # open rows: not verified yet
        estimate = estimate_proportion(data, column, by=args.by, method=args.method,
                                       confidence_level=args.confidence_level, missing="drop")
    else:
        warnings.warn(f"no outcome filled in yet: {progress}", IncompleteSampleWarning,
                      stacklevel=1)
    payload["estimate"] = None if estimate is None else estimate.to_dict()
    verdict = None
    if args.target is not None:
        status = "inconclusive"
        if estimate is not None:
            assessment = assess_target(estimate, args.target,
                                       confidence_level=args.confidence_level)
            payload["assessment"] = assessment.to_dict()
            status = assessment.status
        else:
            payload["assessment"] = None
        # a partly filled worksheet never gives a final verdict
        verdict = status if progress.complete else "inconclusive"
        payload["verdict"] = verdict
    _print_json(payload)
    if args.fail_on_target and verdict != "met":
        return EXIT_TARGET_NOT_MET
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from beian_audit.spotcheck import REPORT_FILES, run_spot_check, write_spot_check

    registry = _input(args.registry, "--registry") if args.registry else None
    providers_path = _input(args.providers, "--providers") if args.providers else None
    accessed_path = (_input(args.accessed_sites, "--accessed-sites")
                     if args.accessed_sites else None)
    sheets = [_input(w, "--worksheet", (".xlsx",)) for w in args.worksheet or []]
    if registry is None and (providers_path or accessed_path or sheets):
        raise _usage("--providers, --accessed-sites and --worksheet go with --registry "
                     "(without it the report uses the bundled synthetic data)")
    inputs = [p for p in (registry, providers_path, accessed_path, *sheets) if p is not None]
    outputs = _Outputs(force=args.force, inputs=inputs)
    out = outputs.directory(args.out, REPORT_FILES, "--out")
    if registry is None:
        from beian_audit.synthetic import (
            load_accessed_sites,
            load_providers,
            load_synthetic_registry,
        )

        filings: Any = load_synthetic_registry()
        providers = load_providers()
        accessed = load_accessed_sites().drop(columns=["truth_filed"])
        outcomes = None
    else:
        filings = _load(registry)
        providers = _load_table(providers_path, "providers")
        accessed = _load_table(accessed_path, "accessed")
        outcomes = _read_sheets(sheets) if sheets else None
    result = run_spot_check(filings, providers=providers, accessed_sites=accessed,
                            outcomes=outcomes, seed=args.seed, month=args.month,
                            progress=args.progress)
    with outputs.transaction():
        staged = outputs.stage_dir(out)
        files = write_spot_check(result, staged, providers=providers, accessed_sites=accessed,
                                 province=args.province, html=args.html,
                                 language=args.language)
    _print_json({"complete": result.complete, "summary": result._summary(),
                 "measures": result.to_frame().to_dict(orient="records"),
                 "files": {k: str(out / Path(v).name) for k, v in files.items()}})
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from beian_audit.demo import DEMO_FILES, run_demo

    outputs = _Outputs(force=True)
    out = outputs.directory(args.out, DEMO_FILES, "--out", replace=True)
    with outputs.transaction():
        result = run_demo(outputs.stage_dir(out), seed=args.seed, progress=args.progress)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.summary_text())
        print(f"report files written under {out.resolve()}")
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def _show_warning(message: Any, category: type, filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """Warnings on stderr as one line each, without source paths."""
    text = str(message).splitlines()[0] if str(message) else ""
    sys.stderr.write(f"warning ({category.__name__}): {text}\n")


def _parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="beian-audit",
        description="Spot checks of an ICP filing registry with honest statistics.",
        epilog=_EPILOG,
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"beian-audit {_version()}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of an internal error")
    parser.add_argument("--max-problems", type=_count("--max-problems", 0), default=0,
                        help="list at most this many input problems on stderr (default 0: all)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text, description=text, epilog=_EPILOG,
                           formatter_class=formatter)
        p.add_argument("--progress", action="store_true", help="show progress bars")
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the traceback of an internal error")
        p.add_argument("--max-problems", type=_count("--max-problems", 0),
                       default=argparse.SUPPRESS,
                       help="list at most this many input problems (default 0: all)")
        return p

    def force(p: argparse.ArgumentParser) -> None:
        p.add_argument("--force", action="store_true", help="replace existing output files")

    read = add("read", "read and validate a registry; JSON summary, every problem on stderr")
    read.add_argument("registry", help="CSV, XLSX or Parquet registry")
    read.set_defaults(func=_cmd_read)

    check = add("check", "validate every filing; JSON summary to stdout")
    check.add_argument("registry", help="CSV, XLSX or Parquet registry")
    check.add_argument("--providers", help="provider table (enables access_wrong_provider)")
    check.add_argument("--failures", help="write the masked failures to this CSV")
    force(check)
    check.set_defaults(func=_cmd_check)

    def design(p: argparse.ArgumentParser) -> None:
        p.add_argument("registry", help="CSV, XLSX or Parquet registry")
        p.add_argument("--strata", nargs="+", default=["provider_id"],
                       help="stratum column(s) (default: provider_id)")
        p.add_argument("--allocation", default=None, choices=_ALLOCATIONS,
                       help="default: proportional when --n/--margin/--target is given, "
                            "else the provincial rule tianjin")
        p.add_argument("--n", type=_count("--n", 1), default=None, help="total sample size")
        p.add_argument("--n-per-stratum", type=_count("--n-per-stratum", 1), default=None,
                       help="with --allocation equal: this many per stratum")
        p.add_argument("--min-per-stratum", type=_count("--min-per-stratum", 0), default=2)
        p.add_argument("--margin", type=_unit("--margin"), default=None,
                       help="wanted half-width of the interval, e.g. 0.03")
        p.add_argument("--target", type=_unit("--target"), default=None,
                       help="a rate to be shown, e.g. 0.75")
        p.add_argument("--expected", type=_unit("--expected", closed=True), default=None,
                       help="anticipated overall rate (planning value)")
        p.add_argument("--anticipated", default=None,
                       help="anticipated rate per stratum (needed by neyman): a rate, a "
                            "registry column, or a CSV/JSON file of stratum -> rate")
        p.add_argument("--confidence-level", type=_unit("--confidence-level"), default=0.95)
        p.add_argument("--allowed-failures", type=_count("--allowed-failures", 0), default=0,
                       help="failures the target decision may allow (default 0)")
        p.add_argument("--power", type=_unit("--power"), default=None,
                       help="with --target and --expected: wanted power")
        p.add_argument("--deff", type=float, default=1.0, help="extra design effect")
        p.add_argument("--response-rate", type=_unit("--response-rate", closed=True),
                       default=1.0, help="share of drawn filings that can be verified")

    plan = add("plan", "plan sample sizes per stratum; JSON to stdout")
    design(plan)
    plan.set_defaults(func=_cmd_plan)

    draw = add("draw", "draw the sample and write the auditors' worksheet")
    design(draw)
    draw.add_argument("--seed", type=_count("--seed", 0), required=True)
    draw.add_argument("--period", type=_count("--period", 0), default=0)
    draw.add_argument("--rotation", type=_unit("--rotation", closed=True), default=0.0)
    draw.add_argument("--worksheet", help="XLSX worksheet to write (directories are created)")
    draw.add_argument("--manifest", help="JSON manifest to write")
    draw.add_argument("--providers", help="provider table (with --with-checks)")
    draw.add_argument("--with-checks", action="store_true",
                      help="add the automatic check results (in Chinese) to the worksheet")
    draw.add_argument("--contacts", choices=["masked", "clear", "protected-sheet"],
                      default="masked",
                      help="phone numbers for the field checkers: masked (default); clear "
                           "(in the main sheet); protected-sheet (a separate protected sheet). "
                           "The last two make the worksheet personal data.")
    force(draw)
    draw.set_defaults(func=_cmd_draw)

    estimate = add("estimate", "estimate accuracy from filled worksheets")
    estimate.add_argument("registry", help="the registry the sample was drawn from")
    estimate.add_argument("--worksheet", nargs="+", required=True,
                          help="filled worksheet(s); copies of one sample are merged")
    estimate.add_argument("--outcome", choices=["sponsor", "access"], default="sponsor")
    estimate.add_argument("--by", default=None, help="domain column, e.g. provider_id")
    estimate.add_argument("--method", default="korn-graubard")
    estimate.add_argument("--confidence-level", type=_unit("--confidence-level"), default=0.95)
    estimate.add_argument("--target", type=_unit("--target"), default=None)
    estimate.add_argument("--fail-on-target", action="store_true",
                          help="exit with 1 unless the verdict is 'met'")
    estimate.set_defaults(func=_cmd_estimate)

    report = add("report", "the monthly report files and statistics table")
    report.add_argument("--registry", help="registry (default: the bundled synthetic one)")
    report.add_argument("--worksheet", nargs="+", help="filled worksheet(s) of the sample")
    report.add_argument("--providers", help="provider table (gives the statistics table)")
    report.add_argument("--accessed-sites", help="accessed-site list (gives the filing rate)")
    report.add_argument("--out", default="reports", help="output directory (default: reports)")
    report.add_argument("--province", type=_province, default=None,
                        help="province of the statistics table (default: the largest)")
    report.add_argument("--month", type=_month, default="2013-05", help="YYYY-MM")
    report.add_argument("--seed", type=_count("--seed", 0), default=2013)
    report.add_argument("--html", action="store_true",
                        help="also write report.html, the month on one self-contained page")
    report.add_argument("--language", choices=["zh", "en"], default="zh",
                        help="language of report.html (default: zh)")
    force(report)
    report.set_defaults(func=_cmd_report)

    demo = add("demo", "run the monthly spot check on the bundled registry")
    demo.add_argument("--out", default="reports",
                      help="output directory (default: ./reports; its report files are "
                           "replaced)")
    demo.add_argument("--seed", type=_count("--seed", 0), default=2013)
    demo.add_argument("--json", action="store_true", help="print the summary as JSON")
    demo.set_defaults(func=_cmd_demo)

    # the ledger: month open|draw|status|close|reopen, outcomes import, ledger upgrade, case …
    from beian_audit.ledger.cli import register

    register(sub, add=add, force=force, design=design)
    return parser


def _version() -> str:
    from beian_audit import __version__

    return __version__


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``beian-audit``; returns the exit code (see the module notes)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse: --help / --version (0) or bad usage (2)
        return int(exit_.code or 0) if isinstance(exit_.code, int) else EXIT_BAD_INPUT
    command = f"beian-audit {args.command}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _show_warning
            return int(args.func(args))
    except _FileProblems as problems:
        lines = _problem_lines(problems)
        cap = args.max_problems or len(lines)
        sys.stderr.write(f"{command}: error: {len(lines)} problem(s) in {problems.path}\n")
        for line in lines[:cap]:
            sys.stderr.write(f"  {line}\n")
        if len(lines) > cap:
            sys.stderr.write(f"  … and {len(lines) - cap} more (--max-problems 0 lists all)\n")
        return EXIT_BAD_INPUT
    except (BeianAuditError, ValueError, OSError) as exc:
        if args.debug and not isinstance(exc, BeianAuditError):
            raise
        sys.stderr.write(f"{command}: error: {_first_line(exc)}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write(f"{command}: interrupted\n")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        sys.stderr.write(f"{command}: internal error: {type(exc).__name__}: {_first_line(exc)} "
                         "(a bug; rerun with --debug for the traceback)\n")
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
