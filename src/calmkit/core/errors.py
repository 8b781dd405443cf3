"""Exceptions for failures a person must read: each carries its message and exit status.

The command line catches CalmkitError, prints it and exits with ``exit_code``; anything else
reaching the top is a bug and is reported as one, without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class CalmkitError(Exception):
    """A failure with a message written for a person."""

    exit_code = 1


class UsageError(CalmkitError):
    """The command line asked for something that does not exist (an unknown program, say)."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a config file, located as FILE:LINE: key.path: message (line 0: the
    whole file, as FILE: key: message, with no line made up)."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.file}: {self.key}: {self.message}"
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


class ConfigError(CalmkitError):
    """Every problem found in the config, not only the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        # the same problem found twice (a program checked through two chains) is said once
        self.problems: tuple[Problem, ...] = tuple(dict.fromkeys(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


class HardwareError(CalmkitError):
    """A pin that cannot be claimed, with the fix in the message."""

    exit_code = 3
