"""faces/stdout.py: an output that goes away is the person leaving, or a problem said once."""

from __future__ import annotations

import errno
import io

import pytest

from calmkit.faces.stdout import Stdout


class Failing(io.StringIO):
    """A stream whose writes fail with ``code`` once ``broken`` (a terminal closed, a full disk)."""

    def __init__(self, code: int, broken: bool = True) -> None:
        super().__init__()
        self.code = code
        self.broken = broken
        self.tries = 0

    def write(self, text: str) -> int:
        if self.broken:
            self.tries += 1
            raise OSError(self.code, "refused")
        return super().write(text)


@pytest.mark.parametrize(
    ("code", "reason", "left"),
    [
        (errno.EIO, "the terminal was closed", True),
        (errno.EPIPE, "the output was closed", True),
        (errno.ENOSPC, "the output could not be written", False),
    ],
)
def test_the_first_failed_write_is_the_last_one_tried_and_says_why_once(code, reason, left):
    told: list[str] = []
    stream = Failing(code)
    out = Stdout(stream)
    out.on_gone = told.append
    for _ in range(3):
        out.write("0:04  Hold  4 s\n")
    assert out.gone and stream.tries == 1 and told == [reason]
    assert out.left is left
    assert (out.problem() is None) is left


def test_a_full_disk_is_a_problem_said_with_its_fix():
    out = Stdout(Failing(errno.ENOSPC))
    out.write("x")
    assert out.problem() == (
        "could not write to the standard output: the disk it goes to is full; the session "
        "stopped there. Send the output to a file with room, or to /dev/null."
    )


def test_a_closed_stdout_is_a_problem_not_an_attribute_error(monkeypatch):
    monkeypatch.setattr("sys.stdout", None)
    out = Stdout()
    assert not out.isatty()
    out.write("x")
    assert out.gone and "it is closed (>&-)" in (out.problem() or "")


def test_a_stream_closed_under_it_is_gone_too():
    stream = io.StringIO()
    stream.close()
    out = Stdout(stream)
    out.write("x")
    assert out.gone and out.problem() is not None


def test_writes_that_work_are_flushed_and_nothing_is_a_problem():
    stream = Failing(errno.EIO, broken=False)
    out = Stdout(stream)
    out.write("a\n")
    out.write("b\n")
    assert stream.getvalue() == "a\nb\n" and not out.gone and out.problem() is None
