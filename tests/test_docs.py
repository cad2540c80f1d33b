"""The documentation builds offline with warnings as errors."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.skipif(shutil.which("sphinx-build") is None and not (
    Path(sys.executable).parent / "sphinx-build").exists(), reason="docs group not installed")
def test_docs_build_without_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(DOCS), str(tmp_path / "html")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-4000:]


def test_the_checks_table_is_generated_from_the_rules() -> None:
    """docs/checks-filings.md shows exactly the declared rules (issue #13)."""
    import importlib.util

    from beian_audit.checks.rules import RULES, rules_markdown

    script = DOCS.parent / "scripts" / "update_docs_tables.py"
    spec = importlib.util.spec_from_file_location("update_docs_tables", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (DOCS / "checks-filings.md").read_text(encoding="utf-8")
    assert module.render(text) == text, (
        "the table of checks in docs/checks-filings.md is stale: "
        "run python scripts/update_docs_tables.py"
    )
    table = rules_markdown()
    assert table in text
    # one row per rule, named as check_filings names its flags
    rows = [line for line in table.splitlines()[2:] if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [rule.name for rule in RULES]
