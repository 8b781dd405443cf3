"""`calmkit report`, `suggest`, `plan` and history's helped counts, as a person meets them."""

import os
import re
import stat
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from calmkit.faces.cli import main
from calmkit.shell.journal import FIELDS, Journal

PLAN = """
safety_plan:
  warning_signs: [I stop answering messages]
  people: ["Alex 07700 900123"]
  crisis_line: Samaritans 116 123
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def setup(tmp_path, sessions=0, extra=""):
    journal = Journal(tmp_path / "j.db", warn=lambda m: None)
    now = datetime.now().astimezone().replace(microsecond=0)
    for k in range(sessions):
        name = ("sigh", "box")[k % 2]
        journal.append(
            {
                "start": (now - timedelta(hours=5 * k)).isoformat(),
                "programs": [name],
                "tried": [name],
                "actual_s": 300.0,
                "helped": "yes" if name == "sigh" else "no",
            }
        )
    journal.close()
    config = tmp_path / "c.yaml"
    config.write_text(f"journal: {{path: {journal.path}}}\n{extra}")
    os.chmod(config, 0o600)
    return str(config)


def test_neither_the_cli_nor_the_runner_imports_matplotlib():
    code = (
        "import sys, calmkit.faces.cli, calmkit.shell.runner, calmkit.shell.app;"
        "calmkit.faces.cli.main(['programs']);"
        "print('matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_report_without_a_file_prints_the_sentences(tmp_path, capsys):
    code, out, _ = run(capsys, "report", "--config", setup(tmp_path, 12))
    assert code == 0
    assert "box helped 0 of 6 times; sigh helped 6 of 6 times." in out
    assert "Made on this device from its own journal, and sent nowhere." in out


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_report_writes_a_private_page(tmp_path, capsys, suffix, magic):
    out_file = tmp_path / f"r{suffix}"
    code, out, _ = run(capsys, "report", "--config", setup(tmp_path, 12), "-o", str(out_file))
    assert code == 0 and f"wrote {out_file}" in out and "sent nowhere" in out
    assert out_file.read_bytes().startswith(magic)
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600


def test_report_html_is_self_contained(tmp_path, capsys):
    out_file = tmp_path / "r.html"
    code, _, _ = run(capsys, "report", "--config", setup(tmp_path, 12), "-o", str(out_file))
    page = out_file.read_text()
    assert code == 0 and 'src="data:image/png;base64,' in page
    assert "http" not in page.replace("<!doctype html>", "")  # nothing fetched from anywhere
    assert "sigh helped 6 of 6 times" in page and "sent nowhere" in page


def test_an_empty_journal_gets_an_honest_short_page(tmp_path, capsys):
    out_file = tmp_path / "r.png"
    code, out, _ = run(capsys, "report", "--config", setup(tmp_path), "-o", str(out_file))
    assert code == 0 and out_file.stat().st_size > 0
    code, out, _ = run(capsys, "report", "--config", setup(tmp_path))
    assert "There are no sessions in the journal for this period yet." in out


def test_report_refuses_a_format_it_cannot_write_before_reading_anything(tmp_path, capsys):
    code, _, err = run(capsys, "report", "--config", setup(tmp_path), "-o", "r.docx")
    assert code == 2 and ".pdf, .png, .html" in err
    code, _, err = run(capsys, "report", "--config", setup(tmp_path), "--days", "0")
    assert code == 2 and "--days" in err


def test_report_days_keeps_to_the_period(tmp_path, capsys):
    code, out, _ = run(capsys, "report", "--config", setup(tmp_path, 12), "--days", "1")
    assert code == 0 and "the last 1 day)" in out
    assert "sigh helped" in out and "of 6 times" not in out


def test_suggest_says_what_a_press_starts_and_why(tmp_path, capsys):
    code, out, _ = run(capsys, "suggest", "--config", setup(tmp_path, 12))
    assert code == 0 and out.startswith("calm: the default program (adaptive is off")
    on = "adaptive: {enabled: true, first_episodes: 4, explore: 0}\nmenu: [sigh, box]\n"
    code, out, _ = run(capsys, "suggest", "--config", setup(tmp_path, 12, on))
    assert code == 0
    assert re.fullmatch(
        r"sigh: (helped \d+ of \d+ times?|not tried) (at night|by day)( yet)?", out.strip()
    )
    assert len(out.strip().splitlines()) == 1


def test_plan_prints_the_persons_own_plan(tmp_path, capsys):
    code, out, err = run(capsys, "plan", "--config", setup(tmp_path, 0, PLAN))
    assert code == 0 and err == ""
    assert "People I can ask for help:\n  - Alex 07700 900123" in out
    assert "A crisis line:\n  - Samaritans 116 123" in out
    assert "calmkit is not a crisis service: it dials and sends nothing." in out
    code, out, _ = run(capsys, "plan", "--config", setup(tmp_path))
    assert "No safety plan is kept yet" in out


def test_a_plan_others_can_read_is_warned_with_the_fix(tmp_path, capsys):
    config = setup(tmp_path, 0, PLAN)
    os.chmod(config, 0o644)
    code, out, err = run(capsys, "plan", "--config", config)
    assert code == 0 and f"chmod 600 {config}" in err
    code, out, _ = run(capsys, "check", "--config", config)
    assert code == 0 and f"note: {config} holds your safety plan" in out
    os.chmod(config, 0o640)
    code, out, _ = run(capsys, "check", "--config", config)
    assert "note:" not in out


def test_doctor_checks_the_plan_file(tmp_path):
    from calmkit.faces.doctor import run_checks

    config = setup(tmp_path, 0, PLAN)
    os.chmod(config, 0o604)
    checks = {c.name: c for c in run_checks(config, root=tmp_path, environ={})}
    assert checks["safety plan"].level == "warn"
    assert "chmod 600" in checks["safety plan"].detail
    os.chmod(config, 0o600)
    checks = {c.name: c for c in run_checks(config, root=tmp_path, environ={})}
    assert checks["safety plan"].level == "ok"


def test_history_shows_helped_counts_per_program(tmp_path, capsys):
    code, out, _ = run(capsys, "history", "--config", setup(tmp_path, 12), "--days", "7")
    assert code == 0
    assert "sigh  helped 6 of 6  (yes 6 · no 0 · no answer 0)" in out
    assert "box   helped 0 of 6  (yes 0 · no 6 · no answer 0)" in out


def test_history_csv_keeps_the_old_columns_first_and_adds_the_new(tmp_path, capsys):
    code, out, _ = run(capsys, "history", "--csv", "--config", setup(tmp_path, 2))
    assert code == 0
    header = out.splitlines()[0].split(",")
    assert header[: len(FIELDS)] == list(FIELDS)
    assert header[:9] == [  # the columns it had before: still first, in the same order
        "start",
        "programs",
        "planned_s",
        "actual_s",
        "status",
        "pauses",
        "items",
        "squeeze_s",
        "helped",
    ]
    assert "tried" in header


def test_the_terminal_shows_the_safety_plan_when_the_box_reads_it():
    import io

    from calmkit.core.events import Event, EventKind
    from calmkit.faces.sim.terminal import StatusLine

    for tty in (True, False):
        out = io.StringIO()
        status = StatusLine(None, out=out, tty=tty)
        status.draw = lambda force=False: None
        text = "People I can ask for help. Alex 0770."
        status.on_event(Event(EventKind.SAFETY_PLAN, 0.0, None, {"text": text, "spoken": False}))
        assert out.getvalue().endswith(f"{text}\n")


@pytest.mark.parametrize("where", ["no/such/folder/r.png", "folder.png", "fifo.png"])
def test_a_report_that_cannot_be_written_is_one_clear_line(tmp_path, capsys, where):
    (tmp_path / "folder.png").mkdir()
    os.mkfifo(tmp_path / "fifo.png")
    config = setup(tmp_path, 12)
    code, _, err = run(capsys, "report", "--config", config, "-o", str(tmp_path / where))
    assert code == 1 and err.startswith(f"calmkit: cannot write the report to {tmp_path / where}")
    assert "internal error" not in err and len(err.strip().splitlines()) == 1


def test_a_report_is_never_written_to_a_device(tmp_path, capsys):
    before = os.stat("/dev/null").st_mode
    link = tmp_path / "null.png"
    link.symlink_to("/dev/null")
    code, _, err = run(capsys, "report", "--config", setup(tmp_path, 2), "-o", str(link))
    assert code == 1 and "it is not a regular file" in err
    assert os.stat("/dev/null").st_mode == before  # never made private, never written
