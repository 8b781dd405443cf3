"""Config fuzz: whatever a file holds, the answer is a Config or a ConfigError, never a traceback.

Every problem must be printable as one line ``FILE:LINE: key: message`` with a real line and a
non-empty key, since `calmkit check` shows nothing else to the person.
"""

from __future__ import annotations

import copy
import os
import signal
import socket
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmkit.config import Config, load_config, parse_config
from calmkit.config.paths import default_config_path
from calmkit.core.errors import ConfigError

#: A few hundred examples keep the suite fast; CALMKIT_FUZZ_EXAMPLES=20000 for a long hunt.
FUZZ = settings(
    max_examples=int(os.environ.get("CALMKIT_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

DEFAULTS: dict[str, Any] = yaml.safe_load(default_config_path().read_text(encoding="utf-8"))
DEFAULTS_FILE = str(default_config_path())


def check(text: str | bytes, *, valid_yaml: bool = False) -> None:
    """The property: a Config, or a ConfigError whose every problem is located and one line.

    ``valid_yaml``: the text was written by a YAML emitter, so "not valid YAML" is never the
    reason (it once was for a long key: say what is wrong instead).
    """
    try:
        result = parse_config(text, "fuzz.yaml")
    except ConfigError as error:
        if valid_yaml:
            assert not any("not valid YAML" in p.message for p in error.problems), error
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


# --- odd text in every text field, odd files, through load_config and the command line -----------

#: Characters that broke or could break calmkit: lone surrogates, NUL, bidi controls, emoji,
#: line breaks, a BOM, private use, and text far longer than any field needs.
odd_text = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=12),
    st.sampled_from(["\ud800", "x\udbff", "\udc00y"]),
    st.sampled_from(
        [
            "\ud800", "\udfff", "a\udc80b", "\ud83d\ude00", "\0", "x\0y", "\u202e\u202d",
            "\u200f\u061c", "😀🫠", "\n", "\r\n", "\ufeff", "\U0010fffd", "k" * 5000, " ", "",
        ]
    ),
)  # fmt: skip

#: Every field that holds text a person writes, and where it is placed.
TEXT_FIELDS: list[tuple[Any, ...]] = [
    ("programs", "x", "description"),
    ("programs", "x", "steps", 0, "label"),
    ("programs", "x", "steps", 0, "sound"),
    ("reach_out", "message"),
    ("reach_out", "sound"),
    ("journal", "path"),
    ("sound", "dir"),
    ("default_program",),
    ("menu", 0),
    ("programs", "x", "then", 0),
    ("programs", "x", "fallback", 0),
    ("night", "start"),
    ("hardware", "pins"),
]
SMALL_PROGRAM = {"description": "d", "steps": [{"inhale": 1, "label": "l"}, {"exhale": 1}]}


def with_text(fields: list[tuple[tuple[Any, ...], str]], key: str | None = None) -> str:
    """A user file with a small program x (or one named ``key``) and the texts in their fields."""
    tree: dict[str, Any] = {"programs": {"x": copy.deepcopy(SMALL_PROGRAM)}}
    for path, text in fields:
        if path[:1] == ("menu",):
            tree["menu"] = ["x", text]
        elif path[-2:-1] in (("then",), ("fallback",)):
            tree["programs"]["x"][path[-2]] = [text]
        else:
            placed(path, text, tree)
    if key is not None:
        tree["programs"][key] = tree["programs"].pop("x")
    return dump(tree)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(TEXT_FIELDS), odd_text), min_size=1, max_size=4))
def test_odd_text_in_any_text_field(fields: list[tuple[tuple[Any, ...], str]]) -> None:
    check(with_text(fields), valid_yaml=True)


@FUZZ
@given(odd_text)
def test_odd_text_as_a_program_name(name: str) -> None:
    check(with_text([], key=name), valid_yaml=True)


def cli(argv: list[str], capsys: Any) -> tuple[int, str]:
    """``calmkit ARGV`` in-process: its exit code and what it printed on stderr."""
    from calmkit.faces.cli import main

    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err, captured.err
    return code, captured.err


CLI_FUZZ = settings(
    FUZZ,
    max_examples=max(10, FUZZ.max_examples // 4),
    suppress_health_check=[*FUZZ.suppress_health_check, HealthCheck.function_scoped_fixture],
)


#: The fields the command line prints or speaks.
SHOWN_FIELDS = [
    ("programs", "x", "description"),
    ("programs", "x", "steps", 0, "label"),
    ("reach_out", "message"),
]


@CLI_FUZZ
@given(
    fields=st.lists(
        st.tuples(st.sampled_from([*SHOWN_FIELDS, *TEXT_FIELDS]), odd_text), min_size=1, max_size=3
    )
)
def test_odd_text_through_the_command_line(
    fields: list[tuple[tuple[Any, ...], str]], capsys: Any
) -> None:
    """check, programs and play --fast --events: exit 0 or 2, never an exception."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calmkit.yaml"
        path.write_text(with_text(fields), encoding="utf-8")
        code, err = cli(["check", "--config", str(path)], capsys)
        assert code in (0, 2), err
        assert cli(["programs", "--config", str(path)], capsys)[0] == code
        played, err = cli(["play", "x", "--fast", "--events", "--config", str(path)], capsys)
        assert played == code or (code == 0 and played == 2), err


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    socket.socket(socket.AF_UNIX).bind(str(path))


def _fifo_link(path: Path) -> None:
    os.mkfifo(path.with_suffix(".fifo"))
    path.symlink_to(path.with_suffix(".fifo"))


FILE_KINDS = {
    "fifo": _fifo,
    "folder": lambda path: path.mkdir(),
    "socket": _socket,
    "link to a fifo": _fifo_link,
    "dangling link": lambda path: path.symlink_to(path.with_suffix(".gone")),
    "link loop": lambda path: path.symlink_to(path),
    "empty": lambda path: path.write_bytes(b""),
    "huge": lambda path: path.write_bytes(b"#" * (2 << 20)),
    "deep": lambda path: path.write_text("a: " + "[" * 5000 + "]" * 5000),
    "deep mapping": lambda path: path.write_text(
        "".join(f"{'  ' * i}k{i}:\n" for i in range(200)) + "  " * 200 + "x: 1\n"
    ),
    "huge numbers": lambda path: path.write_text(
        f"light: {{fps: {10**4000}, brightness: 1e999999, gamma: -0.0, floor: .nan}}\n"
    ),
}


@pytest.fixture
def no_hang() -> Any:
    """A read that would block (a FIFO) fails the test after 5 s instead of hanging it."""

    def fail(signum: int, frame: object) -> None:
        pytest.fail("blocked reading the config")  # not an OSError: nothing may catch it

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(5)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("kind", list(FILE_KINDS))
@pytest.mark.parametrize("how", ["load_config", "--config", "$CALMKIT_CONFIG", "home", "doctor"])
def test_any_kind_of_file_is_refused_or_read_at_once(
    tmp_path: Path, kind: str, how: str, capsys: Any, monkeypatch: Any, no_hang: Any
) -> None:
    home = tmp_path / "home"
    path = home / ".config" / "calmkit" / "calmkit.yaml"
    path.parent.mkdir(parents=True)
    FILE_KINDS[kind](path)
    monkeypatch.delenv("CALMKIT_CONFIG", raising=False)
    if how == "load_config":
        try:
            load_config(path)
        except ConfigError as error:
            assert all(p.file == str(path) and p.line >= 1 for p in error.problems), error
        return
    if how == "doctor":
        code, err = cli(["doctor", "--config", str(path)], capsys)
        assert code in (0, 1), err
        return
    argv = ["check"]
    if how == "--config":
        argv += ["--config", str(path)]
    elif how == "$CALMKIT_CONFIG":
        monkeypatch.setenv("CALMKIT_CONFIG", str(path))
    else:
        monkeypatch.setenv("HOME", str(home))
    code, err = cli(argv, capsys)
    assert code in (0, 2), err


output_entries = st.lists(
    st.one_of(
        scalars,
        st.dictionaries(
            st.sampled_from(["kind", "pin", "pins", "address", "active_high", "pni"]),
            st.one_of(
                st.sampled_from(["led", "rgb", "motor", "lde"]),
                st.integers(-3, 130),
                st.booleans(),
                st.dictionaries(st.sampled_from(["red", "green", "blue", "x"]), st.integers(0, 30)),
                scalars,
            ),
            max_size=4,
        ),
    ),
    max_size=5,
)


@FUZZ
@given(output_entries)
def test_any_list_of_outputs(entries: list[Any]) -> None:
    """hardware.outputs, whatever its entries hold: a Config or located problems."""
    check(dump({"hardware": {"outputs": entries}}), valid_yaml=True)
