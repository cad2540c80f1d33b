"""Package-level promises: fast import, explicit public API, typed, one error tree."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import beian_audit as ba
from beian_audit import errors


def test_import_is_fast_and_lazy() -> None:
    # A fresh interpreter: import time measured by the interpreter itself, and the
    # heavy optional modules must not be imported by `import beian_audit`.
    code = (
        "import time, sys; t = time.perf_counter(); import beian_audit; "
        "dt = time.perf_counter() - t; "
        "heavy = [m for m in ('statsmodels', 'matplotlib', 'dask', 'openpyxl', 'scipy.stats') "
        "if m in sys.modules]; print(dt, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, heavy = out.stdout.split(" ", 1)
    assert heavy.strip() == "[]"
    assert float(seconds) < 1.0


def test_every_public_name_resolves() -> None:
    for name in ba.__all__:
        assert getattr(ba, name) is not None, name


def test_py_typed_is_shipped() -> None:
    assert (Path(ba.__file__).parent / "py.typed").exists()


def test_error_tree() -> None:
    classes = [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if obj.__module__ == errors.__name__
    ]
    for cls in classes:
        if issubclass(cls, Warning):
            assert issubclass(cls, errors.BeianAuditWarning), cls
        else:
            assert issubclass(cls, errors.BeianAuditError), cls
    assert issubclass(errors.SchemaError, ValueError)
    assert issubclass(errors.SmallStratumWarning, RuntimeWarning)
