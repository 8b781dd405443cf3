"""Finding the person's config file and reading a file's bytes: only a regular file, never
more than the limit, never a read that could block."""

from __future__ import annotations

import errno
import functools
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from calmkit.config.nodes import _parse_tree, _Tree
from calmkit.config.paths import profile_path, profiles
from calmkit.config.settings import ENV_VAR, FILE_KEY, MAX_FILE_BYTES, SYSTEM_CONFIG
from calmkit.core.errors import ConfigError, Problem


def _exists(path: Path) -> bool:
    """Whether a path exists; a permission error counts as existing, so reading it says why, and
    so does a link to nothing or a loop of links (the person's settings must not vanish unsaid)."""
    try:
        return path.exists() or path.is_symlink()
    except OSError:
        return True
    except ValueError:  # a NUL in the name: nothing by that name can exist
        return False


def find_config_file(
    explicit: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    *,
    system: Path | None = None,
) -> Path | None:
    """The person's config file: --config, $CALMKIT_CONFIG, ~/.config, /etc; the first that exists.

    A file named on purpose (--config or the variable) that is missing is an error, not a silent
    fall back to another file: the person would think their settings were in force.
    """
    if explicit is not None:
        return _named(Path(explicit), "--config")
    environ = os.environ if env is None else env
    named = environ.get(ENV_VAR, "")
    if named:
        return _named(Path(named), f"${ENV_VAR}")
    if home is None:
        try:
            home = Path.home()
        except (RuntimeError, KeyError):
            home = None
    candidates = [] if home is None else [home / ".config" / "calmkit" / "calmkit.yaml"]
    candidates.append(SYSTEM_CONFIG if system is None else system)
    for path in candidates:
        if _exists(path):
            return path
    return None


def _named(path: Path, where: str) -> Path:
    """A file named on purpose; a bare name that is no file is a packaged profile
    (``--config wearable``: config/wearable.yaml, shipped inside calmkit)."""
    if _exists(path):
        return path
    profile = profile_path(str(path))
    if profile is not None:
        return profile
    bare = path.name == str(path) and not path.suffix
    known = f" (nor a packaged profile: {', '.join(profiles())})" if bare else ""
    raise ConfigError([Problem(str(path), 0, where, f"no such file{known}")])


#: What a path that is not a regular file is, for the message that refuses it.
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


class NotARegularFile(OSError):
    """A path that exists but is not a regular file (``kind`` says what it is): never opened."""

    def __init__(self, path: Path | str, kind: str) -> None:
        super().__init__(errno.EINVAL, f"is {kind}, not a file", str(path))
        self.kind = kind


def odd_kind(mode: int) -> str | None:
    """What a file of this mode is when it is not a regular file (None: it is one)."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def refuse_odd_file(path: Path | str) -> None:
    """Raise NotARegularFile when the path (or what a link points to) exists and is not a file."""
    try:
        kind = odd_kind(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return
    if kind is not None:
        raise NotARegularFile(path, kind)


def open_regular(path: Path | str, flags: int, mode: int = 0o600) -> int:
    """A blocking file descriptor on a regular file, never on a FIFO or a device.

    Looked at first, then opened without blocking and looked at again through the open file,
    so it cannot be swapped for a FIFO in between (an open for writing never waits for a reader).
    """
    refuse_odd_file(path)
    fd = os.open(path, flags | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), mode)
    try:
        kind = odd_kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise NotARegularFile(path, kind)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _not_a_file(kind: str) -> str:
    """Why a path of this kind cannot be a config."""
    if kind == "a folder":
        return "is a folder, not a file"
    return f"is {kind}, not a file; give a config file"


def _read_bytes(path: Path) -> bytes:
    """A file's bytes, at most one more than the limit (so a huge file is never read whole).

    Only a regular file is read: a FIFO would block the read (and `calmkit check`) for ever, a
    device may never end (see open_regular).
    """

    def refused(reason: str) -> ConfigError:
        return ConfigError([Problem(str(path), 1, FILE_KEY, reason)])

    try:
        fd = open_regular(path, os.O_RDONLY)
        with os.fdopen(fd, "rb") as stream:
            return stream.read(MAX_FILE_BYTES + 1)
    except NotARegularFile as exc:
        raise refused(_not_a_file(exc.kind)) from None
    except (OSError, ValueError) as exc:
        if isinstance(exc, OSError) and path.is_symlink():
            raise refused(_broken_link(path)) from None
        reason = getattr(exc, "strerror", None) or str(exc)
        raise refused(f"cannot read: {reason}") from None


def _broken_link(path: Path) -> str:
    """Why a link cannot be read as a config: what it points to, and how to mend it."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return (
        f"is a link to {target}, which cannot be read (it is missing, or a loop of links): "
        "point the link at your config file, or remove it"
    )


@functools.lru_cache(maxsize=4)
def _defaults_tree(path: Path) -> _Tree:
    """The packaged defaults, read once per process (nodes are never changed after reading)."""
    try:
        data = _read_bytes(path)
    except ConfigError as exc:
        reason = exc.problems[0].message.removeprefix("cannot read: ")
        problem = Problem(str(path), 1, FILE_KEY, f"cannot read the packaged defaults: {reason}")
        return _Tree(str(path), None, [problem], fatal=True)
    return _parse_tree(data, str(path), layer=0)
