"""The commands that read the journal (history, report) on a journal they cannot use: a clear
line, exit 1, no table of zeros, and the person's file left exactly where it was."""

import pytest

from calmkit.faces.cli import main
from calmkit.faces.doctor import run_checks


def config_at(tmp_path, journal):
    path = tmp_path / "calmkit.yaml"
    path.write_text(f"journal: {{path: {journal}}}\n")
    return path


@pytest.mark.parametrize("command", [["history"], ["history", "--csv"], ["report"]])
def test_a_journal_path_that_is_a_folder_is_an_error_not_a_table_of_zeros(
    tmp_path, capsys, command
):
    folder = tmp_path / "jdir"
    folder.mkdir()
    code = main([*command, "--config", str(config_at(tmp_path, folder))])
    out, err = capsys.readouterr()
    assert code == 1
    assert "cannot read" in err and "jdir" in err
    assert "0 sessions" not in out and "no sessions" not in out.lower()


@pytest.mark.parametrize("command", [["history"], ["history", "--csv"], ["report"]])
def test_reading_the_journal_never_moves_a_file_of_the_persons(tmp_path, capsys, command):
    notes = tmp_path / "notes.txt"
    notes.write_text("my own notes\n")
    code = main([*command, "--config", str(config_at(tmp_path, notes))])
    err = capsys.readouterr().err
    assert code == 1
    assert "not a calmkit journal" in err and "left as it is" in err
    assert notes.read_text() == "my own notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calmkit.yaml", "notes.txt"]


def test_doctor_only_looks_at_a_file_that_is_not_a_journal(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my own notes\n")
    checks = {c.name: c for c in run_checks(config_at(tmp_path, notes), root=tmp_path, environ={})}
    assert checks["journal"].level == "fail"
    assert "not a calmkit journal" in checks["journal"].detail
    assert notes.read_text() == "my own notes\n"
    assert not (tmp_path / "notes.txt.not-a-journal").exists()
