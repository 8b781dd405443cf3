"""YAML to located nodes: every value with its file, line and layer; then the layering of the
person's file over the packaged defaults."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from calmkit.config.settings import (
    FILE_KEY,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NAME,
    MAX_NODES,
    MAX_YAML_KEY,
)
from calmkit.core.errors import Problem


class _Node:
    """A value with where it was written: the file, the line (1-based) and which layer."""

    __slots__ = ("file", "layer", "line", "raw", "value")

    def __init__(self, value: Any, file: str, line: int, layer: int, raw: str | None = None):
        self.value = value
        self.file = file
        self.line = line
        self.layer = layer
        #: The text of a plain (unquoted) scalar, as written: "21:00", "1:1.5", "1e400".
        self.raw = raw


@dataclass
class _Tree:
    """A parsed file: its root (None for an empty file) and the problems found reading it."""

    file: str
    root: _Node | None
    problems: list[Problem]
    fatal: bool = False


class _Refused(Exception):
    """The document is too big or too deep to read at all."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
#: Scalar tags read as yaml.safe_load reads them; others (!!set, !!python/...) are refused.
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("null", "bool", "int", "float", "str", "binary", "timestamp")
)
#: YAML 1.2 floats that PyYAML (YAML 1.1) reads as text: 1e3, 1e400, 5E-1.
_FLOAT_12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SCALAR = SafeConstructor()
_TOO_DEEP = f"nests too deep; a config nests at most {MAX_DEPTH} levels"


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar node's Python value, as yaml.safe_load would give it (but raising ValueError)."""
    construct = SafeConstructor.yaml_constructors.get(node.tag)
    if construct is None or node.tag not in _SCALAR_TAGS:
        raise ValueError(f"unsupported YAML tag {node.tag!r}")
    try:
        value = construct(_SCALAR, node)
    except (ValueError, TypeError, OverflowError, ArithmeticError, yaml.YAMLError):
        if node.tag in _NUMBER_TAGS:
            raise ValueError("this number is too long to read") from None
        raise ValueError(f"cannot read this value as {node.tag.rsplit(':', 1)[-1]}") from None
    if (
        isinstance(value, str)
        and node.style is None
        and node.tag == "tag:yaml.org,2002:str"
        and _FLOAT_12.fullmatch(value)
    ):
        return float(value)
    return value


def _yaml_problem(file: str, text: str, exc: Exception) -> Problem:
    """A YAML syntax error as a Problem on the line PyYAML points at."""
    line = 1
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line = mark.line + 1
            too_long = _long_key(text, mark)
            if too_long:
                return Problem(file, line, FILE_KEY, too_long)
        what = exc.problem or "cannot be read"
        if exc.context and what.startswith("but "):
            what = f"{exc.context} {what}"
        elif exc.context:
            what = f"{what} ({exc.context})"
    elif isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(0, exc.position)) + 1
        what = f"unreadable character #x{exc.character:04x}"
    elif isinstance(exc, RecursionError):
        return Problem(file, 1, FILE_KEY, _TOO_DEEP)
    else:
        what = "cannot be read"
    what = " ".join(what.split())
    return Problem(file, max(1, line), FILE_KEY, f"not valid YAML: {what}")


def _long_key(text: str, mark: yaml.Mark) -> str:
    """Why a key is refused when PyYAML's error is really its key length limit ("" if not).

    PyYAML reads a key of at most 1024 characters and otherwise says only that the YAML is
    wrong ("mapping values are not allowed here") at the colon after it.
    """
    lines = text.splitlines()
    if not 0 <= mark.line < len(lines):
        return ""
    before = lines[mark.line][: mark.column + 1]
    colon = before.rfind(":")
    if colon < 0:
        return ""
    key = re.split(r"[:{\[,]", before[:colon])[-1].strip().lstrip("-? ").strip("\"'")
    if len(key) <= MAX_YAML_KEY:
        return ""
    return (
        f"a key of {len(key)} characters is too long: YAML reads keys of at most "
        f"{MAX_YAML_KEY} characters, and a program name is at most {MAX_NAME}"
    )


def _decode(data: str | bytes, file: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text from bytes, refusing huge, binary and undecodable files with a clear reason."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        return None, Problem(
            file, 1, FILE_KEY, "the file is over 1 MiB; a calmkit config is a few kilobytes"
        )
    if isinstance(data, bytes):
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None, Problem(file, 1, FILE_KEY, "the file is UTF-16 text; save it as UTF-8")
        nul = data.find(b"\0")
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            return None, Problem(
                file, line, FILE_KEY, "the file holds binary data (a NUL byte); a config is text"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            byte = data[exc.start]
            return None, Problem(
                file,
                line,
                FILE_KEY,
                f"not UTF-8 text (byte 0x{byte:02x} cannot be read); save the file as UTF-8",
            )
        return text, None
    if "\0" in data:
        line = data.count("\n", 0, data.index("\0")) + 1
        return None, Problem(
            file, line, FILE_KEY, "the file holds binary data (a NUL byte); a config is text"
        )
    return data.removeprefix("\ufeff"), None


def _parse_tree(data: str | bytes, file: str, layer: int) -> _Tree:
    """Read one file into located nodes; a file that cannot be read at all is ``fatal``."""
    text, problem = _decode(data, file)
    if text is None:
        assert problem is not None
        return _Tree(file, None, [problem], fatal=True)
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError) as exc:
        return _Tree(file, None, [_yaml_problem(file, text, exc)], fatal=True)
    if document is None:
        return _Tree(file, None, [])
    builder = _Builder(file, layer)
    try:
        root = builder.build(document)
    except _Refused as exc:
        return _Tree(file, None, [Problem(file, exc.line, FILE_KEY, exc.message)], fatal=True)
    if root.value is None:
        return _Tree(file, None, builder.problems)
    if isinstance(root.value, _Unreadable):
        return _Tree(file, None, builder.problems, fatal=True)
    if not isinstance(root.value, dict):
        builder.problems.append(
            Problem(
                file,
                root.line,
                FILE_KEY,
                f"expected a mapping of settings (key: value) at the top, got {_describe(root)}",
            )
        )
        return _Tree(file, None, builder.problems, fatal=True)
    return _Tree(file, root, builder.problems)


class _Builder:
    """Turns composed YAML nodes into _Nodes, counting values so alias bombs stop early."""

    def __init__(self, file: str, layer: int) -> None:
        self.file = file
        self.layer = layer
        self.count = 0
        self.top_line = 1  # the top-level entry being read: where an alias bomb is reported
        self.problems: list[Problem] = []

    def _problem(self, line: int, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, path or FILE_KEY, message))

    def build(self, node: yaml.Node) -> _Node:
        return self._build(node, node.start_mark.line + 1, "", 0)

    def _build(self, node: yaml.Node, line: int, path: str, depth: int) -> _Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Refused(
                self.top_line,
                f"the document holds more than {MAX_NODES} values (counting what aliases "
                f"repeat); calmkit refuses it",
            )
        if depth > MAX_DEPTH:
            raise _Refused(line, _TOO_DEEP)
        if isinstance(node, yaml.ScalarNode):
            try:
                value = _scalar(node)
            except ValueError as exc:
                self._problem(line, path, str(exc))
                value = _Unreadable()
            if isinstance(value, str) and _SURROGATES.search(value):
                value = _paired(value)
                if _surrogate(value):
                    self._problem(line, path, _surrogate(value))
                    value = _Unreadable()
            if isinstance(value, str) and _CONTROLS.search(value):
                self._problem(line, path, _control(value))
                value = _Unreadable()
            raw = node.value if node.style is None else None
            return _Node(value, self.file, line, self.layer, raw)
        if node.tag not in (_MAP_TAG, _SEQ_TAG):
            self._problem(line, path, f"unsupported YAML tag {node.tag!r}")
            return _Node(_Unreadable(), self.file, line, self.layer)
        if isinstance(node, yaml.SequenceNode):
            items = [
                self._build(item, item.start_mark.line + 1, f"{path}[{index}]", depth + 1)
                for index, item in enumerate(node.value)
            ]
            return _Node(items, self.file, line, self.layer)
        assert isinstance(node, yaml.MappingNode)
        return _Node(self._mapping(node, path, depth), self.file, line, self.layer)

    def _mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[str, _Node]:
        """Entries by key; explicit keys win over ``<<`` merges, a repeated key is a problem."""
        if depth > MAX_DEPTH:  # a merge of a mapping into itself
            raise _Refused(node.start_mark.line + 1, _TOO_DEEP)
        entries: dict[str, _Node] = {}
        first_line: dict[str, int] = {}
        merges: list[tuple[yaml.Node, int]] = []
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                merges.append((value_node, line))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(line, path, "a key must be a plain name, not a list or mapping")
                continue
            key = _paired(key_node.value)
            if _surrogate(key):
                self._problem(line, path, f"a key {_surrogate(key)}")
                continue
            child = _join(path, key)
            if key in entries:
                self._problem(
                    line, child, f"duplicate key {key!r} (first on line {first_line[key]})"
                )
                continue
            first_line[key] = line
            if depth == 0:
                self.top_line = line
            entries[key] = self._build(value_node, line, child, depth + 1)
        for merge_node, line in merges:
            sources = (
                merge_node.value if isinstance(merge_node, yaml.SequenceNode) else [merge_node]
            )
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    self._problem(line, _join(path, "<<"), "a merge (<<) takes a mapping")
                    continue
                for key, value in self._mapping(source, path, depth + 1).items():
                    entries.setdefault(key, value)
        return entries


_SURROGATES = re.compile("[\ud800-\udfff]")


def _paired(text: str) -> str:
    """Text with its surrogate pairs (YAML's "\\ud83d\\ude00" for one emoji) made characters."""
    if not _SURROGATES.search(text):
        return text
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:  # a lone half: _surrogate says so
        return text


def _surrogate(text: str) -> str:
    """Why text with a lone surrogate (a "\\ud800" escape) cannot be used, or "" if it has none.

    Such a code point is half of a UTF-16 pair, not a character: no terminal, file or speaker
    can take it, and printing it would stop calmkit mid-session.
    """
    found = _SURROGATES.search(text)
    if found is None:
        return ""
    return (
        f"holds U+{ord(found.group()):04X}, half of a UTF-16 pair and no character (an escape "
        f"like \\ud800 in quotes); write the character itself"
    )


#: Control characters other than tab and newline: an escape code in a description would act on
#: the terminal that `calmkit programs` prints it to, a NUL would cut the text short.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _control(text: str) -> str:
    """Why text with a control character cannot be shown (there is one: see _CONTROLS)."""
    found = _CONTROLS.search(text)
    code = ord(found.group()) if found is not None else 0
    return (
        f"holds the control character U+{code:04X} (an escape such as \\x1b or \\0 in quotes), "
        "which a terminal would act on rather than show: remove it"
    )


class _Unreadable:
    """A scalar PyYAML could not construct (already reported); fails every type check."""

    def __repr__(self) -> str:
        return "an unreadable value"


_PLAIN_KEY = re.compile(r"[\w-]+")


def _join(path: str, key: str) -> str:
    """``path.key``, with a key that is not a plain name quoted so the path stays one line."""
    shown = key if _PLAIN_KEY.fullmatch(key) else repr(key)
    return f"{path}.{shown}" if path else shown


def _describe(node: _Node) -> str:
    """A value as a problem message shows it: "text 'abc'", "a list", "true", "1e400"."""
    value = node.value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if node.raw is not None and len(node.raw) <= 40:
            return node.raw
        return _show_number(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, _Unreadable):
        return "an unreadable value"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, datetime.datetime):
        return "a date and time"
    if isinstance(value, datetime.date):
        return "a date"
    return f"a {type(value).__name__}"


def _show_number(value: float) -> str:
    """A number for a message; never fails, however big."""
    if isinstance(value, int):
        text = str(value) if abs(value) < 10**30 else "a huge number"
        return text
    return f"{value:g}"


# --- layering -------------------------------------------------------------------------------

#: Sections where ``section: false`` (or true) is short for ``section: {enabled: false}``.
_SHORTHAND = frozenset({"sound", "vibration", "journal", "reach_out"})


def _merge(base: _Node, over: _Node) -> _Node:
    """``over`` laid on ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base.value, dict) and isinstance(over.value, dict):
        merged = dict(base.value)
        for key, value in over.value.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return _Node(merged, over.file, over.line, over.layer)
    return over


def _layer(defaults: _Node, user: _Node | None, problems: list[Problem] | None = None) -> _Node:
    """The person's file over the defaults: sections merge, programs replace by name.

    A section of the person's that cannot be a section at all (``programs: 5``) is one problem
    on their line, and the packaged section stays, so nothing else is blamed on the defaults.
    """
    if user is None:
        return defaults
    merged = dict(defaults.value)
    for key, node in user.value.items():
        base = merged.get(key)
        if base is None:
            merged[key] = node
            continue
        if isinstance(base.value, dict):
            if node.value is None:  # "light:" with everything under it commented out
                continue
            if key in _SHORTHAND and isinstance(node.value, bool):
                node = _Node({"enabled": node}, node.file, node.line, node.layer)
            if not isinstance(node.value, dict):
                if problems is not None and not isinstance(node.value, _Unreadable):
                    what = "a mapping of programs" if key == "programs" else "a mapping"
                    problems.append(
                        Problem(
                            node.file,
                            max(1, node.line),
                            key,
                            f"expected {what}, got {_describe(node)}",
                        )
                    )
                continue
            if key == "programs":
                programs = dict(base.value)
                programs.update(node.value)
                merged[key] = _Node(programs, node.file, node.line, node.layer)
                continue
            merged[key] = _merge(base, node)
        else:
            merged[key] = node
    return _Node(merged, user.file, 1, user.layer)
