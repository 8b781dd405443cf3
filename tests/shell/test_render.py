"""`calmkit voices render`: every prompt spoken by an engine, shaped like the packaged prompts
(peak -14 dBFS, a fade in), installed as a pack with its manifest; a prompt longer than its step
is reported; a failing engine is one clear error and leaves the pack that was there."""

from __future__ import annotations

import array
import os
import re
import shutil
import stat
import sys
import textwrap
import wave
from pathlib import Path

import pytest

from calmkit.config import load_config
from calmkit.core.errors import CalmkitError, UsageError
from calmkit.core.prompts import SPOKEN
from calmkit.shell import render, texts, voices, wavs

PACKAGED = Path(__file__).resolve().parents[2] / "sounds"
ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed (sudo apt install espeak-ng; .ci/run does)"
)
PIPER = render.find_engine("piper").program
needs_piper = pytest.mark.skipif(
    PIPER is None,
    reason="piper is not installed (pip install 'calmkit[piper]', or set CALMKIT_PIPER to it)",
)


def samples(path: Path) -> array.array:
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, wavs.RATE)
        data = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()
    return data


def check_normalised_and_fading_in(path: Path) -> None:
    data = samples(path)
    peak = max(abs(s) for s in data)
    assert wavs.peak_dbfs([peak / wavs.FULL]) == pytest.approx(wavs.VOICE_DB, abs=0.1), path.name
    ms = wavs.RATE // 1000
    assert abs(data[0]) <= 0.01 * peak, f"{path.name} starts with a click"
    assert max(abs(s) for s in data[: 10 * ms]) <= 0.5 * peak, f"{path.name} starts suddenly"
    assert max(abs(s) for s in data[-ms:]) <= 0.02 * peak, f"{path.name} ends with a click"


@pytest.fixture(scope="session")
def german(tmp_path_factory) -> render.Rendered:
    """One full German pack for the session (espeak-ng renders all 23 in about 2 s)."""
    if ESPEAK is None:
        pytest.skip("espeak-ng is not installed (sudo apt install espeak-ng; .ci/run does)")
    return render.render("de", into=tmp_path_factory.mktemp("packs"))


@needs_espeak
def test_a_german_pack_has_every_prompt_at_the_packaged_level_fading_in(german):
    pack = german.pack
    assert pack.name == "de-espeak-ng"
    assert pack.missing() == []
    assert sorted(p.stem for p in pack.folder.glob("*.wav")) == sorted(SPOKEN)
    for name in SPOKEN:
        check_normalised_and_fading_in(pack.folder / f"{name}.wav")


@needs_espeak
def test_the_german_pack_is_not_the_english_one(german):
    different = [
        n
        for n in SPOKEN
        if samples(german.pack.folder / f"{n}.wav") != samples(PACKAGED / f"{n}.wav")
    ]
    assert different == list(SPOKEN)
    lengths = {n: wavs.seconds(german.pack.folder / f"{n}.wav") for n in SPOKEN}
    english = {n: wavs.seconds(PACKAGED / f"{n}.wav") for n in SPOKEN}
    assert sum(abs(lengths[n] - english[n]) > 0.05 for n in SPOKEN) >= len(SPOKEN) // 2


@needs_espeak
def test_the_manifest_says_what_made_the_pack(german):
    pack = voices.read_pack(german.pack.folder)
    words = texts.load("de")
    assert (pack.language, pack.engine, pack.voice) == ("de", "espeak-ng", "de+f3")
    assert (pack.texts_version, pack.texts_hash) == (words.version, words.digest)
    assert set(pack.lengths) == set(SPOKEN)
    assert not voices.stale(pack)


@needs_espeak
def test_rendering_a_few_prompts_with_another_voice_names_the_pack_after_it(tmp_path):
    done = render.render("fr", voice="fr+m2", into=tmp_path, names=["say_paused", "name_box"])
    assert done.pack.name == "fr-espeak-ng-fr+m2"
    assert sorted(done.pack.lengths) == ["name_box", "say_paused"]
    for name in done.pack.lengths:
        check_normalised_and_fading_in(done.pack.folder / f"{name}.wav")


def test_a_prompt_longer_than_its_step_is_reported():
    programs = load_config(None).programs
    lengths = {"say_switch_hands": 6.5, "say_ground_see": 12.0, "say_paused": 30.0}
    (line,) = render.too_long(lengths, programs)
    assert line.startswith("say_switch_hands lasts 6.5 s, longer than the 4 s switch step")
    assert "'press'" in line
    assert render.too_long({"say_switch_hands": 3.9}, programs) == []


def test_a_question_longer_than_the_wait_for_its_answer_is_reported():
    waits = render.answer_waits(load_config(None).flow)  # 20 s and 30 s
    lengths = {"say_quiet_offer": 21.0, "say_did_it_help": 29.0}
    assert render.too_long(lengths, None, waits) == [
        "say_quiet_offer lasts 21.0 s, longer than the 20 s the box waits for its answer "
        "(flow.quiet_offer_s): shorten it or raise flow.quiet_offer_s"
    ]


@needs_espeak
def test_no_prompt_of_the_german_pack_outlasts_its_step(german):
    assert render.too_long(german.pack.lengths, load_config(None).programs) == []


def fake_program(folder: Path, name: str, body: str) -> Path:
    """A stand-in for an engine: a Python script on its own PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_a_failing_engine_is_one_clear_error_and_the_old_pack_stays(tmp_path):
    bin_dir = tmp_path / "bin"
    fake_program(
        bin_dir, "espeak-ng", "import sys\nprint('no voice de+f3', file=sys.stderr)\nsys.exit(1)\n"
    )
    old = tmp_path / "packs" / "de-espeak-ng"
    old.mkdir(parents=True)
    voices.write_manifest(old, language="de", engine="espeak-ng", voice="old")
    with pytest.raises(CalmkitError) as caught:
        render.render("de", into=tmp_path / "packs", environ={"PATH": str(bin_dir)})
    assert str(caught.value) == "espeak-ng: espeak-ng failed (exit 1): no voice de+f3"
    assert voices.read_pack(old).voice == "old"
    assert [p.name for p in (tmp_path / "packs").iterdir()] == ["de-espeak-ng"]


def test_a_missing_engine_says_how_to_install_it(tmp_path):
    with pytest.raises(CalmkitError, match=r"espeak-ng is not installed\. Fix: sudo apt install"):
        render.render("de", into=tmp_path, environ={"PATH": str(tmp_path)})
    with pytest.raises(UsageError, match="no voice engine 'festival'"):
        render.render("de", "festival", into=tmp_path)
    with pytest.raises(UsageError, match="no words for the language 'it'"):
        render.render("it", into=tmp_path)


FAKE_PIPER = """
import array, math, sys, time, wave
from pathlib import Path
args = sys.argv[1:]
lines = [l for l in Path(args[args.index("-i") + 1]).read_text().splitlines() if l.strip()]
out = Path(args[args.index("-d") + 1])
out.mkdir(parents=True, exist_ok=True)
assert args[args.index("-m") + 1].endswith(".onnx")
for number, line in enumerate(lines):
    n = 16000 * (1 + number % 3) // 2  # 0.5, 1 or 1.5 s at Piper's low-quality rate
    data = array.array("h", (int(9000 * math.sin(i * 0.07)) for i in range(n)))
    with wave.open(str(out / f"{time.monotonic_ns()}.wav"), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
        w.writeframes(data.tobytes())
"""


def test_the_piper_path_runs_piper_once_with_a_model_file(tmp_path):
    piper = fake_program(tmp_path / "bin", "piper", FAKE_PIPER)
    model = tmp_path / "de_DE-kerstin-low.onnx"
    model.write_bytes(b"model")
    Path(f"{model}.json").write_text("{}")
    names = ["say_paused", "say_release", "name_box"]
    done = render.render(
        "de",
        "piper",
        str(model),
        into=tmp_path / "packs",
        names=names,
        environ={"CALMKIT_PIPER": str(piper)},
    )
    assert done.pack.name == "de-piper-de_DE-kerstin-low"
    assert (done.pack.engine, done.pack.voice) == ("piper", "de_DE-kerstin-low")
    # In the lines' order (their lengths tell them apart), resampled to 22050 Hz and shaped.
    lengths = [done.pack.lengths[n] for n in names]
    assert lengths[0] < lengths[1] < lengths[2]
    for name in names:
        check_normalised_and_fading_in(done.pack.folder / f"{name}.wav")


def test_a_piper_voice_must_be_a_model_file_with_its_config(tmp_path):
    piper = tmp_path / "piper"
    with pytest.raises(UsageError, match="does not exist"):
        render.piper_model(piper, str(tmp_path / "none.onnx"))
    (tmp_path / "x.onnx").write_bytes(b"")
    with pytest.raises(UsageError, match=r"has no x\.onnx\.json beside it"):
        render.piper_model(piper, str(tmp_path / "x.onnx"))
    with pytest.raises(UsageError, match=r"model files: --voice FILE\.onnx"):
        render.piper_model(piper, "thorsten")
    with pytest.raises(UsageError, match="'joe' is not installed beside piper"):
        render.piper_model(piper, None)


@needs_piper
def test_piper_renders_a_natural_english_prompt_at_the_packaged_level(tmp_path):
    done = render.render("en", "piper", into=tmp_path, names=["say_paused", "say_release"])
    assert done.pack.name == "en-piper-joe"
    for name in ("say_paused", "say_release"):
        check_normalised_and_fading_in(done.pack.folder / f"{name}.wav")
        assert samples(done.pack.folder / f"{name}.wav") != samples(PACKAGED / f"{name}.wav")


def test_a_pack_folder_that_cannot_be_written_is_one_clear_error(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    if ESPEAK is None:
        pytest.skip("espeak-ng is not installed")
    with pytest.raises(CalmkitError, match=r"cannot write voice packs to .*--into DIR"):
        render.render("de", into=blocked / "packs", names=["say_paused"])
    assert os.listdir(tmp_path) == ["file"]


DOCS_PACK = Path(__file__).resolve().parents[2] / "docs" / "voices" / "en-piper-joe"


def test_the_committed_piper_pack_is_complete_at_the_level_and_from_todays_words():
    """docs/voices/en-piper-joe, rendered with Piper (bench/results.md): usable as it is."""
    pack = voices.read_pack(DOCS_PACK)
    assert (pack.language, pack.engine, pack.voice) == ("en", "piper", "joe")
    assert pack.missing() == []
    assert not voices.stale(pack), "the English words changed: render the pack again"
    for name in SPOKEN:
        check_normalised_and_fading_in(DOCS_PACK / f"{name}.wav")
        assert samples(DOCS_PACK / f"{name}.wav") != samples(PACKAGED / f"{name}.wav")
    assert render.too_long(pack.lengths, load_config(None).programs) == []


def test_ci_installs_the_engines_these_tests_need():
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text()
    assert "need+=(espeak-ng)" in ci and "need+=(sox)" in ci


def test_the_python_that_runs_piper_is_read_from_its_first_line(tmp_path):
    script = fake_program(tmp_path / "pipx", "piper", "print('hi')\n")
    assert render._interpreter(script) == Path(sys.executable)
    bare = tmp_path / "bin" / "piper"
    bare.parent.mkdir()
    bare.write_bytes(b"\x7fELF")
    assert render._interpreter(bare) == tmp_path / "bin" / "python"


def test_an_engine_that_says_nothing_is_one_clear_error(tmp_path):
    bin_dir = tmp_path / "bin"
    fake_program(
        bin_dir,
        "espeak-ng",
        """
        import sys, wave
        with wave.open(sys.argv[sys.argv.index("-w") + 1], "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)
            w.writeframes(bytes(4410))
        """,
    )
    with pytest.raises(CalmkitError) as caught:
        render.render("de", into=tmp_path / "packs", environ={"PATH": str(bin_dir)})
    assert str(caught.value) == (
        "espeak-ng (de+f3) said nothing for say_ground_see ('Nenne fünf Dinge, die du sehen "
        "kannst.'). Fix: choose another --voice"
    )
    assert list((tmp_path / "packs").iterdir()) == []


def test_a_bad_pack_name_is_refused_before_anything_is_spoken(tmp_path):
    with pytest.raises(UsageError, match="not a pack name"):
        render.render("de", name="../up", into=tmp_path, environ={"PATH": str(tmp_path)})


def test_a_render_never_replaces_recordings_or_a_pack_of_another_language(tmp_path):
    """A person's own recordings are not made again: a render over them would lose them."""
    packs = tmp_path / "packs"
    mum = packs / "mum"
    mum.mkdir(parents=True)
    (mum / "say_paused.wav").write_bytes(b"her voice")
    voices.write_manifest(mum, language="de", engine="own", voice="own recordings")
    nowhere = {"PATH": str(tmp_path)}  # refused before any engine is looked for
    with pytest.raises(UsageError) as refused:
        render.render("de", name="mum", into=packs, environ=nowhere)
    assert str(refused.value) == (
        "--name mum is the voice pack mum (de; own recordings): a render would replace those "
        "recordings. Fix: choose another --name, e.g. --name de-espeak-ng"
    )
    french = packs / "fr-espeak-ng"
    french.mkdir()
    voices.write_manifest(french, language="fr", engine="espeak-ng", voice="fr+f3")
    with pytest.raises(UsageError, match=r"\(fr; made by espeak-ng, fr\+f3\), not de\. Fix"):
        render.render("de", name="fr-espeak-ng", into=packs, environ=nowhere)
    assert (mum / "say_paused.wav").read_bytes() == b"her voice"
    with pytest.raises(CalmkitError, match="espeak-ng is not installed"):  # a render again: fine
        render.render("fr", name="fr-espeak-ng", into=packs, environ=nowhere)


def test_a_piper_voice_that_is_a_fifo_or_a_folder_is_refused_unopened(tmp_path):
    piper = tmp_path / "piper"
    os.mkfifo(tmp_path / "fifo.onnx")  # piper would wait on it for ever
    (tmp_path / "dir.onnx").mkdir()
    (tmp_path / "x.onnx").write_bytes(b"")
    os.mkfifo(tmp_path / "x.onnx.json")
    (tmp_path / "link.onnx").symlink_to(tmp_path / "fifo.onnx")
    for name, kind in [("fifo", "a named pipe (FIFO)"), ("dir", "a folder"), ("link", "a named")]:
        with pytest.raises(UsageError, match=rf"voice model .*{name}\.onnx is {re.escape(kind)}"):
            render.piper_model(piper, str(tmp_path / f"{name}.onnx"))
    with pytest.raises(UsageError, match=r"model's config .*x\.onnx\.json is a named pipe"):
        render.piper_model(piper, str(tmp_path / "x.onnx"))


def test_an_engine_that_writes_no_wav_is_one_clear_error(tmp_path):
    bin_dir = tmp_path / "bin"
    fake_program(
        bin_dir,
        "espeak-ng",
        """
        import sys
        open(sys.argv[sys.argv.index("-w") + 1], "wb").write(b"RIFF....WAVEjunk")
        """,
    )
    with pytest.raises(CalmkitError) as caught:
        render.render("de", into=tmp_path / "packs", environ={"PATH": str(bin_dir)})
    assert str(caught.value).startswith("espeak-ng wrote a sound calmkit cannot read (it ")


def test_into_a_file_says_it_is_not_a_folder(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    bin_dir = tmp_path / "bin"
    fake_program(
        bin_dir,
        "espeak-ng",
        """
        import math, sys, wave
        with wave.open(sys.argv[sys.argv.index("-w") + 1], "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)
            w.writeframes(b"".join(int(9000 * math.sin(i / 9)).to_bytes(2, "little", signed=True)
                                   for i in range(4410)))
        """,
    )
    with pytest.raises(CalmkitError) as caught:
        render.render("de", into=blocked, names=["say_paused"], environ={"PATH": str(bin_dir)})
    assert str(caught.value) == (
        f"cannot write voice packs to {blocked} (it is not a folder). Fix: choose a folder you "
        "can write to with --into DIR"
    )
