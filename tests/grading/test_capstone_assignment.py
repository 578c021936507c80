"""The capstone assignment (issue 14): its round trip, its grader-side checks and its exemplars.

The capstone is graded here the way a teacher grades it: a temporary course (config, sources and
the grader-side checks), the student version made by nbgrader, a class of simulated submissions
graded in one ``grade_assignment`` run. The class holds the solution, the untouched student
version, a leaky split, numbers from the training rows, the medium and weak exemplars of
``assignments/capstone-exemplars/`` (built from their files) and the battery of hostile and
broken submissions of ``battery.py`` (its outcomes asserted in ``test_battery.py``); the
class is graded once in the run (``conftest.py``'s ``graded_battery``).

Fast tests, without nbgrader, run every check and every hidden test on all four questions of
the menu, so a student's choice of question never changes what the grader accepts.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import battery as B
import nbformat
import numpy as np
import pytest
import test_roundtrip as R

from healthlab.grading.preprocessors import METADATA_KEY
from healthlab.grading.probes import _decode, load_checks, plain

pytestmark = pytest.mark.grading

ASSIGNMENT = "capstone"
CHECK_FILE = B.COURSE / "grader-checks" / f"{ASSIGNMENT}.py"
RUBRIC = B.COURSE / "capstone-rubric.md"
EXEMPLARS = B.COURSE / "capstone-exemplars"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
ANSWER_STUB = "YOUR ANSWER HERE"
TESTS = (
    "cap_split_ids_tests",
    "cap_split_rows_tests",
    "cap_model_tests",
    "cap_metrics_tests",
    "cap_intervals_tests",
    "cap_audit_tests",
    "cap_card_sections_tests",
    "cap_card_numbers_tests",
    "cap_brief_tests",
)


# -- building submissions ------------------------------------------------------------------------

BLOCK = re.compile(r"<!-- cell: (\S+) -->\n(.*?)\n<!-- end -->", re.S)


def exemplar_blocks(level: str) -> dict[str, str]:
    """The cells an exemplar file gives, by grade_id (code without its fence)."""
    out = {}
    for gid, body in BLOCK.findall((EXEMPLARS / f"{level}.md").read_text(encoding="utf-8")):
        lines = body.strip("\n").splitlines()
        if lines and lines[0].startswith("```"):
            lines = lines[1:-1]
        out[gid] = "\n".join(lines)
    return out


def stated_failures(level: str) -> set[str]:
    text = (EXEMPLARS / f"{level}.md").read_text(encoding="utf-8")
    lost = re.search(r"The checks that fail: (.*?)\. The checks that pass", text, re.S)
    return set(re.findall(r"`(cap_\w+_tests)`", lost.group(1))) if lost else set()


def stated_marks(level: str) -> tuple[int, int, int, dict[str, int]]:
    """(total, computer, teacher, teacher's mark by criterion letter) from an exemplar file."""
    text = (EXEMPLARS / f"{level}.md").read_text(encoding="utf-8")
    total, auto, teacher = map(
        int,
        re.search(
            r"\*\*Marks: (\d+) of 50\*\* \(the computer: (\d+) of 9; the teacher: (\d+) of 41\)",
            text,
        ).groups(),
    )
    rows = re.findall(r"^\| ([A-G])\. [^|]+\| (\d) \| (\d) \|", text, re.M)
    return total, auto, teacher, {letter: int(mark) for letter, _, mark in rows}


def release_cells(release_nb) -> dict[str, str]:
    return {B.grade_id(c): c.source for c in release_nb.cells if B.grade_id(c)}


def student_answers(release_nb, blocks: dict[str, str]) -> dict[str, str]:
    """The solution, with the cells of ``blocks`` written into the student version instead."""
    answers = B.solutions(ASSIGNMENT)
    released = release_cells(release_nb)
    for gid, text in blocks.items():
        if STUB in released[gid]:
            answers[gid] = released[gid].replace(STUB, text)
        else:
            assert released[gid].strip() == ANSWER_STUB, gid
            answers[gid] = text
    return answers


def _starter_numbers(train_rows, rows) -> tuple[float, float]:
    """Sensitivity and specificity (3 places) of the starter model on the ward data."""
    from healthlab import capstone, evaluate

    project = capstone.load_question("deterioration")
    model = capstone.starter_model("deterioration").fit(
        project.X.iloc[train_rows], project.y.iloc[train_rows]
    )
    risk = model.predict_proba(project.X.iloc[rows])[:, 1]
    table = evaluate.clinical_metrics(project.y.iloc[rows], (risk >= 0.1).astype(int))
    return tuple(round(float(table.loc[k, "value"]), 3) for k in ("sensitivity", "specificity"))


def with_card_numbers(card: str, sens: float, spec: float) -> str:
    """The solution's card quoting other numbers (as a student copies their own outputs)."""
    assert "sensitivity 0.431" in card and "specificity 0.974" in card
    return card.replace("sensitivity 0.431", f"sensitivity {sens:.3f}").replace(
        "specificity 0.974", f"specificity {spec:.3f}"
    )


LEAKY_SPLIT = (
    "train_rows, test_rows = train_test_split(np.arange(len(project.X)), test_size=0.3, "
    "random_state=SEED)"
)


def leaky_answers() -> dict[str, str]:
    """A split by row: the same patients on both sides. Otherwise the solution's work."""
    from sklearn.model_selection import train_test_split

    sol = B.solutions(ASSIGNMENT)
    right = "train_rows, test_rows = capstone.split(project, seed=SEED)"
    assert right in sol["cap_split"]
    n = 21890
    train_rows, test_rows = train_test_split(np.arange(n), test_size=0.3, random_state=42)
    sens, spec = _starter_numbers(train_rows, test_rows)
    return {
        **sol,
        "cap_split": sol["cap_split"].replace(right, LEAKY_SPLIT),
        "cap_card": with_card_numbers(sol["cap_card"], sens, spec),
    }


def training_answers() -> dict[str, str]:
    """The training rows' sensitivity, specificity and PPV reported (and quoted in the card)."""
    from healthlab import capstone

    sol = B.solutions(ASSIGNMENT)
    line = "metrics = evaluate.clinical_metrics(y_test, flagged)"
    train_metrics = (
        "train_metrics = evaluate.clinical_metrics("
        "y_train, (model.predict_proba(X_train)[:, 1] >= threshold).astype(int))"
    )
    code = sol["cap_evaluate"].replace(line, f"{line}\n{train_metrics}")
    for measure in ("sensitivity", "specificity", "ppv"):
        here = f'round(float(metrics.loc["{measure}", "value"]), 3)'
        assert here in code
        code = code.replace(here, here.replace("metrics.loc", "train_metrics.loc"))
    project = capstone.load_question("deterioration")
    train_rows, _ = capstone.split(project, seed=42)
    sens, spec = _starter_numbers(train_rows, train_rows)
    return {
        **sol,
        "cap_evaluate": code,
        "cap_card": with_card_numbers(sol["cap_card"], sens, spec),
    }


def extra_cases(assignment: str, release_nb) -> list[B.Case]:
    """The cases the capstone adds to the battery (``battery.SPEC[...]["extra_cases"]``).

    Their marks are asserted below, not in ``test_battery.py``.
    """
    extra = {
        "leaky": leaky_answers(),
        "training": training_answers(),
        "medium": student_answers(release_nb, exemplar_blocks("medium")),
        "weak": student_answers(release_nb, exemplar_blocks("weak")),
    }
    return [B.Case(name, None, answers=answers) for name, answers in extra.items()]


@pytest.fixture(scope="module")
def graded(graded_battery):
    """The whole class (conftest.py: graded once in the run, with the grader-side checks)."""
    course, report, cases, release_nb, _ = graded_battery(ASSIGNMENT)
    return course, report, cases, release_nb


def verdicts(course: Path, student: str) -> dict[str, str]:
    """The grader's verdict on every autograded cell of one graded submission."""
    path = course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return nbformat.read(path, as_version=4).metadata[METADATA_KEY]["checks"]


def failed(course: Path, student: str) -> set[str]:
    return {k for k, v in verdicts(course, student).items() if v != "passed"}


# -- the source, the student version and the mark scheme -----------------------------------------


def test_source_is_valid_and_worth_50_marks():
    R.test_source_notebook_is_valid_nbgrader(ASSIGNMENT)
    nb = B.source_notebook(ASSIGNMENT)
    points = B.points_by_test(ASSIGNMENT)
    assert tuple(points) == TESTS and set(points.values()) == {1.0}
    manual = {
        B.grade_id(c): c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")
    }
    assert sum(manual.values()) == 41 and sum(points.values()) == 9
    title = " ".join(nb.cells[0].source.split())
    assert "**Marks:** 50 (9 marked by the computer, 41 by your teacher" in title
    # every written answer has a mark scheme with its levels in the question cell above it
    cells = nb.cells
    for i, cell in enumerate(cells):
        if B.grade_id(cell) in manual:
            above = cells[i - 1].source
            assert "### BEGIN MARK SCHEME" in above and "### END MARK SCHEME" in above
            for level in ("Level 1", "Level 2", "Level 3"):
                assert level in above, (B.grade_id(cell), level)
            assert f"({manual[B.grade_id(cell)]} marks" in above


def test_every_test_cell_has_its_checks():
    checks = load_checks(CHECK_FILE)
    assert tuple(checks) == TESTS


def test_rubric_file_matches_the_notebook():
    """capstone-rubric.md gives every cell's marks, and lies outside what nbgrader releases."""
    text = RUBRIC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\|[^|]+\| `(cap_\w+)` \|[^|]+\| (\d+) \|$", text, re.M))
    nb = B.source_notebook(ASSIGNMENT)
    graded_cells = {
        B.grade_id(c): c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    assert {k: int(v) for k, v in rows.items()} == graded_cells
    assert "**50**" in text
    assert not RUBRIC.is_relative_to(B.COURSE / "source")
    assert not EXEMPLARS.is_relative_to(B.COURSE / "source")


def test_student_version_holds_no_solution_hidden_test_or_mark_scheme(graded):
    course, _, _, _ = graded
    released = sorted(p.name for p in (course / "release" / ASSIGNMENT).iterdir())
    assert released == [f"{ASSIGNMENT}.ipynb"]
    raw = (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8")
    # nothing of the teachers' rubric or of the exemplars' written work reaches the students
    teacher_only = RUBRIC.read_text(encoding="utf-8").splitlines()
    for level in ("medium", "weak"):
        for gid, text in exemplar_blocks(level).items():
            if gid.startswith("cap_answer"):
                teacher_only += text.splitlines()
    for line in teacher_only:
        line = line.strip()
        if len(line) >= 30 and not line.startswith(("|", "#")):
            assert line not in raw, line
            assert json.dumps(line)[1:-1] not in raw, line


def test_strong_exemplar_is_the_solution():
    solution = {}
    for cell in B.source_notebook(ASSIGNMENT).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            solution[meta["grade_id"]] = "\n".join(
                R._regions(cell.source, "### BEGIN SOLUTION", "### END SOLUTION")
            )
        elif meta.get("solution"):
            solution[meta["grade_id"]] = cell.source
    blocks = exemplar_blocks("strong")
    assert set(blocks) == set(solution)
    for gid, text in blocks.items():
        assert text.strip() == solution[gid].strip(), gid


@pytest.mark.parametrize("level", ["strong", "medium", "weak"])
def test_exemplar_marks_add_up_and_fit_their_levels(level):
    total, auto, teacher, marks = stated_marks(level)
    assert total == auto + teacher and teacher == sum(marks.values())
    assert sorted(marks) == list("ABCDEFG")
    text = (EXEMPLARS / f"{level}.md").read_text(encoding="utf-8")
    bands = {"A": 6, "B": 6, "C": 6, "D": 6, "E": 6, "F": 6, "G": 5}
    for letter, level_no, mark in re.findall(r"^\| ([A-G])\. [^|]+\| (\d) \| (\d) \|", text, re.M):
        most = bands[letter]
        band = {"1": (1, 2), "2": (3, 4), "3": (5, 6)}[level_no]
        if most == 5:
            band = {"1": (1, 1), "2": (2, 3), "3": (4, 5)}[level_no]
        assert band[0] <= int(mark) <= band[1], (level, letter, level_no, mark)
    assert f"**Autograded marks: {auto} of 9.**" in text


# -- grading ---------------------------------------------------------------------------------------


def test_solution_scores_full_and_untouched_copy_zero(graded):
    course, report, _, _ = graded
    correct, blank = report["correct"], report["blank"]
    assert correct.graded and correct.auto_score == correct.auto_max == 9.0, correct.problems
    assert not failed(course, "correct")
    assert blank.graded and blank.auto_score == 0.0
    assert failed(course, "blank") == set(TESTS)
    assert correct.status == blank.status == "graded"


def test_a_leaky_split_loses_the_split_mark_only(graded):
    course, report, _, _ = graded
    assert failed(course, "leaky") == {"cap_split_ids_tests"}
    assert report["leaky"].auto_score == 8.0
    assert "both the training and the test set" in verdicts(course, "leaky")["cap_split_ids_tests"]


def test_training_rows_numbers_lose_the_evaluation_mark_only(graded):
    course, report, _, _ = graded
    assert failed(course, "training") == {"cap_metrics_tests"}
    assert report["training"].auto_score == 8.0
    assert "training rows" in verdicts(course, "training")["cap_metrics_tests"]


@pytest.mark.parametrize("level", ["medium", "weak"])
def test_exemplars_get_the_computer_marks_they_state(graded, level):
    course, report, _, _ = graded
    _, auto, _, _ = stated_marks(level)
    assert report[level].auto_score == auto
    assert failed(course, level) == stated_failures(level)


def test_feedback_holds_no_rubric_or_check_and_names_the_mistake(graded):
    """test_battery.py checks every assignment's feedback for hidden tests and mark schemes;
    the capstone's also never shows its rubric's levels or its checks' code."""
    course, report, _, _ = graded
    for result in report.students:
        if result.graded:
            page = course / "feedback" / result.student / ASSIGNMENT / f"{ASSIGNMENT}.html"
            html = page.read_text(encoding="utf-8")
            for marker in ("Level 3 (5-6 marks)", "lambda ch, pick"):
                assert marker not in html, f"{result.student}: {marker} in feedback"
    # the feedback says what is wrong, from the grader's message
    page = (course / "feedback" / "training" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "numbers on the training rows" in page


def test_the_solution_runs_top_to_bottom(graded, tmp_path):
    """As a student runs it: the student version with the solution typed in, no hidden tests."""
    from nbclient import NotebookClient

    _, _, cases, release_nb = graded
    nb = B.fill(release_nb, cases["correct"].answers)
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # its time is a benchmark (healthlab bench), not a limit here
    for cell in nb.cells:
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        assert not errors, (B.grade_id(cell), errors)


# -- every question: the grader's checks and the hidden tests agree, without nbgrader ------------


def _generic_answers(question: str) -> dict[str, str]:
    """A plain project on any question: the starter model, the menu's threshold."""
    sol = B.solutions(ASSIGNMENT)
    return {
        **sol,
        "cap_question": sol["cap_question"].replace(
            'QUESTION = "deterioration"', f'QUESTION = "{question}"'
        ),
        "cap_baseline": "baseline = DummyClassifier(strategy='most_frequent').fit(X_train, y_train)",
        "cap_model": "model = capstone.starter_model(QUESTION, seed=SEED).fit(X_train, y_train)",
        "cap_evaluate": """
threshold = question.threshold
risk = model.predict_proba(X_test)[:, 1]
flagged = (risk >= threshold).astype(int)
metrics = evaluate.clinical_metrics(y_test, flagged)
reported = {"threshold": threshold, "sensitivity": metrics.loc["sensitivity", "value"],
            "specificity": round(metrics.loc["specificity", "value"], 3),
            "npv": metrics.loc["npv", "value"],
            "auroc": capstone.metrics_match(model, X_test, y_test, {"auroc": 0.5}).loc["auroc", "recomputed"]}
intervals = {k: (metrics.loc[k, "ci_low"], metrics.loc[k, "ci_high"]) for k in ("sensitivity", "specificity")}
""",
        "cap_audit": "audit = fairness.subgroup_rates(y_test, flagged, groups=project.groups.iloc[test_rows])",
        "cap_card": """
my_card = modelcard.template("Model card: my model")
for section in modelcard.SECTIONS:
    my_card = my_card.replace(modelcard.PROMPTS[section], "Five or more words of my own here.")
my_card = my_card.replace("## Evaluation", "## Evaluation\\n" + f"Sensitivity {100 * reported['sensitivity']:.1f}% "
                          f"and specificity {reported['specificity']:.2f} on the test rows.")
""",
    }


def _simulate(answers: dict[str, str]) -> dict[str, tuple[bool, bool]]:
    """Run the notebook in this process: answers, then each check (as the grader) and each
    test cell's own code (as nbgrader's hidden tests would). test cell -> (grader, kernel)."""
    checks = load_checks(CHECK_FILE)
    namespace: dict = {}
    out = {}
    rng = random.Random(7)
    for cell in B.source_notebook(ASSIGNMENT).cells:
        if cell.cell_type != "code":
            continue
        gid = B.grade_id(cell)
        if gid in checks:
            grader_ok = True
            for check in checks[gid]:
                given = check.inputs(rng)
                try:
                    value = eval(check.ask, namespace, {"given": given})
                    reply = {"ok": True, "value": _decode(json.loads(json.dumps(plain(value))))}
                except Exception as err:  # the student's error, as the probe reports it
                    reply = {"ok": False, "error": repr(err)}
                grader_ok = grader_ok and check.judge(reply, given)[0]
            try:
                exec(cell.source, namespace)
                kernel_ok = True
            except Exception:
                kernel_ok = False
            out[gid] = (grader_ok, kernel_ok)
            continue
        source = answers.get(gid, cell.source)
        try:
            exec(compile(source, gid, "exec"), namespace)
        except Exception:
            pass  # as in a notebook: the next cells run
    return out


@pytest.mark.parametrize("question", ["malignancy", "deterioration", "heart-sites", "urgency"])
def test_every_question_can_earn_every_mark(question, capsys):
    results = _simulate(_generic_answers(question))
    capsys.readouterr()
    assert results == {t: (True, True) for t in TESTS}


MISTAKES = {
    # name: (question, answers that differ from a plain project, the test cells that fail)
    "row split": (
        "deterioration",
        {
            "cap_split": LEAKY_SPLIT
            + "\n"
            + "\n".join(B.solutions(ASSIGNMENT)["cap_split"].splitlines()[1:])
        },
        {"cap_split_ids_tests"},
    ),
    "fitted on every row": (
        "heart-sites",
        {"cap_model": "model = capstone.starter_model(QUESTION).fit(project.X, project.y)"},
        {"cap_model_tests"},
    ),
    "randomness without a seed": (
        "malignancy",
        {
            "cap_model": "from sklearn.ensemble import "
            "RandomForestClassifier\nmodel = RandomForestClassifier("
            "n_estimators=10).fit(X_train, y_train)"
        },
        {"cap_model_tests"},
    ),
    "percentages reported": (
        "malignancy",
        {
            "cap_evaluate": _generic_answers("malignancy")["cap_evaluate"].replace(
                '"npv": metrics.loc["npv", "value"],', '"npv": 100 * metrics.loc["npv", "value"],'
            )
        },
        {"cap_metrics_tests"},
    ),
    "audit by another group": (
        "heart-sites",
        {
            "cap_audit": "audit = fairness.subgroup_rates("
            "y_test, flagged, groups=project.data['sex'].iloc[test_rows])"
        },
        {"cap_audit_tests"},
    ),
    "a short brief": (
        "deterioration",
        {"cap_brief": "my_brief = 'Too short.'"},
        {"cap_brief_tests"},
    ),
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_grader_and_hidden_tests_agree_on_mistakes(name, capsys):
    question, change, lost = MISTAKES[name]
    results = _simulate({**_generic_answers(question), **change})
    capsys.readouterr()
    assert {t for t, (g, _) in results.items() if not g} == lost, (name, results)
    assert all(g == k for g, k in results.values()), (name, results)
