"""The runner's outputs as one row: one duty per output for a frame, written where it changed."""

import pytest

from calmkit.core.cues import Caps
from calmkit.devices import Role
from calmkit.shell.outputs import NOTHING, OutputRow, duties_of

CAPS = Caps(0.5, 1.0, 0.8)
WARM = (1.0, 0.5, 0.25)


class Lamp:
    role = Role.LIGHT
    channels = 3
    pins = ()

    def __init__(self):
        self.written = []

    def duty(self, level, colour, drive, caps):
        return tuple(level * c * caps.brightness for c in colour)

    def write(self, duty):
        self.written.append(duty)

    def shown(self):
        return self.written[-1] if self.written else (0.0,) * self.channels

    def off(self):
        self.write((0.0,) * self.channels)

    def close(self):
        self.off()


class Motor(Lamp):
    role = Role.MOTOR
    channels = 1

    def duty(self, level, colour, drive, caps):
        return (drive * caps.vibration,)


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_the_duties_of_any_number_of_outputs_are_each_outputs_own(count):
    outputs = [Lamp() if k % 2 == 0 else Motor() for k in range(count)]
    duties = duties_of(outputs)(0.8, WARM, 0.5, CAPS)
    assert duties == tuple(o.duty(0.8, WARM, 0.5, CAPS) for o in outputs)


@pytest.mark.parametrize("count", [1, 2, 3])
def test_only_the_duties_that_changed_are_written(count):
    outputs = [Lamp() if k != 1 else Motor() for k in range(count)]
    row = OutputRow(outputs)
    first = row.duties(0.8, WARM, 0.0, CAPS)
    row.write(first)
    assert [o.written for o in outputs] == [[d] for d in first]  # the first frame: all of them
    row.write(first)
    assert all(len(o.written) == 1 for o in outputs)  # a steady frame writes nothing
    second = row.duties(0.6, WARM, 0.0, CAPS)  # the light moves, the motor stays
    row.write(second)
    assert outputs[0].written == [first[0], second[0]]
    if count > 1:
        assert outputs[1].written == [first[1]]
    assert row.written == second


def test_one_role_is_set_and_the_others_keep_what_they_show_then_all_go_off():
    lamp, motor = Lamp(), Motor()
    row = OutputRow([lamp, motor])
    row.write(row.duties(0.8, WARM, 1.0, CAPS))
    assert not row.dark() and motor.written == [(0.8,)]
    row.set(Role.MOTOR, 0.0, WARM, 0.0, NOTHING)  # the motor stops at once on a stop ...
    assert motor.written[-1] == (0.0,) and len(lamp.written) == 1  # ... the light fades on
    row.set(Role.LIGHT, 0.4, WARM, 0.0, CAPS)
    assert lamp.written[-1] == pytest.approx((0.2, 0.1, 0.05)) and len(motor.written) == 2
    row.off()
    assert lamp.written[-1] == (0.0, 0.0, 0.0) and motor.written[-1] == (0.0,)
    assert row.dark()


def test_a_row_is_dark_before_anything_is_written_and_without_lights():
    assert OutputRow([Lamp()]).dark()
    motor_only = OutputRow([Motor()])
    motor_only.write(((1.0,),))
    assert motor_only.dark()
