"""The student workspace: no answers, no teacher material, and the student's work is theirs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from healthlab import workspace

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


@pytest.fixture
def course(tmp_path):
    """A copy of the course's student material that a test may change (a course update)."""
    source = tmp_path / "course"
    shutil.copytree(ROOT / "notebooks", source / "notebooks")
    shutil.copytree(ROOT / "datasets", source / "datasets")
    return source


def notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_student_copy_has_no_outputs_and_no_teacher_material(tmp_path):
    target = tmp_path / "my-course"
    report = workspace.update(ROOT, target)
    assert sorted(n for n in report.added if n.endswith(".ipynb")) == LESSONS
    names = {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()}
    assert not {n for n in names if "teacher" in n or "assignments" in n or "source" in n}
    for name in LESSONS:
        nb = notebook(target / name)
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, name
                assert "NBVAL" not in source, f"{name}: a test marker is in the student's copy"
                assert not [t for t in cell["metadata"].get("tags", []) if t.startswith("nbval")]
            assert "](../datasets/" not in source, f"{name}: link not fixed for the workspace"
            assert "teacher-notes" not in source
        # the reference keeps its outputs (nbval and the website use them)
        reference = notebook(ROOT / "notebooks" / name)
        assert any(c.get("outputs") for c in reference["cells"] if c["cell_type"] == "code")
    home = (target / "README.md").read_text(encoding="utf-8")
    assert "For teachers" not in home and "teacher-notes" not in home
    assert "](datasets/README.md)" in home
    for link in ("glossary.md", "datasets/heart-disease.md", LESSONS[0]):
        assert (target / link).exists()
    config = json.loads((target / ".jupyter/labconfig/page_config.json").read_text())
    assert config["disabledExtensions"]["@jupyter/nbgrader:create-assignment"] is True


def test_lessons_still_run_after_stripping_markers():
    for name in LESSONS:
        nb = workspace.student_notebook(notebook(ROOT / "notebooks" / name))
        reference = notebook(ROOT / "notebooks" / name)
        assert len(nb["cells"]) == len(reference["cells"])
        for mine, theirs in zip(nb["cells"], reference["cells"], strict=True):
            if "raises-exception" in theirs["metadata"].get("tags", []):
                assert "raises-exception" in mine["metadata"]["tags"], "Run All must carry on"


def test_reset_restores_one_lesson_and_leaves_the_others(course, tmp_path):
    target = tmp_path / "my-course"
    workspace.update(course, target)
    first, second = target / LESSONS[0], target / LESSONS[1]
    fresh = first.read_bytes()
    for path in (first, second):
        nb = notebook(path)
        nb["cells"][1]["source"] = "print('my own work')"
        path.write_text(json.dumps(nb), encoding="utf-8")
    edited_second = second.read_bytes()
    report = workspace.reset(course, target, [LESSONS[0][:2]])
    assert report.reset == [LESSONS[0]]
    assert first.read_bytes() == fresh
    assert second.read_bytes() == edited_second
    backup = target / workspace.BACKUPS / report.backups[0]
    assert "my own work" in backup.read_text(encoding="utf-8")
    workspace.reset(course, target)  # all
    assert "my own work" not in second.read_text(encoding="utf-8")


def test_update_adds_new_lessons_and_never_changes_edited_ones(course, tmp_path):
    target = tmp_path / "my-course"
    workspace.update(course, target)
    edited, untouched = target / LESSONS[0], target / LESSONS[1]
    nb = notebook(edited)
    nb["cells"][1]["source"] = "heart_rate = 80  # my answer"
    edited.write_text(json.dumps(nb), encoding="utf-8")
    mine = edited.read_bytes()
    # the course changes: a new lesson, and both existing lessons are revised
    new_lesson = "99-new-lesson.ipynb"
    shutil.copy(course / "notebooks" / LESSONS[0], course / "notebooks" / new_lesson)
    for name in LESSONS[:2]:
        ref = notebook(course / "notebooks" / name)
        ref["cells"][0]["source"] = "".join(ref["cells"][0]["source"]) + "\n\nRevised."
        (course / "notebooks" / name).write_text(json.dumps(ref), encoding="utf-8")
    report = workspace.update(course, target)
    assert report.added == [new_lesson]
    assert (target / new_lesson).exists()
    assert edited.read_bytes() == mine and report.kept == [LESSONS[0]]
    assert LESSONS[1] in report.updated
    assert "Revised." in "".join(notebook(untouched)["cells"][0]["source"])


def test_a_lesson_the_student_deleted_stays_deleted_until_reset(course, tmp_path):
    target = tmp_path / "my-course"
    workspace.update(course, target)
    (target / LESSONS[0]).unlink()
    assert workspace.update(course, target).added == []
    assert not (target / LESSONS[0]).exists()
    workspace.reset(course, target, [LESSONS[0]])
    assert (target / LESSONS[0]).exists()


def test_bad_input_gets_a_clear_error(course, tmp_path):
    with pytest.raises(ValueError, match="no course file called '77'"):
        workspace.reset(course, tmp_path / "w", ["77"])
    with pytest.raises(ValueError, match="notebooks/"):
        workspace.update(tmp_path, tmp_path / "w")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="must be a folder"):
        workspace.update(course, tmp_path / "file")


def test_command_line(course, tmp_path, capsys):
    target = tmp_path / "my-course"
    assert workspace.main(["update", "--source", str(course), "--to", str(target)]) == 0
    assert "new:" in capsys.readouterr().out
    assert workspace.main(["reset", "05", "--source", str(course), "--to", str(target)]) == 0
    assert workspace.main(["reset", "nope", "--source", str(course), "--to", str(target)]) == 2
    assert "the lessons are" in capsys.readouterr().err
