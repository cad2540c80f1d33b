"""beian_audit: honest statistics for auditing an ICP filing (备案) registry.

The public API is re-exported here and listed in ``__all__``; submodules are
imported on first use so that ``import beian_audit`` stays fast.

Examples
--------
>>> import beian_audit as ba
>>> "read_filings" in ba.__all__
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "BeianAuditError": "beian_audit.errors",
    "BeianAuditWarning": "beian_audit.errors",
    "SchemaError": "beian_audit.errors",
    "WorksheetError": "beian_audit.errors",
    "SampleDesignError": "beian_audit.errors",
    "EstimationError": "beian_audit.errors",
    "MissingDependencyError": "beian_audit.errors",
    "SmallStratumWarning": "beian_audit.errors",
    "DegenerateIntervalWarning": "beian_audit.errors",
    "GoalNotReachableWarning": "beian_audit.errors",
    "DataQualityWarning": "beian_audit.errors",
    # data
    "FILING_SCHEMA": "beian_audit.schema",
    "read_filings": "beian_audit.io",
    "write_filings": "beian_audit.io",
    "generate_registry": "beian_audit.synthetic",
    "generate_world": "beian_audit.synthetic",
    "load_synthetic_registry": "beian_audit.synthetic",
    "load_accessed_sites": "beian_audit.synthetic",
    "load_providers": "beian_audit.synthetic",
    # privacy
    "mask_frame": "beian_audit.privacy",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'beian_audit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover
    from beian_audit.errors import (
        BeianAuditError,
        BeianAuditWarning,
        DataQualityWarning,
        DegenerateIntervalWarning,
        EstimationError,
        GoalNotReachableWarning,
        MissingDependencyError,
        SampleDesignError,
        SchemaError,
        SmallStratumWarning,
        WorksheetError,
    )
    from beian_audit.io import read_filings, write_filings
    from beian_audit.privacy import mask_frame
    from beian_audit.schema import FILING_SCHEMA
    from beian_audit.synthetic import (
        generate_registry,
        generate_world,
        load_accessed_sites,
        load_providers,
        load_synthetic_registry,
    )
