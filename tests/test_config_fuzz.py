"""Config fuzz: whatever a file holds, the answer is a Config or a ConfigError, never a traceback.

Every problem must be printable as one line ``FILE:LINE: key: message`` with a real line and a
non-empty key, since `calmkit check` shows nothing else to the person.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmkit.config import Config, parse_config
from calmkit.errors import ConfigError
from calmkit.paths import default_config_path

#: A few hundred examples keep the suite fast; CALMKIT_FUZZ_EXAMPLES=20000 for a long hunt.
FUZZ = settings(
    max_examples=int(os.environ.get("CALMKIT_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

DEFAULTS: dict[str, Any] = yaml.safe_load(default_config_path().read_text(encoding="utf-8"))
DEFAULTS_FILE = str(default_config_path())


def check(text: str | bytes) -> None:
    """The property: a Config, or a ConfigError whose every problem is located and one line."""
    try:
        result = parse_config(text, "fuzz.yaml")
    except ConfigError as error:
        assert error.problems, "a ConfigError with no problem in it"
        for problem in error.problems:
            assert problem.file, problem
            # the person's mistake is theirs: never reported against the packaged defaults
            assert problem.file != DEFAULTS_FILE, problem
            assert isinstance(problem.line, int) and problem.line >= 1, problem
            assert problem.key.strip(), problem
            assert problem.message.strip(), problem
            assert "\n" not in str(problem), problem
        return
    assert isinstance(result, Config)


# --- values of every shape --------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        ["inhale", "hold", "box", "calm", "auto", "21:00", "1:1.5", "", "~", "~/x", "1e400"]
    ),
)
keys = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            *("steps", "breathe", "quiet", "cycles", "minutes", "seconds", "then", "blocks"),
            *("rate", "inhale", "hold", "exhale", "blink", "label", "items", "repeat", "sound"),
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=25,
)


def paths_in(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in the packaged defaults, list indices included."""
    found = [prefix] if prefix else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found.extend(paths_in(value, (*prefix, key)))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found.extend(paths_in(value, (*prefix, index)))
    return found


REAL_PATHS = [
    *paths_in(DEFAULTS),
    ("programs", "x"),
    ("programs", "x", "steps"),
    ("programs", "x", "steps", 0),
    ("programs", "x", "breathe"),
    ("programs", "x", "blocks"),
    ("programs", "x", "quiet"),
    ("programs", "x", "then"),
    ("hardware", "light", "red"),
]


def placed(path: tuple[Any, ...], value: Any, tree: dict[str, Any] | None = None) -> Any:
    """A user file that puts ``value`` at ``path``, holding what the defaults hold on the way.

    A user file needs only what it changes (sections merge over the defaults), but a program is
    replaced whole, so the default program of that name is copied in entire first.
    """
    tree = {} if tree is None else tree
    head = path[:2] if path[0] == "programs" else path[:1]
    parent = _get(tree, head[:-1])
    default = _lookup(DEFAULTS, head)
    if isinstance(parent, dict) and head[-1] not in parent and default is not None:
        parent[head[-1]] = copy.deepcopy(default)
    node: Any = tree
    for step in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(step, {})
        elif isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return tree
        if not isinstance(node, (dict, list)):
            return tree
    last = path[-1]
    if isinstance(node, dict) or (isinstance(last, int) and last < len(node)):
        node[last] = value
    return tree


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    """The subtree at ``path`` in a user file being built, made where missing (None if blocked)."""
    for step in path:
        if not isinstance(tree, dict):
            return None
        tree = tree.setdefault(step, {})
    return tree


def _lookup(tree: Any, path: tuple[Any, ...]) -> Any:
    """The defaults' subtree at ``path``, or None; never changes the defaults."""
    for step in path:
        if not isinstance(tree, dict) or step not in tree:
            return None
        tree = tree[step]
    return tree


def dump(tree: Any) -> str:
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


def test_placing_keeps_the_rest_of_a_program() -> None:
    """The helper itself: a changed step keeps the program's other keys."""
    tree = placed(("programs", "box", "steps", 1), {"hold": 5})
    assert tree["programs"]["box"]["steps"][1] == {"hold": 5}
    assert tree["programs"]["box"]["minutes"] == 4
    assert placed(("light", "fps"), 3) == {"light": {**DEFAULTS["light"], "fps": 3}}


# --- the tests --------------------------------------------------------------------------------


@FUZZ
@given(st.text(max_size=300))
def test_any_text(text: str) -> None:
    check(text)


@FUZZ
@given(st.binary(max_size=200))
def test_any_bytes(data: bytes) -> None:
    check(data)


yaml_tokens = st.sampled_from(
    [
        "a", "light", "programs", "box", "steps", "inhale", ":", ": ", "- ", "[", "]", "{", "}",
        ",", "\n", "  ", "    ", "&x ", "*x", "<<: ", "!!str ", "!!set ", "!x ", "? ", "---\n",
        "...", "'", '"', "#", "|\n  ", ">\n  ", "1", "0.25", "1e400", ".inf", "21:00", "~",
        "yes", "\t", "%YAML 1.1\n", "\\0", "@",
    ]
)  # fmt: skip


@FUZZ
@given(st.lists(yaml_tokens, max_size=40).map("".join))
def test_yaml_like_token_soup(text: str) -> None:
    check(text)


@FUZZ
@given(values)
def test_any_structure_as_the_whole_document(value: Any) -> None:
    check(dump(value))


@FUZZ
@given(st.sampled_from(REAL_PATHS), values)
def test_any_structure_in_any_real_field(path: tuple[Any, ...], value: Any) -> None:
    check(dump(placed(path, value)))


@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(REAL_PATHS), scalars), min_size=1, max_size=6),
)
def test_many_scalars_in_many_fields(changes: list[tuple[tuple[Any, ...], Any]]) -> None:
    tree: dict[str, Any] = {}
    for path, value in changes:
        placed(path, value, tree)
    check(dump(tree))


steps = st.lists(
    st.dictionaries(
        st.sampled_from(["inhale", "hold", "exhale", "blink", "prompt", "rest", "label", "items"]),
        st.one_of(st.floats(min_value=-5, max_value=50), st.integers(-5, 50), st.text(max_size=3)),
        min_size=1,
        max_size=3,
    ),
    max_size=6,
)
programs = st.dictionaries(
    st.sampled_from(["a", "b", "c", "box", "calm"]),
    st.fixed_dictionaries(
        {},
        optional={
            "steps": steps,
            "cycles": st.integers(-2, 20000),
            "minutes": st.floats(min_value=-1, max_value=300),
            "then": st.lists(st.sampled_from(["a", "b", "c", "box", "calm", "zz"]), max_size=3),
            "rounds": st.integers(0, 5),
            "breathe": st.fixed_dictionaries(
                {"rate": st.floats(0, 40)},
                optional={
                    "to_rate": st.floats(0, 40),
                    "ratio": st.sampled_from(["1:1", "1:1.5", "2:1", "1:9", 2, "x"]),
                    "hold_in": st.floats(0, 25),
                },
            ),
        },
    ),
    max_size=4,
)


@FUZZ
@given(programs)
def test_programs_that_look_nearly_right(library: dict[str, Any]) -> None:
    """Structured programs reach the deep checks: chains, loops, lengths, breathing limits."""
    check(dump({"programs": library}))
