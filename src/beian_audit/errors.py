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
    "ArgumentError",
    "ArgumentKeyError",
    "ArgumentTypeError",
    "BeianAuditError",
    "BeianAuditWarning",
    "DataQualityWarning",
    "DegenerateIntervalWarning",
    "EstimationError",
    "GoalNotReachableWarning",
    "IncompleteSampleWarning",
    "InputFileError",
    "InputFileNotFoundError",
    "LedgerError",
    "LedgerNotFoundError",
    "LedgerServerError",
    "LedgerUpgradeRequiredError",
    "LedgerVersionError",
    "MethodWeaknessWarning",
    "MissingDependencyError",
    "MissingFontWarning",
    "NonresponseWarning",
    "OutcomeImportError",
    "OutputExistsError",
    "PeriodStateError",
    "RollUpWarning",
    "SampleDesignError",
    "SchemaError",
    "SkippedCheckWarning",
    "SmallStratumWarning",
    "SyntheticDataNotFoundError",
    "SyntheticParameterError",
    "WorksheetError",
]

FAILURE_COLUMNS = ("row", "column", "value", "reason")


def _scrub(args: tuple[object, ...]) -> tuple[object, ...]:
    """Mask personal-looking values (ID numbers, phones, e-mails) in message strings."""
    if not any(isinstance(a, str) for a in args):
        return args
    from beian_audit._scrub import scrub_text

    return tuple(scrub_text(a) if isinstance(a, str) else a for a in args)


class BeianAuditError(Exception):
    """Root of every error beian_audit raises on purpose.

    Whatever a message quotes, an ID number, a phone number or an e-mail in it
    is masked (:func:`beian_audit.privacy.scrub_text`), wherever the value came
    from (a shifted CSV row puts an ID number into any column).

    Examples
    --------
    >>> str(BeianAuditError("bad value '13812345678' in column 'approval_date'"))
    "bad value '138****5678' in column 'approval_date'"
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*_scrub(args))


class _RowsError(BeianAuditError):
    """An error that carries the failing rows as a DataFrame.

    ``failure_cases`` has one row per problem with the columns ``row`` (0-based
    position of the input row, or ``None`` when the problem is about a whole
    column), ``column``, ``value`` (masked when personal) and ``reason`` (a
    stable machine code).
    """

    def __init__(self, message: str, failure_cases: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.message = str(self.args[0]) if self.args else message
        if failure_cases is not None and "value" in getattr(failure_cases, "columns", ()):
            from beian_audit._scrub import mask_personal

            values = failure_cases["value"]
            masked = mask_personal(values)
            if masked is not values:
                failure_cases = failure_cases.copy()
                failure_cases["value"] = masked
        self.failure_cases = failure_cases

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.failure_cases))

    def __str__(self) -> str:
        return self.message


class SchemaError(_RowsError, ValueError):
    """The input does not fit the canonical filing schema.

    Lists every problem at once in ``failure_cases``.
    """


class InputFileError(SchemaError):
    """A file cannot be read as a table: empty, truncated, ragged, a directory,
    unreadable, undecodable text, a number where an identifier was expected …

    A :class:`SchemaError` (so also a ``ValueError``) whose ``failure_cases``
    has one row per problem; ``path`` is the file, ``line`` the line or row
    number as the user sees it (CSV: line number with the header as line 1;
    Excel: the worksheet row number) or ``None``, ``column`` the header as
    written in the file or ``None``.
    """

    def __init__(
        self,
        message: str,
        failure_cases: pd.DataFrame | None = None,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message, failure_cases)
        self.path = path
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (type(self), self.message, self.failure_cases,
             {"path": self.path, "line": self.line, "column": self.column}),
        )


class InputFileNotFoundError(InputFileError, FileNotFoundError):
    """The file (or the directory it should be in) does not exist."""


def _rebuild(cls: type[Any], message: str, failure_cases: Any, extra: dict[str, Any]) -> Any:
    return cls(message, failure_cases, **extra)


class ArgumentError(BeianAuditError, ValueError):
    """A function was called with a bad argument value (an unknown option …)."""


class ArgumentTypeError(ArgumentError, TypeError):
    """A function was called with an argument of the wrong type or shape.

    Subclasses both ``TypeError`` and (through :class:`ArgumentError`)
    ``ValueError``, so either ``except`` works.
    """


class ArgumentKeyError(ArgumentError, KeyError):
    """A lookup by a key (a row name, a column name …) that does not exist.

    Also a ``KeyError`` (and a ``ValueError``); ``str()`` is the plain message.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


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


class OutputExistsError(BeianAuditError, FileExistsError):
    """An output file exists and ``overwrite=False`` (CLI: no ``--force``) was asked."""


class LedgerError(BeianAuditError):
    """A ledger (:mod:`beian_audit.ledger`) cannot be opened or changed as asked."""


class LedgerNotFoundError(LedgerError, FileNotFoundError):
    """No ledger at the path given (and creating one was not asked)."""


class LedgerVersionError(LedgerError, RuntimeError):
    """The database is not a beian_audit ledger, or was written by a newer version."""


class LedgerUpgradeRequiredError(LedgerError, RuntimeError):
    """The ledger was written by an older version and opening it without upgrading was asked.

    ``command`` is the exact command that upgrades it
    (``beian-audit ledger upgrade PATH``); ``current`` and ``head`` are the
    schema revisions of the ledger and of this library.
    """

    def __init__(self, message: str, *, command: str = "", current: str | None = None,
                 head: str | None = None) -> None:
        super().__init__(message)
        self.command = command
        self.current = current
        self.head = head

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_upgrade, (str(self), self.command, self.current, self.head))


def _rebuild_upgrade(message: str, command: str, current: str | None,
                     head: str | None) -> LedgerUpgradeRequiredError:
    return LedgerUpgradeRequiredError(message, command=command, current=current, head=head)


class LedgerServerError(LedgerError, RuntimeError):
    """A throw-away PostgreSQL server (tests, benchmarks) could not be found or started.

    The message says what is missing (the PostgreSQL 15 binaries and how to
    install them) or quotes the server's own error and log.
    """


class PeriodStateError(LedgerError, ValueError):
    """A month is not in the state the operation needs (closed, not drawn, unknown …)."""


class OutcomeImportError(WorksheetError):
    """A worksheet cannot be imported into the ledger; nothing of it was written.

    ``failure_cases`` lists every problem with ``row`` (the Excel row number),
    ``column``, ``value`` (masked) and ``reason`` (a machine code).
    """


class BeianAuditWarning(UserWarning):
    """Root of every warning beian_audit emits (its message is masked like an error's)."""

    def __init__(self, *args: object) -> None:
        super().__init__(*_scrub(args))


class SmallStratumWarning(BeianAuditWarning, RuntimeWarning):
    """A stratum has too few units for the requested computation."""


class DegenerateIntervalWarning(BeianAuditWarning, RuntimeWarning):
    """An interval was computed in a degenerate case (estimate 0 or 1, df <= 0 …)."""


class MethodWeaknessWarning(BeianAuditWarning, RuntimeWarning):
    """A non-default interval method is used where it is known to undercover.

    Rare events with unequal weights, or few design degrees of freedom for a
    method without a degrees-of-freedom correction (see docs/methodology.md,
    the coverage table). The default ``"korn-graubard"`` keeps its coverage there.
    """


class NonresponseWarning(BeianAuditWarning, RuntimeWarning):
    """Nonresponse forced an assumption beyond the one asked for (e.g. a stratum
    with nonrespondents and no respondent under ``nonresponse="mar"``)."""


class GoalNotReachableWarning(BeianAuditWarning, RuntimeWarning):
    """A sample plan cannot reach the stated precision or decision goal."""


class RollUpWarning(BeianAuditWarning, UserWarning):
    """A national roll-up row could not be formed honestly (e.g. rates not pooled)."""


class DataQualityWarning(BeianAuditWarning):
    """Input was accepted but looks suspicious (alias prefixes, odd encodings …)."""


class SkippedCheckWarning(BeianAuditWarning, UserWarning):
    """A check could not run (a column is missing or unmapped, no provider table);
    the machine verdict is partial (``complete: false``)."""


class IncompleteSampleWarning(BeianAuditWarning, UserWarning):
    """Some drawn filings have no verification outcome yet; the result is partial."""


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
