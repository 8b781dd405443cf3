"""The window's screens as a person meets them: words read back with OCR, the lamp's size,
the contrast of the text, the font, the layout at 480×640 and resized.

The screens are made as docs/make_pictures.py makes the README's (calmkit.faces.sim.scenes): a
calmkit on mock pins and the fake clock, pressed through the button's mock pin.
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import dataclasses
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path

import pygame
import pygame.freetype
import pytest

from calmkit.core.flow_table import State
from calmkit.faces.sim import paint
from calmkit.faces.sim.paint import BACKGROUND, TEXT_COLOURS, Layout, contrast, lamp_radius
from calmkit.faces.sim.scenes import SCENES, Scene, shoot

ROOT = Path(__file__).resolve().parents[2]
TESSERACT = shutil.which("tesseract")
needs_ocr = pytest.mark.skipif(
    TESSERACT is None,
    reason="tesseract is not installed (Debian: apt-get install tesseract-ocr; .ci/run does)",
)


def read_words(surface, top: int = 0, bottom: int | None = None) -> str:
    """The words a person reads in a band of the screen: OCR on it, grey and inverted (dark
    text on light is what tesseract reads best), as one line of words."""
    w, h = surface.get_size()
    band = surface.subsurface((0, top, w, (bottom or h) - top)).copy()
    grey = pygame.transform.grayscale(band)
    light = pygame.Surface(grey.get_size())
    light.fill((255, 255, 255))
    light.blit(grey, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "screen.png"
        pygame.image.save(light, str(path))
        done = subprocess.run(
            [TESSERACT, str(path), "-", "--psm", "6"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    return " ".join(done.stdout.split())


def top_words(scene: str) -> tuple[object, str]:
    view, surface = shoot(SCENES[scene])
    layout = Layout.for_size(surface.get_size())
    return view, read_words(surface, 0, layout.lamp[1] - layout.ring_r)


@needs_ocr
def test_a_person_reads_breathe_in_during_an_inhale():
    view, words = top_words("breathe-in")
    assert view.phase == "inhale"
    assert "Breathe in" in words and "inhale" not in words


@needs_ocr
def test_paused_reads_as_one_word():
    _, words = top_words("paused")
    assert "Paused" in words.split() and "Press to go on" in words


@needs_ocr
def test_the_ground_count_and_the_missing_sound_device_are_read():
    _, words = top_words("ground")
    assert "Name 5 things you can see: 2 of 5" in words
    _, words = top_words("no-sound")
    assert "sound device" in words and "sound on" not in words


@needs_ocr
def test_in_german_the_window_says_einatmen():
    view, words = top_words("german")
    assert view.language == "de" and "Einatmen" in words


def test_text_colours_have_at_least_4_5_to_1_contrast_with_the_background():
    for colour in TEXT_COLOURS:
        assert contrast(colour, BACKGROUND) >= 4.5, colour
    assert contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast(paint.FAINT, BACKGROUND) < 4.5  # which is why FAINT draws no words


def test_the_bundled_font_and_its_licence_ship_in_the_wheel():
    assert paint.FONT_PATH.is_file() and paint.FONT_PATH.suffix == ".ttf"
    licence = paint.FONT_PATH.with_name("OFL.txt").read_text()
    assert "SIL Open Font License, Version 1.1" in licence
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = data["package-data"]["calmkit.faces"]
    faces = paint.FONT_PATH.parents[2]
    for pattern in shipped:
        assert list(faces.glob(pattern)), pattern
    assert {"screen-data/fonts/*.ttf", "screen-data/fonts/OFL.txt"} <= set(shipped)
    assert any(p.startswith("screen-data/locale/") for p in shipped)
    pygame.freetype.init()
    assert pygame.freetype.Font(str(paint.FONT_PATH), 20).name == "Lato"
    assert paint._font(pygame, 20).path == str(paint.FONT_PATH)  # the window uses it


def lit_width(surface, layout) -> int:
    """How wide the lit lamp is across its middle: pixels clearly brighter than its body."""
    cx, cy = layout.lamp
    row = [surface.get_at((x, cy)) for x in range(cx - layout.ring_r, cx + layout.ring_r)]
    return sum(1 for px in row if px.r > 90)


def test_the_lamp_grows_on_the_inhale_holds_still_on_a_hold_and_shrinks_on_the_exhale():
    # box: in 0-4, hold 4-8, out 8-12
    sizes, widths = {}, {}
    for t in (1.0, 2.5, 3.9, 5.0, 7.0, 9.0, 11.0):
        view, surface = shoot(Scene(t, "box"))
        layout = Layout.for_size(surface.get_size())
        sizes[t] = lamp_radius(view, layout)
        widths[t] = lit_width(surface, layout)
    assert sizes[1.0] < sizes[2.5] < sizes[3.9]
    assert sizes[5.0] == sizes[7.0] >= sizes[3.9]
    assert sizes[9.0] > sizes[11.0]
    assert widths[1.0] < widths[2.5] < widths[5.0]  # on screen, not only in the numbers
    assert widths[5.0] == widths[7.0]
    assert widths[9.0] > widths[11.0]


def test_at_night_the_lamp_grows_as_far_against_its_cap():
    day, _ = shoot(Scene(6.0, "box"))
    night, _ = shoot(Scene(6.0, "box", wall=SCENES["night"].wall))
    # as far, to within one of the lamp's PWM steps against the night cap (1/1024 of 0.3)
    assert night.level < day.level
    assert night.size_share == pytest.approx(day.size_share, abs=1 / 1024 / 0.3 + 1e-9)


def test_elapsed_and_the_countdown_add_up_on_screen():
    """5.6 s into box: a hold that ends at 8 s says 0:05 and 3 s (not 0:06 beside 3 s)."""
    view, _ = shoot(Scene(5.6, "box"))
    assert (view.progress(), view.countdown()) == ("0:05 of 4:00", "3 s")
    quiet, _ = shoot(SCENES["quiet"])  # quiet's countdown is the session's: 0:11 + 4:49 = 5:00
    assert (quiet.progress(), quiet.countdown()) == ("0:11 of 5:00", "4:49 left")


def test_the_quiet_offer_says_the_length_of_the_quiet_time_a_press_starts():
    config = "programs:\n  quiet:\n    quiet: {minutes: 2}\n"
    offer, _ = shoot(dataclasses.replace(SCENES["offer"], config=config))
    assert offer.state == State.OFFER_QUIET
    assert offer.subline() == "2 minutes of dim, steady light, to rest with your thoughts."
    german, _ = shoot(dataclasses.replace(SCENES["offer"], config=config + "language: de\n"))
    assert german.subline().startswith("2 Minuten sanftes, ruhiges Licht")


def test_after_a_session_done_then_the_offer_then_the_question_then_thanks():
    done, _ = shoot(SCENES["done"])
    assert done.state == State.OFFER_QUIET and done.headline() == "Well done"
    offer, _ = shoot(SCENES["offer"])
    assert offer.headline() == "Quiet time?" and "rest with your thoughts" in offer.subline()
    assert offer.details() == "Skips in 14 s"  # the offer waits 20 s from 76 s: 82 s -> 14 s
    assert offer.subline().startswith("5 minutes of dim, steady light")  # quiet as packaged
    ask, _ = shoot(SCENES["ask"])
    assert ask.headline() == "Did that help?" and ask.details().startswith("Skips in")
    thanks, _ = shoot(SCENES["thanks"])
    assert thanks.state == State.IDLE and thanks.headline() == "Glad it helped"
    later, _ = shoot(dataclasses.replace(SCENES["thanks"], at=100.0))
    assert later.headline() == "calm"  # the thank-you goes after a while


def test_the_reach_out_message_is_shown_as_text():
    view, _ = shoot(SCENES["reach-out"])
    assert view.reach_out_text().startswith("You have reached for calm a lot today")
    plain, _ = shoot(SCENES["thanks"])
    assert plain.reach_out_text() == ""


def test_idle_names_the_selected_program_and_a_double_press_changes_it():
    idle, _ = shoot(SCENES["idle"])
    assert (idle.headline(), idle.details()) == ("calm", "8:24 long · program 1 of 10")
    menu, _ = shoot(SCENES["menu"])
    assert menu.headline() == "cyclic sigh" and menu.subline().startswith("Cyclic sighing")
    assert menu.details() == "4:57 long · program 2 of 10"


def test_the_night_cap_and_the_sound_are_said_truthfully():
    night, _ = shoot(SCENES["night"])
    assert night.night_words() == "Night: lamp at most 30 %, sound softer"
    day, _ = shoot(SCENES["breathe-in"])
    assert day.night_words() == "" and day.sound_words() == "sound off"  # a run without sound


def test_the_chart_is_drawn_only_when_asked_for():
    _, with_chart = shoot(SCENES["chart"])
    _, without = shoot(dataclasses.replace(SCENES["chart"], view={}))
    x, y, w, h = Layout.for_size(with_chart.get_size()).strip
    band = (x + w // 2, y + h // 2)
    assert with_chart.get_at(band)[:3] != BACKGROUND and without.get_at(band)[:3] == BACKGROUND


@pytest.mark.parametrize("size", [(480, 640), (320, 480), (900, 560), (1280, 800)])
def test_every_screen_fits_small_and_wide_windows(size):
    for name in ("ground", "offer", "reach-out"):
        _, surface = shoot(dataclasses.replace(SCENES[name], size=size))
        assert surface.get_size() == size
        layout = Layout.for_size(size)
        assert layout.lamp[1] + layout.ring_r < layout.button[1] - layout.button_r
        assert layout.strip[1] + layout.strip[3] < size[1]


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_every_hint_fits_a_480_wide_window_without_shrinking(language):
    """The hint's parts are packed onto lines that fit, so no line is drawn in smaller type."""
    from calmkit.core.flow_table import Mode
    from calmkit.faces.words import hint_text, words_for

    layout = Layout.for_size((480, 640))
    size, fit = round(layout.unit * 0.95), layout.width - 2 * layout.unit
    values = {"program": "coherent", "next": "quiet time instead"}
    for mode in Mode:
        words = hint_text(words_for(language), mode, values)
        lines = paint.hint_lines(pygame, words, size, fit)
        assert " · ".join(lines) == words and len(lines) <= 3, (mode, lines)
        widths = [paint._font(pygame, size).get_rect(line).width for line in lines]
        assert max(widths) <= fit or len(words.split(" · ")) == len(lines), (mode, lines)


@pytest.mark.parametrize(
    ("name", "language", "size"),
    [
        ("reach-out", "de", (480, 640)),
        ("reach-out", "en", (320, 480)),
        ("ground", "de", (480, 640)),
        ("press-left", "fr", (480, 640)),
        ("offer", "es", (900, 560)),
    ],
)
def test_the_words_never_run_into_the_lamp(name, language, size):
    """However long the words are in a language, they stop above the lamp: drawn with the lamp
    dark and no motor, every row from the lamp's top down is background beside its body."""
    scene = SCENES[name]
    config = f"language: {language}\n" + scene.config
    dark = {"light": (0.0,), "motor": None}
    _, surface = shoot(dataclasses.replace(scene, config=config, size=size, view=dark))
    layout = Layout.for_size(size)
    cx, cy = layout.lamp
    ring_top = cy - layout.ring_r  # where the ring would be: the words stop above it
    side = [x for x in range(size[0]) if abs(x - cx) > layout.lamp_r + 1]
    for y in range(ring_top, cy):
        row = [x for x in side if surface.get_at((x, y))[:3] != BACKGROUND]
        assert not row, (y, row[:5])


def test_a_blink_rest_counts_down_its_own_ten_seconds_quiet_times_fade_the_sessions():
    rest, _ = shoot(Scene(25.0, "blink"))  # blink: 20 cues, then a 10 s rest (20-30 s)
    assert (rest.headline(), rest.countdown()) == ("Rest", "5 s")
    fading, _ = shoot(Scene(285.0, "quiet"))  # quiet's last 30 s fade out
    assert (fading.headline(), fading.countdown()) == ("Rest, as the light fades out", "15 s left")


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.parametrize("size", [(320, 480), (480, 640), (900, 560)])
def test_a_long_description_never_runs_over_the_lamp(monkeypatch, size):
    """80 words of a program's own description: cut short with an ellipsis above the lamp,
    the length and the place in the menu still shown, no text in the lamp's square."""
    words = ("a long description that says everything about breathing slowly " * 10).split()
    view = dataclasses.replace(
        shoot(SCENES["idle"])[0],
        program="mine",
        description=" ".join(words[:80]),
        length=8.0,
        number=11,
        menu_size=11,
        motor=0.0,
    )
    drawn: list[tuple[str, tuple[int, int, int, int]]] = []
    original = paint.text

    def recording(pg, surface, words, *args, **kwargs):
        rect = original(pg, surface, words, *args, **kwargs)
        if rect is not None:
            drawn.append((words, (rect.x, rect.y, rect.w, rect.h)))
        return rect

    monkeypatch.setattr(paint, "text", recording)
    surface = pygame.Surface(size)
    layout = paint.draw(surface, view)
    lamp = paint.lamp_rect(layout)
    assert [words for words, rect in drawn if _overlaps(rect, lamp)] == []
    said = [words for words, _ in drawn]
    assert "0:08 long · program 11 of 11" in said
    assert any(words.endswith("…") for words in said)


def test_a_line_never_breaks_at_a_no_break_space():
    french = "Nommez 5 choses que vous voyez\u00a0: 2 sur 5"
    for fit in (60, 120, 200):
        lines = paint.wrap(pygame, french, 20, fit)
        assert " ".join(lines) == french  # the no-break space kept, not made a plain one
        assert not any(line.startswith(":") for line in lines)


def test_a_four_second_hold_in_idle_shows_the_safety_plan_in_place_of_the_lamp():
    """Issue 16: the plan, asked for by a hold that cannot happen by accident, is shown (read
    aloud too where there is a voice); the lamp steps aside for it."""
    view, surface = shoot(SCENES["plan"])
    assert view.state == State.IDLE
    assert view.plan.splitlines()[0] == "My safety plan"
    assert "Alex 07700 900123" in view.plan
    lamp = paint.lamp_rect(Layout.for_size(surface.get_size()))
    body = surface.get_at((lamp[0] + lamp[2] // 2, lamp[1] + lamp[3] // 2))[:3]
    assert body == BACKGROUND  # no lamp drawn under the plan
    later, _ = shoot(dataclasses.replace(SCENES["plan"], at=130.0))
    assert later.plan == ""  # two minutes on, the usual screen is back


@needs_ocr
def test_a_person_reads_their_safety_plan_on_the_screen():
    _view, surface = shoot(SCENES["plan"])
    words = read_words(surface, 0, surface.get_height() // 2)
    assert "My safety plan" in words and "07700 900123" in words


def test_with_adaptive_on_idle_says_what_a_press_starts_and_why():
    view, _ = shoot(Scene(1.0, config="adaptive: {enabled: true}\n"))
    assert view.why.startswith("calm: ")
    plain, _ = shoot(Scene(1.0))
    assert plain.why == ""  # off: no line that says nothing
