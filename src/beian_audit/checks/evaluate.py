"""How well do the automatic checks find the defects injected in the synthetic registry?

For each defect code of the synthetic generator that a machine can decide from the
record alone, :func:`evaluate_checks` compares the rows the matching checks flag
with the rows that truly carry the defect (``truth_defects``) and reports recall
and precision. Defects only a human verifier can find (a dead number, an ID that
belongs to someone else, a fictitious address, stale contacts) are listed with
``decidable=False`` and are not expected to be found.

Run it from the command line (prints the table for the bundled registry)::

    python -m beian_audit.checks.evaluate            # bundled 35 000 filings
    python -m beian_audit.checks.evaluate --n 200000 --seed 7

Examples
--------
>>> import beian_audit as ba
>>> from beian_audit.checks.filings import check_filings
>>> reg = ba.load_synthetic_registry().head(3000)
>>> table = evaluate_checks(check_filings(reg, providers=ba.load_providers()), reg)
>>> row = table.set_index("defect").loc["id_checksum"]
>>> bool(row["decidable"]), float(row["recall"])
(True, 1.0)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import numpy as np
import pandas as pd

from beian_audit.checks.filings import CheckReport
from beian_audit.errors import ArgumentError

__all__ = ["DEFECT_CHECKS", "evaluate_checks", "main"]

_PHONES = ("phone:sponsor_principal_mobile", "phone:sponsor_principal_phone",
           "phone:website_principal_mobile", "phone:website_principal_phone")
_EMAILS = ("email:sponsor_principal_email", "email:website_principal_email")
_IDS = ("resident_id:sponsor_principal_id_number", "resident_id:website_principal_id_number",
        "resident_id:sponsor_cert_number", "credit_code:sponsor_cert_number",
        "org_code:sponsor_cert_number")

#: defect code -> (checks expected to find it, other defect codes those checks rightly find)
DEFECT_CHECKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "phone_malformed": (_PHONES, ("phone_placeholder",)),
    "phone_placeholder": (_PHONES, ("phone_malformed",)),
    "email_invalid": (_EMAILS, ("email_typo_domain",)),
    "email_typo_domain": (_EMAILS, ("email_invalid",)),
    "address_no_door": (("address:sponsor_address", "address:sponsor_cert_address"), ()),
    "address_province_mismatch": (("address_province",), ()),
    "id_checksum": (_IDS, ()),
    "nature_cert_mismatch": (("nature_certificate",), ()),
    "icp_prefix_mismatch": (("icp_province",), ()),
    "ring_shared_mobile": (("shared_mobile",), ("phone_placeholder",)),
    "domain_unresolved": (("access_unresolved",), ()),
    "hosted_elsewhere": (("access_wrong_provider",), ()),
    "ip_not_filed": (("access_ip_not_filed",), ("hosted_elsewhere",)),
}
_HUMAN_ONLY = ("phone_dead", "address_fictitious", "id_name_mismatch", "stale_contact")


def evaluate_checks(report: CheckReport, truth: pd.DataFrame) -> pd.DataFrame:
    """Recall and precision of the checks against the synthetic ground truth.

    Parameters
    ----------
    report : CheckReport
        Output of :func:`~beian_audit.checks.filings.check_filings` on ``truth``.
    truth : DataFrame
        The checked frame, with the generator's ``truth_defects`` column
        (``;``-separated defect codes), aligned with the report's flags.

    Returns
    -------
    DataFrame
        One row per defect code: ``decidable``, ``with_defect`` (rows that carry
        it), ``flagged`` (rows the checks flag), ``found`` (both), ``recall``
        (found / with_defect) and ``precision`` (flagged rows that carry this or
        a defect the same checks rightly find / flagged); the last rows give the
        block verdicts (``sponsor_info_ok`` and ``access_info_ok`` as defect
        detectors against ``truth_sponsor_ok`` / ``truth_access_ok``).
    """
    if "truth_defects" not in truth.columns:
        raise ArgumentError("truth must have the synthetic 'truth_defects' column")
    codes = truth["truth_defects"].fillna("").astype(str).to_numpy()
    has = {c: np.fromiter((c in s.split(";") for s in codes), bool, len(codes))
           for c in (*DEFECT_CHECKS, *_HUMAN_ONLY)}
    rows = []
    for code, (checks, also) in DEFECT_CHECKS.items():
        ran = [c for c in checks if c in report.flags.columns]
        flagged = np.asarray(
            report.flags[ran].to_numpy(dtype=bool).any(axis=1) if ran
            else np.zeros(len(codes), bool), dtype=bool
        )
        right = has[code].copy()
        for other in also:
            right |= has[other]
        rows.append(_row(code, True, has[code], flagged, right))
    for code in _HUMAN_ONLY:
        rows.append({"defect": code, "decidable": False, "with_defect": int(has[code].sum()),
                     "flagged": None, "found": None, "recall": None, "precision": None})
    for column, truth_col in (("sponsor_info_ok", "truth_sponsor_ok"),
                              ("access_info_ok", "truth_access_ok")):
        if truth_col in truth.columns and report.verdict[column].notna().all():
            bad = ~truth[truth_col].to_numpy(dtype=bool)
            flagged = ~report.verdict[column].to_numpy(dtype=bool)
            rows.append(_row(f"verdict:{column}", True, bad, flagged, bad))
    return pd.DataFrame(rows)


def _row(code: str, decidable: bool, has: np.ndarray, flagged: np.ndarray,
         right: np.ndarray) -> dict[str, object]:
    found = int((has & flagged).sum())
    n_flagged = int(flagged.sum())
    return {
        "defect": code,
        "decidable": decidable,
        "with_defect": int(has.sum()),
        "flagged": n_flagged,
        "found": found,
        "recall": found / has.sum() if has.sum() else None,
        "precision": int((flagged & right).sum()) / n_flagged if n_flagged else None,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Print the recall / precision table (see the module docstring)."""
    import beian_audit as ba
    from beian_audit.checks.filings import check_filings

    parser = argparse.ArgumentParser(prog="python -m beian_audit.checks.evaluate",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help="generate N filings instead")
    parser.add_argument("--seed", type=int, default=2013)
    args = parser.parse_args(argv)
    if args.n is None:
        filings, providers = ba.load_synthetic_registry(), ba.load_providers()
    else:
        world = ba.generate_world(args.n, seed=args.seed)
        filings, providers = world.filings, world.providers
    table = evaluate_checks(check_filings(filings, providers=providers), filings)
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
