"""`calmkit preview`: a PNG of the light over a program, readable and where the curve should be."""

import errno
import itertools
import os
import stat
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calmkit.config import parse_config
from calmkit.core.errors import CalmkitError
from calmkit.core.programs import PHASES, Breathe, Plan, Program, Quiet, Step, Steps, expand
from calmkit.faces.cli import main
from calmkit.faces.preview import (
    BACKGROUND,
    DEFAULT_HEIGHT,
    DEFAULT_WIDTH,
    MAX_TICKS,
    MIN_TICKS,
    PHASE_COLOURS,
    breaths,
    dense,
    describe,
    font_measure,
    level_to_y,
    part_labels,
    pattern_text,
    plot_area,
    render_preview,
    segments,
    spaced,
    step_name,
    strip_labels,
    tick_step,
    ticks,
    time_to_x,
    zoom_areas,
    zooms,
)

BOX = Program(
    "box",
    blocks=(
        Steps(
            (Step("inhale", 4), Step("hold", 4), Step("exhale", 4), Step("hold", 4)),
            total_s=240,
        ),
    ),
)
RAMP = Program(
    "winddown",
    blocks=(Breathe(11, to_rate=6, ramp=0.8, ratio_in=1, ratio_out=1.5, total_s=480),),
)
LIBRARY = {
    "box": BOX,
    "winddown": RAMP,
    "winddown20": Program("winddown20", blocks=(Breathe(11, to_rate=6, ramp=0.8, total_s=1200),)),
    "quiet": Program("quiet", blocks=(Quiet(300),)),
    "chain": Program("chain", then=("box", "winddown", "quiet")),
}


def load(path):
    from PIL import Image

    return Image.open(path).convert("RGB")


def brightness(image, x, y):
    r, g, b = image.getpixel((round(x), round(y)))
    return r + g + b


def column_brightness(image, plot, t, total):
    """Brightness of the fill a third of the way up the plot, at time t."""
    x = time_to_x(t, total, plot.left, plot.width)
    return brightness(image, x, level_to_y(0.33, plot.top, plot.height))


# --- the picture ------------------------------------------------------------------------------


@pytest.mark.parametrize(("size"), [(1200, 560), (900, 420)])
def test_box_picture_has_the_asked_size_and_is_brighter_at_inhale_peaks(tmp_path, size):
    plan = expand("box", LIBRARY)
    path = tmp_path / "box.png"
    render_preview(plan, path, width=size[0], height=size[1])
    image = load(path)
    assert image.size == size
    plot = plot_area(*size, zoomed=bool(zooms(plan, *size)))
    total = plan.total_s
    # Cycle k: inhale 16k..16k+4, hold at full to 16k+8, exhale to 16k+12, hold low to 16k+16.
    for k in (0, 7, 14):
        peak = column_brightness(image, plot, 16 * k + 6, total)
        trough = column_brightness(image, plot, 16 * k + 14, total)
        assert peak > trough + 150, (k, peak, trough)
    # The trough shows the dark night background, not a lit fill.
    assert column_brightness(image, plot, 14, total) <= sum(BACKGROUND) + 40
    # The hold at full is the hold's colour (yellow: red and green, little blue).
    r, g, b = image.getpixel(
        (
            round(time_to_x(6, total, plot.left, plot.width)),
            round(level_to_y(0.5, plot.top, plot.height)),
        )
    )
    assert r > b + 60 and g > b + 60


def test_ramp_picture_is_brighter_at_each_peak_than_at_the_next_trough(tmp_path):
    plan = expand("winddown", LIBRARY)
    path = tmp_path / "ramp.png"
    render_preview(plan, path)
    image = load(path)
    assert image.size == (DEFAULT_WIDTH, DEFAULT_HEIGHT)
    plot = plot_area(zoomed=bool(zooms(plan)))
    # Peaks are where inhales end, troughs where exhales end; check first, middle and last.
    steps = plan.steps
    inhales = [i for i, p in enumerate(steps) if p.phase == "inhale"]
    # (the first and last breath are framed, shown enlarged: their neighbours are checked)
    for i in (inhales[1], inhales[len(inhales) // 2], inhales[-3]):
        peak_t = steps[i].end_s
        trough_t = steps[i + 1].end_s
        peak = column_brightness(image, plot, peak_t, plan.total_s)
        trough = column_brightness(image, plot, trough_t, plan.total_s)
        assert peak > trough + 100, (i, peak, trough)


def test_title_can_be_given_and_long_chains_render(tmp_path):
    plan = expand("chain", LIBRARY)
    path = tmp_path / "chain.png"
    render_preview(plan, path, title="An evening", width=1000, height=360)
    assert load(path).size == (1000, 360)


def test_a_twenty_minute_program_is_a_band_with_its_first_and_last_breath_enlarged(tmp_path):
    # how fast it renders is measured in bench/, not asserted here
    plan = expand("winddown20", LIBRARY)
    render_preview(plan, tmp_path / "w20.png")
    assert load(tmp_path / "w20.png").size == (DEFAULT_WIDTH, DEFAULT_HEIGHT)
    whole = plot_area(zoomed=True)
    assert dense(plan.steps, whole.width / plan.total_s)  # no moiré of 320 steps
    image = load(tmp_path / "w20.png")
    y = level_to_y(0.2, whole.top, whole.height)
    row = [brightness(image, x, y) for x in range(whole.left + 240, whole.left + 280)]
    assert min(row) > sum(BACKGROUND) + 60  # the band the light sweeps, even: no stripes
    assert max(row) - min(row) < 20
    titles = [zoom.title for zoom in zooms(plan)]
    assert titles == [
        "winddown20: the first breath (11 breaths/min)",
        "winddown20: the last breath (6 breaths/min)",
    ]


def test_importing_preview_does_not_import_matplotlib_or_pygame():
    code = (
        "import sys, calmkit.faces.preview; "
        "print('matplotlib' in sys.modules, 'pygame' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


DEFAULTS = parse_config(
    "programs:\n  evening:\n    steps: [{inhale: 4}, {hold: 2}, {exhale: 6}]\n    cycles: 10\n"
    "    then: [ground, press, quiet]\n",
    "evening.yaml",
).programs  # the packaged programs, and a chain of four kinds


def test_every_kind_of_phase_has_its_own_colour_from_the_okabe_ito_palette():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
    assert set(PHASE_COLOURS) == set(PHASES)
    colours = [c.upper() for c in PHASE_COLOURS.values()]
    assert len(set(colours)) == len(colours)
    # every breathing and squeezing phase (the ones that sit side by side) is Okabe-Ito
    for phase in ("inhale", "hold", "exhale", "press", "release", "blink", "prompt"):
        assert PHASE_COLOURS[phase].upper() in okabe_ito


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_every_step_of_every_program_is_named_on_the_whole_or_enlarged(name):
    plan = expand(name, DEFAULTS)
    measure = font_measure()  # the picture's own font
    enlarged = zooms(plan, measure=measure)
    whole = plot_area(zoomed=bool(enlarged))
    px_per_s = whole.width / plan.total_s
    named: set[str] = set()  # every kind of step is named somewhere
    for part in segments(plan):
        own = plan.steps[part.first : part.stop]
        if dense(own, px_per_s):
            continue
        for planned, label in zip(own, part_labels(own, px_per_s, whole.height, measure=measure)):
            if label is not None:
                named.add(step_name(planned))
    for zoom, area in zip(enlarged, zoom_areas(DEFAULT_WIDTH, DEFAULT_HEIGHT, len(enlarged))):
        own = plan.steps[zoom.first : zoom.stop]
        scale = area.width / (own[-1].end_s - own[0].start_s)
        labels = part_labels(own, scale, area.height, timed=True, measure=measure)
        assert None not in labels, (zoom, labels)  # enlarged, every step is named, timed
        named |= {step_name(planned) for planned in own}
    assert {step_name(planned) for planned in plan.steps} <= named


def test_switch_hands_is_named_in_the_thumb_press_picture():
    plan = expand("press", DEFAULTS)
    measure = font_measure()
    whole = plot_area(zoomed=bool(zooms(plan, measure=measure)))
    px_per_s = whole.width / plan.total_s
    labels = part_labels(plan.steps, px_per_s, whole.height, measure=measure)
    switch = next(i for i, p in enumerate(plan.steps) if p.phase == "switch")
    assert labels[switch].words == "switch hands"


@pytest.mark.parametrize(
    ("name", "end"), [("coherent", "4:55"), ("winddown20", "19:57"), ("478", "76 s")]
)
def test_the_time_axis_runs_to_the_end(name, end):
    plan = expand(name, DEFAULTS)
    marks = ticks(plan.total_s)
    assert marks[-1] == (plan.total_s, end)


def test_numbers_are_exact_to_a_hundredth():
    plan = expand("coherent", DEFAULTS)
    assert describe(plan.steps)[0] == ("inhale 5.45 s · exhale 5.45 s, 27 times (5.5 breaths/min)")
    zoom = zooms(plan)[0]
    own = plan.steps[zoom.first : zoom.stop]
    assert [label.words for label in part_labels(own, 100, 100, timed=True)] == [
        "inhale 5.45 s",
        "exhale 5.45 s",
    ]


def test_a_breathe_blocks_hold_is_drawn_and_named(tmp_path):
    held = Program("held", blocks=(Breathe(6, hold_in_s=3, total_s=60),))
    plan = expand("held", {"held": held})
    assert [p.phase for p in plan.steps[:3]] == ["inhale", "hold", "exhale"]
    path = tmp_path / "held.png"
    render_preview(plan, path)
    image = load(path)
    plot = plot_area(zoomed=bool(zooms(plan)))
    hold = plan.steps[1]
    x = time_to_x((hold.start_s + hold.end_s) / 2, plan.total_s, plot.left, plot.width)
    r, g, b = image.getpixel((round(x), round(level_to_y(0.5, plot.top, plot.height))))
    assert r > b + 60 and g > b + 60  # the hold's yellow, not the inhale's orange or the exhale
    assert "hold 3 s" in describe(plan.steps)[0]


@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".png", b"\x89PNG"), (".jpg", b"\xff\xd8\xff"), (".JPEG", b"\xff\xd8\xff")],
)
def test_the_file_holds_the_format_its_name_says(tmp_path, capsys, suffix, magic):
    path = tmp_path / f"box{suffix}"
    assert main(["preview", "box", "-o", str(path)]) == 0
    assert path.read_bytes()[: len(magic)] == magic


@pytest.mark.parametrize("name", ["box.gif", "box", "box.png.txt"])
def test_a_name_of_another_format_is_refused_and_nothing_written(tmp_path, capsys, name):
    assert main(["preview", "box", "-o", str(tmp_path / name)]) == 1
    assert "ending in .png or .jpg" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --- errors a person reads --------------------------------------------------------------------


def test_missing_folder_is_a_clear_error(tmp_path):
    plan = expand("box", LIBRARY)
    with pytest.raises(CalmkitError, match="does not exist"):
        render_preview(plan, tmp_path / "no" / "such" / "box.png")


def test_a_file_where_the_folder_should_be_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(CalmkitError, match="not a folder"):
        render_preview(expand("box", LIBRARY), tmp_path / "file" / "box.png")


def test_a_folder_as_the_output_is_a_clear_error(tmp_path):
    with pytest.raises(CalmkitError, match="is a folder"):
        render_preview(expand("box", LIBRARY), tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder_is_a_clear_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(CalmkitError, match="not writable"):
            render_preview(expand("box", LIBRARY), locked / "box.png")
        assert not (locked / "box.png").exists()
    finally:
        locked.chmod(0o700)


def test_unwritable_folder_is_a_clear_error_even_for_root(tmp_path, monkeypatch):
    # Root may write to a read-only folder, so the permission check is simulated here.
    monkeypatch.setattr("calmkit.faces.preview.os.access", lambda path, mode: False)
    with pytest.raises(CalmkitError, match="not writable"):
        render_preview(expand("box", LIBRARY), tmp_path / "box.png")
    assert not (tmp_path / "box.png").exists()


@pytest.mark.skipif(not os.path.exists("/proc/version"), reason="a Linux /proc is needed")
def test_a_system_folder_that_takes_no_files_is_named_with_the_persons_file(capsys):
    assert main(["preview", "box", "-o", "/proc/version.png"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "calmkit: cannot save the preview to /proc/version.png: the folder /proc does not take "
        "new files; give a file in another folder\n"
    )


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (errno.ENOENT, "the folder {folder} does not take new files"),
        (errno.EROFS, "the folder {folder} does not take new files"),
        (errno.ENOSPC, "the disk holding {folder} is full"),
        (errno.EIO, "input/output error (errno 5)"),
    ],
)
def test_a_failed_write_names_the_persons_file_never_the_temporary_one(
    tmp_path, monkeypatch, code, said
):
    def refuse(path, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr("calmkit.faces.preview.open", refuse, raising=False)
    target = tmp_path / "box.png"
    with pytest.raises(CalmkitError) as caught:
        render_preview(expand("box", LIBRARY), target)
    message = str(caught.value)
    assert message.startswith(f"cannot save the preview to {target}: ")
    assert said.format(folder=tmp_path) in message
    assert "partial" not in message and "Errno" not in message
    assert list(tmp_path.iterdir()) == []


def test_empty_plan_is_a_clear_error(tmp_path):
    with pytest.raises(CalmkitError, match="nothing to draw"):
        render_preview(Plan("empty", ()), tmp_path / "e.png")


# --- pure helpers -----------------------------------------------------------------------------


def test_time_maps_onto_the_plot_width():
    assert time_to_x(0, 240, 64, 1108) == 64
    assert time_to_x(240, 240, 64, 1108) == 64 + 1108
    assert time_to_x(60, 240, 64, 1108) == pytest.approx(64 + 277)
    assert time_to_x(999, 240, 64, 1108) == 64 + 1108  # clamped


def test_levels_map_bottom_up():
    plot = plot_area()
    assert level_to_y(0, plot.top, plot.height) == plot.bottom
    assert plot.top < level_to_y(1, plot.top, plot.height) < level_to_y(0.5, plot.top, plot.height)


@given(st.floats(min_value=5, max_value=4 * 3600))
def test_ticks_number_five_to_twelve(total):
    step = tick_step(total)
    assert step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
    assert MIN_TICKS <= len(ticks(total)) <= MAX_TICKS
    assert all(t <= total for t, _ in ticks(total))


def test_tick_labels_are_seconds_for_short_plans_and_minutes_for_long():
    assert [label for _, label in ticks(76)][:3] == ["0 s", "10 s", "20 s"]
    assert [label for _, label in ticks(480)][:3] == ["0:00", "1:00", "2:00"]
    assert [label for _, label in ticks(4 * 3600)][-2:] == ["3:30:00", "4:00:00"]
    assert [label for _, label in ticks(76.4)][-2:] == ["70 s", "76.4 s"]


def test_box_is_described_as_its_pattern():
    plan = expand("box", LIBRARY)
    assert pattern_text(plan.steps) == "inhale 4 s · hold 4 s · exhale 4 s · hold 4 s, 15 times"
    assert describe(plan.steps)[0].endswith("(3.75 breaths/min)")


def test_ramp_is_described_by_its_rates():
    plan = expand("winddown", LIBRARY)
    found = breaths(plan.steps)
    assert found[0].rate == pytest.approx(11)
    assert found[-1].rate == pytest.approx(6)
    assert "11 slowing to 6 breaths/min, in:out 1:1.5" in describe(plan.steps)


def test_quiet_is_described_in_words():
    plan = expand("quiet", LIBRARY)
    assert describe(plan.steps)[0] == "steady dim light for 4:30, then fading out over 30 s"


def test_strip_names_breathing_steps_all_or_none():
    plan = expand("box", LIBRARY)
    # Pretend only "in" fits: naming inhales but not exhales would mislead, so none are named.
    labels = strip_labels(plan.steps, lambda p: "in" if p.phase == "inhale" else None)
    assert labels == [None] * len(plan.steps)
    blink = Program(
        "blink", blocks=(Steps((Step("blink", 1),), cycles=20), Steps((Step("rest", 10),)))
    )
    steps = expand("blink", {"blink": blink}).steps
    labels = strip_labels(steps, lambda p: "rest" if p.phase == "rest" else None)
    assert labels == [None] * 20 + ["rest"]


def test_a_device_or_pipe_as_the_picture_is_refused_and_left_alone(tmp_path, capsys):
    """`preview box -o /dev/full` said "wrote" (as root it would have replaced the device)."""
    pipe = tmp_path / "pipe.png"
    os.mkfifo(pipe)
    code = main(["preview", "box", "-o", str(pipe)])
    assert code == 1
    assert "that is a device or pipe, not a file" in capsys.readouterr().err
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


@pytest.mark.parametrize("label", ["top-up", ""])
def test_a_sighs_second_inhale_is_named_a_top_up(label):
    sigh = Steps((Step("inhale", 2), Step("inhale", 1, label=label), Step("exhale", 6)), cycles=30)
    plan = expand("sigh", {"sigh": Program("sigh", blocks=(sigh,))})
    zoom = zooms(plan, measure=font_measure())[0]
    own = plan.steps[zoom.first : zoom.stop]
    words = [label.words for label in part_labels(own, 100, 100, timed=True)]
    assert words == ["inhale 2 s", "top-up 1 s", "exhale 6 s"]


def test_a_narrow_picture_names_fewer_ticks_but_always_the_end():
    marks = ticks(240)
    words = spaced(marks, 256 / 240)  # a 320-pixel picture's plot
    assert words[-1] == "4:00" and words[0] == "0:00"
    named = [t for (t, _), w in zip(marks, words) if w]
    assert all((b - a) * 256 / 240 >= 46 for a, b in itertools.pairwise(named))
    assert spaced(marks, 1108 / 240) == [label for _, label in marks]  # wide: all of them


def test_a_short_picture_has_no_room_for_enlarged_cycles(tmp_path):
    plan = expand("box", DEFAULTS)
    assert zooms(plan, 320, 200) == [] and zooms(plan)
    render_preview(plan, tmp_path / "small.png", width=320, height=200)
    assert load(tmp_path / "small.png").size == (320, 200)
