"""The words on screen: one module for window and terminal, in the person's language."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

from calmkit.config import parse_config
from calmkit.core.flow_table import ROWS, TIMEOUTS, Mode, hint
from calmkit.faces import words as w
from calmkit.faces.words import hint_text, phase_short, phase_text, words_for

LOCALE = w.LOCALE_DIR
WORDS_PY = Path(w.__file__).resolve()


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (the simple form calmkit's catalogs use), header left out."""
    entries: dict[str, str] = {}
    key: str | None = None
    current: list[str] = []
    msgid = ""

    def unquote(text: str) -> str:
        return ast.literal_eval(text)

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            if key == "msgstr":
                entries[msgid] = "".join(current)
            key, current = "msgid", [unquote(line[6:])]
        elif line.startswith("msgstr "):
            msgid = "".join(current)
            key, current = "msgstr", [unquote(line[7:])]
        elif line.startswith('"') and key is not None:
            current.append(unquote(line))
        elif not line.strip() and key == "msgstr":
            entries[msgid] = "".join(current)
            key = None
    entries.pop("", None)
    return entries


def messages() -> list[str]:
    """Every message the words module can show: its N_() and words() strings, the packaged
    programs' descriptions and the reach-out message."""
    found: list[str] = []
    for node in ast.walk(ast.parse(WORDS_PY.read_text())):
        called = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if called and node.func.id in ("N_", "words") and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append(arg.value)
    config = parse_config("", "defaults")
    found += [p.description for p in config.programs.values() if p.description]
    found.append(config.reach_out.message.strip())
    return list(dict.fromkeys(found))


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/calmkit.po"))


def test_every_language_of_the_config_has_a_catalog_and_english_needs_none():
    have = {path.parts[-3] for path in catalogs()}
    assert have == set(w.LANGUAGES) - {"en"}


@pytest.mark.parametrize("po", catalogs(), ids=lambda p: p.parts[-3])
def test_the_compiled_mo_says_what_the_po_says(po):
    with open(po.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = {k: v for k, v in compiled._catalog.items() if k}
    written = {k: v for k, v in read_po(po).items() if v}  # msgfmt leaves out the empty ones
    assert catalog == written


@pytest.mark.parametrize("po", catalogs(), ids=lambda p: p.parts[-3])
def test_every_catalog_lists_every_message_and_keeps_the_placeholders(po):
    entries = read_po(po)
    assert set(messages()) <= set(entries)
    for msgid, msgstr in entries.items():
        if msgstr:
            assert set(re.findall(r"{\w+}", msgstr)) == set(re.findall(r"{\w+}", msgid)), msgid


@pytest.mark.parametrize("po", catalogs(), ids=lambda p: p.parts[-3])
def test_every_catalog_is_complete(po):
    """German is checked; French and Spanish mark the translations a native speaker should
    check with an "unsure" comment."""
    entries = read_po(po)
    assert [m for m in messages() if not entries.get(m)] == []


def test_the_words_say_each_phase_plainly_in_english():
    en = words_for("en")
    assert phase_text(en, "inhale") == "Breathe in"
    assert phase_text(en, "hold") == "Hold"
    assert phase_text(en, "exhale") == "Breathe out"
    assert phase_text(en, "inhale", "top-up") == "Breathe in a little more"
    assert phase_text(en, "blink") == "Blink with the light"
    assert phase_text(en, "press", "left hand") == (
        "Squeeze between thumb and forefinger: left hand"
    )
    assert phase_text(en, "switch", "switch hands") == "Switch hands"
    assert phase_text(en, "prompt", "see", 5, 2) == "Name 5 things you can see: 2 of 5"
    assert phase_text(en, "prompt", "taste", 1, 0) == "Name one thing you can taste"
    assert phase_text(en, "quiet") == "Quiet time: just rest"
    assert phase_short(en, "prompt", "see", 5, 2) == "see 2 of 5"
    assert phase_text(en, "inhale", "slow") == "Breathe in (slow)"  # a label of one's own


def test_german_words_and_a_missing_language_or_message_falls_back_to_english():
    de = words_for("de")
    assert phase_text(de, "inhale") == "Einatmen"
    assert phase_text(de, "prompt", "see", 5, 2) == "Nenne 5 Dinge, die du sehen kannst: 2 von 5"
    assert de(w.PAUSED) == "Pausiert"
    assert de("a program's own words") == "a program's own words"  # never a key
    assert words_for("xx")(w.PAUSED) == "Paused"
    # a program of the person's own: its description has no translation and shows as written
    fr = words_for("fr")
    assert fr(w.PAUSED) == "En pause"
    assert fr("my evening breaths") == "my evening breaths"


def test_the_hint_is_the_flow_tables_rows_in_words():
    en = words_for("en")
    for mode in Mode:
        values = {"program": "box", "next": "try ground"}
        named = {"program": "box breathing", "next": "try grounding"}
        english = hint(mode, named).replace("double:", "double press:")
        assert hint_text(en, mode, values) == english
    de = hint_text(words_for("de"), Mode.SESSION, {"program": "box", "next": "try ground"})
    assert de == "drücken: Pause · doppelt drücken: beenden · halten: hilft nicht, Erdung versuchen"


def test_programs_are_named_plainly_and_a_persons_own_by_its_own_name():
    en, fr = words_for("en"), words_for("fr")
    assert w.program_name(en, "press") == "thumb press"
    assert w.program_name(en, "sigh") == "cyclic sigh"
    assert w.program_name(fr, "press") == "pression du pouce"
    assert w.program_name(en, "mine") == "mine"
    changed = parse_config("programs:\n  box:\n    steps: [{inhale: 5}, {exhale: 5}]\n").programs
    assert w.program_name(en, "box", changed) == "box"  # their box: not box breathing
    assert w.program_name(en, "ground", changed) == "grounding"  # as packaged
    hint_fr = hint_text(fr, Mode.PROMPT, {"next": "try press"})
    assert "essayer press ·" not in hint_fr and "essayer pression du pouce ·" in hint_fr
    assert "\u00a0: " in hint_fr and " : " not in hint_fr.replace("\u00a0: ", "")


def test_the_quiet_offer_says_the_real_length():
    en, de = words_for("en"), words_for("de")
    assert w.offer_text(en, 120.0) == "2 minutes of dim, steady light, to rest with your thoughts."
    assert w.offer_text(en, 300.0).startswith("5 minutes of")
    assert w.offer_text(en, 60.0).startswith("One minute of")
    assert w.offer_text(en, 150.0).startswith("2:30 of")
    assert w.offer_text(en, None) == "Dim, steady light, to rest with your thoughts."
    assert w.offer_text(de, 120.0).startswith("2 Minuten sanftes")


def test_every_row_and_timeout_of_the_flow_table_has_its_message():
    listed = set(messages())
    for row in (row for row in ROWS if row.shown):  # the rows a hint shows
        assert row.means in listed and (not row.word or row.word in listed)
    assert all(timeout.means in listed for timeout in TIMEOUTS.values())


def test_the_sound_and_the_night_in_words():
    en = words_for("en")
    assert w.sound_status(en, "no_device", muted=False) == "no sound device"
    assert w.sound_status(en, "off", muted=True) == "sound off"
    assert w.sound_status(en, "on", muted=True) == "muted"
    assert w.sound_status(en, "on", muted=False) == "sound on"
    assert w.night_text(en, 0.3, 0.5) == "Night: lamp at most 30 %, sound softer"
    assert w.night_text(en, 0.3, 1.0) == "Night: lamp at most 30 %"
    assert w.night_text(en, None, None) == ""
