"""One exception tree and one warning tree for the whole package.

Every error raised on purpose by beian_audit subclasses :class:`BeianAuditError`
and, where it fits, a built-in (``ValueError``, ``ImportError`` …) so that
``except ValueError`` keeps working. Errors that concern rows carry them as data
(``failure_cases``, a DataFrame with ``row``, ``column``, ``value`` (masked) and
``reason``) and stay picklable.

Examples
--------
>>> from beian_audit.errors import SchemaError, BeianAuditError
>>> issubclass(SchemaError, BeianAuditError) and issubclass(SchemaError, ValueError)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BeianAuditError",
    "BeianAuditWarning",
    "DataQualityWarning",
    "DegenerateIntervalWarning",
    "EstimationError",
    "GoalNotReachableWarning",
    "MissingDependencyError",
    "MissingFontWarning",
    "RollUpWarning",
    "SampleDesignError",
    "SchemaError",
    "SmallStratumWarning",
    "SyntheticDataNotFoundError",
    "SyntheticParameterError",
    "WorksheetError",
]

FAILURE_COLUMNS = ("row", "column", "value", "reason")


class BeianAuditError(Exception):
    """Root of every error beian_audit raises on purpose."""


class _RowsError(BeianAuditError):
    """An error that carries the failing rows as a DataFrame.

    ``failure_cases`` has one row per problem with the columns ``row`` (0-based
    position of the input row, or ``None`` when the problem is about a whole
    column), ``column``, ``value`` (masked when personal) and ``reason`` (a
    stable machine code).
    """

    def __init__(self, message: str, failure_cases: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.failure_cases = failure_cases

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.failure_cases))

    def __str__(self) -> str:
        return self.message


class SchemaError(_RowsError, ValueError):
    """The input does not fit the canonical filing schema.

    Lists every problem at once in ``failure_cases``.
    """


class WorksheetError(_RowsError, ValueError):
    """A filled-in worksheet has unknown codes or edited key columns."""


class SampleDesignError(BeianAuditError, ValueError):
    """A sample plan or draw cannot be carried out as asked."""


class EstimationError(BeianAuditError, ValueError):
    """An estimate cannot be computed from the data and design given."""


class SyntheticParameterError(BeianAuditError, TypeError, ValueError):
    """A synthetic-generator parameter is unknown or has a bad value.

    Subclasses both ``TypeError`` (an unknown keyword, as Python itself would
    raise) and ``ValueError`` (a bad value), so either ``except`` works.
    """


class SyntheticDataNotFoundError(BeianAuditError, FileNotFoundError):
    """A bundled synthetic data file is missing from the installation."""


class MissingDependencyError(BeianAuditError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class BeianAuditWarning(UserWarning):
    """Root of every warning beian_audit emits."""


class SmallStratumWarning(BeianAuditWarning, RuntimeWarning):
    """A stratum has too few units for the requested computation."""


class DegenerateIntervalWarning(BeianAuditWarning, RuntimeWarning):
    """An interval was computed in a degenerate case (estimate 0 or 1, df <= 0 …)."""


class GoalNotReachableWarning(BeianAuditWarning, RuntimeWarning):
    """A sample plan cannot reach the stated precision or decision goal."""


class RollUpWarning(BeianAuditWarning, UserWarning):
    """A national roll-up row could not be formed honestly (e.g. rates not pooled)."""


class DataQualityWarning(BeianAuditWarning):
    """Input was accepted but looks suspicious (alias prefixes, odd encodings …)."""


class MissingFontWarning(BeianAuditWarning, UserWarning):
    """No installed font covers the Chinese characters of a plot (they would show as boxes)."""


def require(module: str, extra: str) -> Any:
    """Import an optional dependency or raise :class:`MissingDependencyError`.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"openpyxl"``.
    extra : str
        The beian_audit extra that installs it, e.g. ``"io"``.

    Returns
    -------
    module
        The imported module.

    Examples
    --------
    >>> require("json", "io").__name__
    'json'
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            f"{module!r} is needed for this feature; install it with "
            f"`pip install 'beian-audit[{extra}]'`"
        ) from exc
