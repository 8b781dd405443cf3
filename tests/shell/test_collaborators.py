"""The runner's collaborators are Protocols of what it calls: the real ones offer every call."""

import inspect

import pytest

from calmkit.shell.audio import Audio
from calmkit.shell.collaborators import EpisodeStore, SoundCard, Watchdog
from calmkit.shell.journal import Journal
from calmkit.shell.service import Notifier


def members(protocol) -> list[str]:
    return [name for name in vars(protocol) if not name.startswith("_")]


@pytest.mark.parametrize(
    ("protocol", "real"), [(SoundCard, Audio), (EpisodeStore, Journal), (Watchdog, Notifier)]
)
def test_the_real_collaborator_takes_every_call_the_protocol_names(protocol, real):
    assert members(protocol)
    for name in members(protocol):
        wanted = inspect.signature(getattr(protocol, name))
        offered = inspect.signature(getattr(real, name))
        # every parameter the runner passes is taken; the real one may have more, with defaults
        for parameter in wanted.parameters:
            assert parameter in offered.parameters, (real.__name__, name, parameter)
        extra = [p for n, p in offered.parameters.items() if n not in wanted.parameters]
        assert all(p.default is not inspect.Parameter.empty for p in extra), (real.__name__, name)


def test_the_runner_and_the_app_name_the_protocols_not_any():
    from calmkit.shell import app, runner

    hints = inspect.signature(runner.Runner.__init__).parameters
    assert "SoundCard" in str(hints["audio"].annotation)
    assert "EpisodeStore" in str(hints["journal"].annotation)
    assert "Watchdog" in str(hints["notifier"].annotation)
    assert "Watchdog" in str(inspect.signature(app.build).parameters["notifier"].annotation)
