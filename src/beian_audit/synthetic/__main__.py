"""``python -m beian_audit.synthetic {summary,build}`` (see :func:`.cli.main`)."""

import sys

from beian_audit.synthetic.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
