"""Input files: the checks and errors every reader shares (io, worksheets).

Examples
--------
>>> check_path("no/such/file.csv")
Traceback (most recent call last):
...
beian_audit.errors.InputFileNotFoundError: 'no/such/file.csv': file does not exist
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from beian_audit.errors import (
    FAILURE_COLUMNS,
    ArgumentError,
    ArgumentTypeError,
    InputFileError,
    InputFileNotFoundError,
)
from beian_audit.schema import STRING_DTYPE

__all__ = ["check_path", "failure_frame", "file_error"]


def failure_frame(rows: Iterable[tuple[Any, Any, Any, str]]) -> pd.DataFrame:
    """The ``failure_cases`` frame (row, column, value, reason) of an input error."""
    frame = pd.DataFrame(list(rows), columns=list(FAILURE_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    frame["value"] = frame["value"].map(str, na_action="ignore").astype(STRING_DTYPE)
    return frame


def file_error(
    path: Path,
    message: str,
    reason: str,
    *,
    line: int | None = None,
    column: str | None = None,
    cls: type[InputFileError] = InputFileError,
) -> InputFileError:
    """An :class:`~beian_audit.errors.InputFileError` (or ``cls``) about ``path``, with its row."""
    failures = failure_frame([(None, column or "<file>", str(path), reason)])
    failures["line"] = pd.array([line], dtype="Int64")
    where = f"line {line}: " if line is not None else ""
    return cls(
        f"{str(path)!r}: {where}{message}", failures, path=str(path), line=line, column=column
    )


def check_path(source: object) -> Path:
    """``source`` as the :class:`~pathlib.Path` of an existing file, or a typed error."""
    if isinstance(source, bytes) or not isinstance(source, str | os.PathLike):
        raise ArgumentTypeError(
            "path_or_frame must be a file path (str or os.PathLike) or a pandas DataFrame, "
            f"not {type(source).__name__}"
        )
    path = Path(os.fsdecode(os.fspath(source)))
    if str(source) == "":
        raise ArgumentError("path_or_frame is an empty string; give a file path")
    try:
        exists = path.exists()
        is_dir = path.is_dir()
    except OSError as exc:  # e.g. a name too long for the file system
        message = f"cannot be accessed ({exc.strerror or exc})"
        raise file_error(path, message, "unreadable") from exc
    if not exists:
        raise file_error(
            path, "file does not exist", "file_not_found", cls=InputFileNotFoundError
        )
    if is_dir:
        raise file_error(path, "is a directory, not a file", "not_a_file")
    return path
