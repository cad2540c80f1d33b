"""Validation of string options, shared by every package.

The one validator of a string option: every package calls
:func:`check_choice` (the estimation functions with ``error=EstimationError``,
through :func:`beian_audit.estimation.intervals.check_choice`).

Examples
--------
>>> check_choice("ties", "include", ("include", "exclude"))
'include'
"""

from __future__ import annotations

from collections.abc import Sequence

from beian_audit.errors import ArgumentError, BeianAuditError

__all__ = ["check_choice"]


def check_choice(
    name: str,
    value: object,
    choices: Sequence[str],
    *,
    error: type[BeianAuditError] = ArgumentError,
) -> str:
    """Validate a string option; the message quotes the value and the allowed ones.

    Parameters
    ----------
    name : str
        The option's name, as the caller's signature spells it.
    value : object
        What the caller passed; only a ``str`` among ``choices`` is accepted.
    choices : sequence of str
        The allowed values, quoted in this order in the message.
    error : type, default ArgumentError
        The error raised (a :class:`~beian_audit.errors.BeianAuditError`);
        the estimation functions raise
        :class:`~beian_audit.errors.EstimationError`.

    Returns
    -------
    str
        ``value``.

    Examples
    --------
    >>> check_choice("ties", "include", ("include", "exclude"))
    'include'
    >>> check_choice("ties", "both", ("include", "exclude"))
    Traceback (most recent call last):
    ...
    beian_audit.errors.ArgumentError: ties ('both') must be one of 'include', 'exclude'
    >>> from beian_audit.errors import EstimationError
    >>> check_choice("method", None, ("wald",), error=EstimationError)
    Traceback (most recent call last):
    ...
    beian_audit.errors.EstimationError: method (None) must be one of 'wald'
    """
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise error(f"{name} ({value!r}) must be one of {listed}")
    return value
