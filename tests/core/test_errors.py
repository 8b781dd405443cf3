"""Errors for people: every config problem once, in the order found."""

from calmkit.core.errors import ConfigError, Problem


def test_the_same_problem_found_twice_is_said_once_in_order():
    """A program reached through two chains was blamed twice (`programs.a.fallback[0]`)."""
    a = Problem("mine.yaml", 3, "programs.a.fallback[0]", "a breath hold of 30 s")
    b = Problem("mine.yaml", 9, "programs.b", "a breath hold of 25 s")
    error = ConfigError([a, b, a])
    assert error.problems == (a, b)
    assert str(error).splitlines() == [str(a), str(b)]
