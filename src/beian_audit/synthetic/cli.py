"""The command line: ``python -m beian_audit.synthetic {summary,build}``.

Examples
--------
>>> main(["summary", "--n", "300", "--seed", "1"])  # doctest: +ELLIPSIS
generate_world(300, seed=1): n_websites=300, ...
0
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from beian_audit.synthetic.bundled import (
    BUNDLED_N_WEBSITES,
    BUNDLED_SEED,
    build_bundled,
    load_accessed_sites,
    load_providers,
    load_synthetic_registry,
)
from beian_audit.synthetic.rates import realised_rates
from beian_audit.synthetic.world import generate_world


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m beian_audit.synthetic {summary,build}``.

    ``summary [--n N --seed S]`` prints realised against expected rates of the bundled
    registry (or of a freshly generated one); ``build [--out DIR --n N --seed S]``
    regenerates the bundled files.
    """
    parser = argparse.ArgumentParser(
        prog="python -m beian_audit.synthetic", description=_DESCRIPTION
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="realised against expected rates")
    s.add_argument(
        "--n",
        type=int,
        default=None,
        help="generate N websites instead of loading the bundled registry",
    )
    s.add_argument("--seed", type=int, default=BUNDLED_SEED)
    b = sub.add_parser("build", help="regenerate the bundled files")
    b.add_argument(
        "--out", default=None, help="directory (default: datasets/synthetic of the checkout)"
    )
    b.add_argument("--n", type=int, default=BUNDLED_N_WEBSITES)
    b.add_argument("--seed", type=int, default=BUNDLED_SEED)
    args = parser.parse_args(argv)
    if args.command == "summary":
        if args.n is None:
            rates = realised_rates(
                load_synthetic_registry(),
                accessed_sites=load_accessed_sites(),
                params={"n_providers": len(load_providers())},
            )
            title = "bundled registry"
        else:
            rates = realised_rates(generate_world(args.n, seed=args.seed))
            title = f"generate_world({args.n}, seed={args.seed})"
        frame = rates.to_frame()
        print(f"{title}: {rates._summary()}")
        print(frame.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
        return 0
    hashes = build_bundled(args.out, n_websites=args.n, seed=args.seed)
    for name, digest in hashes.items():
        print(f"{digest}  {name}")
    return 0


_DESCRIPTION = "A synthetic national ICP filing registry with ground truth (DOMAIN.md §7)."
