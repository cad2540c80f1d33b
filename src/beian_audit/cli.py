"""The ``beian-audit`` command for scheduled spot checks.

Subcommands::

    beian-audit demo     [--out DIR]                 the main job on the bundled registry
    beian-audit check    REGISTRY [--providers P] [--failures F]
    beian-audit plan     REGISTRY [--strata COL ...] [--allocation A] [--n N] [--target T]
    beian-audit draw     REGISTRY --seed S [--worksheet W.xlsx] [--manifest M.json] ...
    beian-audit estimate REGISTRY --worksheet W.xlsx [...] [--outcome sponsor|access]
                         [--target T] [--fail-on-target]
    beian-audit report   [--province P] [--month YYYY-MM] [--out DIR]

Registries may be CSV, XLSX or Parquet with Chinese or English headers. Results
go to stdout as JSON (``--json``, the default for scripts) and, where named, to
files. Personal data is masked in everything written.

Exit codes: ``0`` success; ``1`` a target was not met and ``--fail-on-target``
was given; ``2`` bad input (unreadable file, schema problems, bad options) — with
a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]

EXIT_OK = 0
EXIT_TARGET_NOT_MET = 1
EXIT_BAD_INPUT = 2


def _print_json(payload: Any) -> None:
    from beian_audit._results import jsonable

    sys.stdout.write(json.dumps(jsonable(payload), ensure_ascii=False, indent=2) + "\n")


def _load(path: str) -> Any:
    from beian_audit.io import read_filings

    return read_filings(path)


def _load_table(path: str | None) -> Any:
    if path is None:
        return None
    import pandas as pd

    suffix = Path(path).suffix.lower()
    if suffix in {".parquet", ".pq"}:
        return pd.read_parquet(path)
    if suffix == ".xlsx":
        return pd.read_excel(path, dtype=str)
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False,
                       na_values=[""])


def _plan(args: argparse.Namespace, filings: Any) -> Any:
    from beian_audit.sampling import plan_sample

    return plan_sample(
        filings,
        strata=args.strata if len(args.strata) > 1 else args.strata[0],
        n=args.n,
        allocation=args.allocation,
        min_per_stratum=args.min_per_stratum,
        target=args.target,
        margin=args.margin,
        expected=args.expected,
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    from beian_audit.demo import run_demo

    result = run_demo(args.out, seed=args.seed, progress=args.progress)
    print(result.summary_text())
    print(f"report files written under {Path(args.out).resolve()}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from beian_audit.checks.filings import check_filings

    filings = _load(args.registry)
    report = check_filings(
        filings, providers=_load_table(args.providers), progress=args.progress
    )
    if args.failures:
        from beian_audit.safe_output import write_table

        write_table(report.failures, args.failures)  # masked; neutralised; atomic
    _print_json(
        {
            "summary": report._summary(),
            "checks": report.to_frame().to_dict(orient="records"),
            "by_provider": report.summary(by="provider_id").to_dict(orient="records")
            if "provider_id" in report.groups.columns
            else [],
        }
    )
    return EXIT_OK


def _cmd_plan(args: argparse.Namespace) -> int:
    plan = _plan(args, _load(args.registry))
    _print_json(plan.to_dict())
    return EXIT_OK


def _cmd_draw(args: argparse.Namespace) -> int:
    from beian_audit.sampling import draw_sample

    filings = _load(args.registry)
    sample = draw_sample(filings, _plan(args, filings), seed=args.seed,
                         period=args.period, rotation=args.rotation)
    if args.worksheet:
        checks = None
        if args.with_checks:
            from beian_audit.checks.filings import check_filings

            checks = check_filings(filings, providers=_load_table(args.providers)).flags
        sample.to_worksheet(args.worksheet, checks=checks)
    if args.manifest:
        from beian_audit.safe_output import write_json

        write_json(sample.manifest, args.manifest)
    _print_json({"summary": sample._summary(), "manifest": sample.manifest,
                 "by_stratum": sample.by_stratum().to_dict(orient="records")})
    return EXIT_OK


def _cmd_estimate(args: argparse.Namespace) -> int:
    import pandas as pd

    from beian_audit.estimation import assess_target, estimate_proportion
    from beian_audit.sampling import draw_sample, read_worksheet, verify_sample
    from beian_audit.sampling.plan import plan_from_design

    filings = _load(args.registry)
    sheets = [read_worksheet(path) for path in args.worksheet]
    outcomes = pd.concat(sheets, ignore_index=True)
    manifest = sheets[0].attrs["manifest"]
    plan = plan_from_design(filings, manifest["design"])
    sample = draw_sample(filings, plan, seed=int(manifest["seed"]), key=manifest["key"],
                         period=int(manifest.get("period", 0)),
                         rotation=float(manifest.get("rotation", 0.0)))
    if not verify_sample(filings, manifest, sample.frame):
        raise _BadInput("the registry does not reproduce the worksheet's sample "
                        "(different registry or edited manifest)")
    key = manifest["key"]
    data = sample.frame.merge(outcomes.drop(columns=[c for c in outcomes.columns
                                                     if c in sample.frame.columns and c != key]),
                              on=key, how="left", validate="1:1")
    column = f"{args.outcome}_ok"
    est = estimate_proportion(data, column, by=args.by, method=args.method,
                              confidence_level=args.confidence_level, missing="drop")
    payload: dict[str, Any] = {"estimate": est.to_dict()}
    status = None
    if args.target is not None:
        assessment = assess_target(est, args.target, confidence_level=args.confidence_level)
        payload["assessment"] = assessment.to_dict()
        status = assessment.status
    _print_json(payload)
    if args.fail_on_target and status == "not_met":
        return EXIT_TARGET_NOT_MET
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from beian_audit.demo import run_demo

    result = run_demo(args.out, seed=args.seed, progress=args.progress,
                      province=args.province, month=args.month)
    _print_json({"summary": result._summary(), "files": {k: str(v) for k, v in
                                                        result_files(args.out).items()}})
    return EXIT_OK


def result_files(out: str) -> dict[str, Path]:
    """Files under ``out`` (for the JSON answer of ``report``)."""
    return {p.name: p for p in sorted(Path(out).glob("*")) if p.is_file()}


class _BadInput(Exception):
    pass


def _show_warning(message: Any, category: type, filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """Warnings on stderr as one line each, without source paths."""
    text = str(message).splitlines()[0] if str(message) else ""
    sys.stderr.write(f"warning ({category.__name__}): {text}\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="beian-audit",
        description="Spot checks of an ICP filing registry with honest statistics.",
        epilog="Exit codes: 0 ok, 1 target not met (with --fail-on-target), 2 bad input.",
    )
    parser.add_argument("--version", action="version",
                        version=f"beian-audit {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--progress", action="store_true", help="show progress bars")

    demo = sub.add_parser("demo", help="run the monthly spot check on the bundled registry")
    demo.add_argument("--out", default="reports", help="output directory (default: ./reports)")
    demo.add_argument("--seed", type=int, default=2013)
    common(demo)
    demo.set_defaults(func=_cmd_demo)

    check = sub.add_parser("check", help="validate every filing; JSON summary to stdout")
    check.add_argument("registry")
    check.add_argument("--providers", help="provider table (for access checks)")
    check.add_argument("--failures", help="write the masked failures to this CSV")
    common(check)
    check.set_defaults(func=_cmd_check)

    def design(p: argparse.ArgumentParser) -> None:
        p.add_argument("registry")
        p.add_argument("--strata", nargs="+", default=["provider_id"])
        p.add_argument("--allocation", default="tianjin",
                       choices=["proportional", "neyman", "equal", "power", "tianjin"])
        p.add_argument("--n", type=int, default=None, help="total sample size")
        p.add_argument("--min-per-stratum", type=int, default=2)
        p.add_argument("--target", type=float, default=None)
        p.add_argument("--margin", type=float, default=None)
        p.add_argument("--expected", type=float, default=None)
        common(p)

    plan = sub.add_parser("plan", help="plan sample sizes per stratum; JSON to stdout")
    design(plan)
    plan.set_defaults(func=_cmd_plan)

    draw = sub.add_parser("draw", help="draw the sample and write the auditors' worksheet")
    design(draw)
    draw.add_argument("--seed", type=int, required=True)
    draw.add_argument("--period", type=int, default=0)
    draw.add_argument("--rotation", type=float, default=0.0)
    draw.add_argument("--worksheet", help="XLSX worksheet to write")
    draw.add_argument("--manifest", help="JSON manifest to write")
    draw.add_argument("--providers", help="provider table (with --with-checks)")
    draw.add_argument("--with-checks", action="store_true",
                      help="add the automatic check results to the worksheet")
    draw.set_defaults(func=_cmd_draw)

    estimate = sub.add_parser("estimate", help="estimate accuracy from filled worksheets")
    estimate.add_argument("registry")
    estimate.add_argument("--worksheet", nargs="+", required=True)
    estimate.add_argument("--outcome", choices=["sponsor", "access"], default="sponsor")
    estimate.add_argument("--by", default=None, help="domain column, e.g. provider_id")
    estimate.add_argument("--method", default="korn-graubard")
    estimate.add_argument("--confidence-level", type=float, default=0.95)
    estimate.add_argument("--target", type=float, default=None)
    estimate.add_argument("--fail-on-target", action="store_true",
                          help="exit with 1 when the target is not met")
    common(estimate)
    estimate.set_defaults(func=_cmd_estimate)

    report = sub.add_parser("report", help="the monthly statistics table (XLSX, CSV, JSON)")
    report.add_argument("--out", default="reports")
    report.add_argument("--province", default=None)
    report.add_argument("--month", default="2013-05")
    report.add_argument("--seed", type=int, default=2013)
    common(report)
    report.set_defaults(func=_cmd_report)
    return parser


def _version() -> str:
    from beian_audit import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``beian-audit``; returns the exit code."""
    from beian_audit.errors import BeianAuditError

    parser = _parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("once")
            warnings.showwarning = _show_warning
            return int(args.func(args))
    except (BeianAuditError, _BadInput, FileNotFoundError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(f"beian-audit {args.command}: error: {first}\n")
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
