"""Run every benchmark script in this folder, one after the other (``make bench``).

Each script prints its own table of timings and ratios against the named peers
(phonenumbers / email-validator loops, pandas groupby sampling, svy and samplics,
the national-scale job). Pass ``--quick`` for reduced sizes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = [
    ["bench_phone_email.py"],
    ["bench_check_filings.py"],
    ["bench_sampling.py"],
    ["bench_estimation.py"],
    ["bench_national.py"],
    ["bench_ledger.py"],
    ["coverage_study.py"],
    ["coverage_providers.py"],
    ["coverage_boundary.py"],
    ["coverage_multistage.py"],
    ["coverage_filing.py"],
]
QUICK = [
    ["bench_phone_email.py", "--n", "100000"],
    ["bench_check_filings.py", "--n", "100000"],
    ["bench_sampling.py", "--n", "350000", "--providers", "100", "--narrow"],
    ["bench_estimation.py", "--rows", "100000", "--strata", "500", "--skip-samplics"],
    ["bench_national.py", "--n", "200000"],
    ["bench_ledger.py", "--quick"],
    ["coverage_study.py", "--quick"],
    ["coverage_providers.py", "--quick"],
    ["coverage_boundary.py", "--quick"],
    ["coverage_multistage.py", "--quick"],
    ["coverage_filing.py", "--quick"],
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes")
    args = parser.parse_args()
    status = 0
    for script, *options in QUICK if args.quick else FULL:
        path = HERE / script
        if not path.exists():
            print(f"== {script}: missing, skipped")
            continue
        print(f"== {script} {' '.join(options)}", flush=True)
        status |= subprocess.call([sys.executable, str(path), *options])
    return status


if __name__ == "__main__":
    sys.exit(main())
