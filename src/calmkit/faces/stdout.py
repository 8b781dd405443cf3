"""Standard output as the faces write it: a reader who goes away is a person leaving.

A terminal that is closed (EIO: the window shut, an SSH connection dropped), a pipe whose reader
stopped (EPIPE: ``| head``), a disk that is full (ENOSPC: ``> /dev/full``) or a stdout that was
never there (``>&-``) all end the same way: the first write that fails is the last one tried,
the session is asked to stop gently (``on_gone``, so it is journaled as it really ended, never
cut off by a traceback), and the command says afterwards what happened (``problem``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable
from typing import TextIO

#: The errors of a reader that went away: the person closed the terminal or stopped reading.
#: They are told nothing more (there is nobody to tell) and the command exits 0, as after SIGHUP.
LEFT = frozenset({errno.EIO, errno.EPIPE})


class Stdout:
    """Writes and flushes each text at once; after the first failure, writes nothing more."""

    def __init__(self, stream: TextIO | None = None, *, standard: bool | None = None) -> None:
        """``stream``: where to write (None: ``sys.stdout`` as it is at each write, which may
        itself be None when stdout was closed)."""
        self._stream = stream
        self._standard = stream is None if standard is None else standard
        self.failed: OSError | None = None  # the write that failed, once one has
        self.on_gone: Callable[[str], None] | None = None  # told once, with the reason

    @property
    def stream(self) -> TextIO | None:
        return sys.stdout if self._stream is None else self._stream

    @property
    def gone(self) -> bool:
        return self.failed is not None

    def isatty(self) -> bool:
        stream = self.stream
        if stream is None:
            return False
        with contextlib.suppress(OSError, ValueError):
            return stream.isatty()
        return False

    def write(self, text: str) -> None:
        if self.failed is not None:
            return
        stream = self.stream
        try:
            if stream is None:
                raise OSError(errno.EBADF, "it is closed")
            stream.write(text)
            stream.flush()
        except ValueError:  # "I/O operation on closed file"
            self._gone(OSError(errno.EBADF, "it is closed"), stream)
        except OSError as error:
            self._gone(error, stream)

    def _gone(self, error: OSError, stream: TextIO | None) -> None:
        self.failed = error
        if stream is not None and (self._standard or stream is sys.stdout):
            # nothing for Python to flush into the dead output at exit ("Exception ignored")
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        if self.on_gone is not None:
            self.on_gone(self.reason())

    def reason(self) -> str:
        """Why the session stopped, as the runner is told it."""
        if self.failed is None:
            return ""
        if self.failed.errno == errno.EIO:
            return "the terminal was closed"
        return "the output was closed" if self.left else "the output could not be written"

    @property
    def left(self) -> bool:
        """The reader went away (a closed terminal or pipe), which is the person leaving."""
        failed = self.failed
        return isinstance(failed, BrokenPipeError) or (failed is not None and failed.errno in LEFT)

    def problem(self) -> str | None:
        """What to tell the person, when it is more than their leaving: None if nothing."""
        error = self.failed
        if error is None or self.left:
            return None
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            why = "the disk it goes to is full"
        elif error.errno == errno.EBADF:
            why = "it is closed (>&-)"
        else:
            words = error.strerror or type(error).__name__
            why = f"{words[:1].lower()}{words[1:]} (errno {error.errno})"
        return (
            f"could not write to the standard output: {why}; the session stopped there. "
            "Send the output to a file with room, or to /dev/null."
        )
