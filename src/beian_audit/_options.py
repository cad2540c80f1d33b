"""Validation of string options, shared by every package.

Examples
--------
>>> check_choice("ties", "include", ("include", "exclude"))
'include'
"""

from __future__ import annotations

from collections.abc import Sequence

from beian_audit.errors import ArgumentError

__all__ = ["check_choice"]


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """Validate a string option; the message quotes the value and the allowed ones.

    Examples
    --------
    >>> check_choice("ties", "include", ("include", "exclude"))
    'include'
    """
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ArgumentError(f"{name} ({value!r}) must be one of {listed}")
    return value
