"""The one place where an engine is chosen for a frame that is not pandas.

The kernels (:func:`~beian_audit.check_filings`, :func:`~beian_audit.plan_sample`,
:func:`~beian_audit.draw_sample`, :func:`~beian_audit.estimate_proportion`) work
on pandas and Arrow data and know no engine. Each asks this registry, first
thing, whether another engine handles its input::

    implementation = _engine.dispatch("plan_sample", frame)
    if implementation is not None:
        return implementation(frame, ...)

An engine module registers its implementations with :func:`register` when it
is imported; :func:`dispatch` imports it only when an input's type comes from a
library listed in :data:`ENGINES` (``dask``), so ``import beian_audit`` and
every pandas call stay free of the engine and of its dependencies. This module
imports nothing from the package: the kernels depend on it, and the engines on
the kernels, never the other way round (``tests/test_structure.py``).

To add an engine: a module (like :mod:`beian_audit.scale`) that calls
:func:`register` for the kernels it implements, plus an entry in
:data:`ENGINES`.

Examples
--------
>>> import pandas as pd
>>> dispatch("plan_sample", pd.DataFrame()) is None    # pandas: the kernel itself
True
>>> import dask.dataframe as dd
>>> ddf = dd.from_pandas(pd.DataFrame({"a": [1]}), npartitions=1)
>>> dispatch("plan_sample", ddf).__name__               # imports beian_audit.scale
'plan_sample_dask'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["ENGINES", "dispatch", "handled", "register"]

#: Top-level module of an input's type -> the engine module that registers its kernels.
ENGINES: dict[str, str] = {
    "dask": "beian_audit.scale",
    "dask_expr": "beian_audit.scale",
}

_REGISTRY: dict[str, list[tuple[Callable[[object], bool], Callable[..., Any]]]] = {}


def register(
    kernel: str, accepts: Callable[[object], bool], implementation: Callable[..., Any]
) -> None:
    """Make ``implementation`` run ``kernel`` for every input ``accepts`` says yes to.

    Parameters
    ----------
    kernel : str
        The kernel's name (``"check_filings"``, ``"plan_sample"``,
        ``"draw_sample"``, ``"estimate_proportion"``).
    accepts : callable
        ``accepts(obj) -> bool``: whether the engine handles ``obj``.
    implementation : callable
        Called with the kernel's arguments, returns the kernel's result.
        Registering the same pair again is a no-op (a module imported twice).
    """
    def name(function: Callable[..., Any]) -> tuple[object, object]:
        return getattr(function, "__module__", None), getattr(function, "__qualname__", None)

    entries = _REGISTRY.setdefault(kernel, [])
    entries[:] = [entry for entry in entries if name(entry[1]) != name(implementation)]
    entries.append((accepts, implementation))


def _engine_of(obj: object) -> str | None:
    root = (type(obj).__module__ or "").split(".")[0]
    return ENGINES.get(root)


def dispatch(kernel: str, *inputs: object) -> Callable[..., Any] | None:
    """The engine's implementation of ``kernel`` for the first input an engine handles.

    Returns ``None`` for pandas, Arrow and everything else no engine claims:
    the kernel then runs itself. An engine module is imported here, the first
    time one of its inputs is seen.
    """
    for obj in inputs:
        module = _engine_of(obj)
        if module is None:
            continue
        importlib.import_module(module)  # registers its implementations
        for accepts, implementation in _REGISTRY.get(kernel, ()):
            if accepts(obj):
                return implementation
    return None


def handled(obj: object) -> bool:
    """Whether some engine handles ``obj`` (for the type checks of the kernels).

    Examples
    --------
    >>> import pandas as pd
    >>> handled(pd.DataFrame()), handled([1, 2])
    (False, False)
    """
    module = _engine_of(obj)
    if module is None:
        return False
    importlib.import_module(module)
    return any(accepts(obj) for entries in _REGISTRY.values() for accepts, _ in entries)
