"""``healthlab grade``: the teacher's whole grading loop with nbgrader, in one command.

::

    healthlab grade a1-health-data                   # course folder ./assignments or .
    healthlab grade a1-health-data --course path/to/assignments --timeout 120

Steps, all with nbgrader's own commands run in the course folder:

1. ``nbgrader generate_assignment --force``: the student version in ``release/``.
2. Check every folder in ``submitted/<student>/<assignment>/``: notebook present, named
   right, valid JSON; locked test cells unchanged (compared with the student version, cell
   by cell); no test cell deleted; no code that can interfere with grading.
3. ``nbgrader autograde --force`` for the whole class: one run per worker (CPU core), each
   for its share of the students, side by side. The course configuration gives every
   notebook a wall-clock limit and records what happened (see
   :mod:`healthlab.grading.preprocessors`); a submission nbgrader still cannot grade is
   retried on its own, then recorded as not graded.
4. ``nbgrader generate_feedback --force`` (hidden tests and mark schemes removed).
5. ``nbgrader export`` plus ``reports/<assignment>/grades.csv``, which has a status column
   and leaves the score blank for a submission that was not graded.
6. A class report: totals, problems by student, a grade distribution (text and PNG).

The exit code is 0 when nothing needs the teacher's attention, 1 when something does (the
report says what), 2 when grading could not run at all.

The same loop is available from Python as :func:`grade_assignment`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from healthlab.grading.report import ClassReport, Problem, StudentResult, save_histogram_png

#: Where the student's notebook may have gone when it was renamed ("Copy of", "(1)", ...).
_NOTEBOOK_GLOB = "*.ipynb"


class GradingError(RuntimeError):
    """Grading could not run at all (no sandbox, no such assignment, nbgrader failed)."""


class SandboxUnavailableError(GradingError):
    """No sandbox is available and the teacher did not say they trust the code."""


@dataclass
class _Submission:
    student: str
    folder: Path
    problems: list[Problem]
    gradable: bool


#: Most bytes of one nbgrader command's output written to the log; the rest is counted only.
LOG_CAP = 20_000_000
#: Most characters of one command's output kept in memory (the end of it), for messages.
TAIL_CHARS = 200_000
#: Submissions never handed to nbgrader, and why (see _check_submission).
REFUSED = ("symbolic-link", "not-a-file", "malformed-notebook")


def _nbgrader(course: Path, args: list[str], log, timeout: float | None = None) -> tuple[int, str]:
    """Run one nbgrader command in the course folder; return (exit code, the end of its log).

    The command runs in its own process group so that it, and any kernel it started, can be
    stopped together when it passes ``timeout`` seconds (exit code -9 then). Its output (which
    includes whatever students' kernels write to their real stderr) is streamed: at most
    :data:`LOG_CAP` bytes go to the log and :data:`TAIL_CHARS` stay in memory, so a flood
    cannot fill the teacher's memory or disk. Decisions are taken from the exit code and from
    the files nbgrader writes, never from this text.
    """
    import threading
    from collections import deque

    command = [sys.executable, "-m", "nbgrader", *args]
    env = dict(os.environ)
    # nbgrader runs the 'alembic' command from the same environment to set up gradebook.db.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    log.write(f"\n$ nbgrader {' '.join(args)}\n")
    log.flush()
    tail: deque[str] = deque()
    kept = written = dropped = 0
    with subprocess.Popen(
        command,
        cwd=course,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env=env,
    ) as proc:
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, stop) if timeout else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            assert proc.stdout is not None
            while chunk := proc.stdout.read1(65536):
                text = chunk.decode("utf-8", errors="replace")
                if written + len(chunk) <= LOG_CAP:
                    log.write(text)
                    written += len(chunk)
                else:
                    dropped += len(chunk)
                tail.append(text)
                kept += len(text)
                while kept > TAIL_CHARS and len(tail) > 1:
                    kept -= len(tail.popleft())
            code = proc.wait()
        finally:
            if timer:
                timer.cancel()
    if dropped:
        log.write(f"\n[healthlab: {dropped:,} more bytes of output were not logged]\n")
    output = "".join(tail)
    if timed_out.is_set():
        code = -9
        note = f"\n[healthlab: stopped after {timeout:.0f} s]\n"
        log.write(note)
        output += note
    log.flush()
    return code, output


def _check_config(course: Path) -> None:
    """Load nbgrader_config.py on its own (no student code runs) and check its safety settings.

    Raises
    ------
    GradingError
        When the file cannot be read, or would grade without this course's SafeExecute step.
    """
    probe = (
        "import json\n"
        "from traitlets.config.loader import PyFileConfigLoader\n"
        "cfg = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
        "steps = [k.__name__ for p in cfg.Autograde.get('autograde_preprocessors', []) "
        "for k in getattr(p, '__mro__', [])]\n"
        "print(json.dumps(steps))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=course,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise GradingError(
            "nbgrader could not read nbgrader_config.py, so it would grade without this "
            "course's safety settings. Fix the error and run again:\n" + "\n".join(lines[-20:])
        )
    try:
        steps = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        steps = []
    if "SafeExecute" not in steps:
        raise GradingError(
            "nbgrader_config.py does not use SafeExecute in Autograde.autograde_preprocessors: "
            "grading would run without the time limits and grader-side checks. See "
            "assignments/nbgrader_config.py in the course repository."
        )


def _read_notebook(path: Path):
    """Read a notebook; return (notebook or None, problem or None)."""
    import nbformat
    from nbformat.reader import NotJSONError

    try:
        nb = nbformat.read(path, as_version=4)
    except NotJSONError as err:
        first = str(err).splitlines()[0][:120] if str(err) else "not JSON"
        return None, Problem("invalid-json", f"{path.name} is not valid JSON ({first}).")
    except (UnicodeDecodeError, ValueError) as err:
        return None, Problem("invalid-json", f"{path.name} cannot be read as text ({err}).")
    except Exception as err:  # nbformat raises several validation errors
        return None, Problem(
            "invalid-notebook", f"{path.name} is not a notebook nbgrader can read ({err})."
        )
    malformed = _malformed(nb)
    if malformed:
        return None, Problem(
            "malformed-notebook",
            f"{path.name}: {malformed}. It was not graded; ask the student to submit a fresh "
            "copy (File > Save and Export Notebook As, or copy their answers into the release "
            "version).",
        )
    return nb, None


def _malformed(nb) -> str:
    """What is wrong with a notebook's structure, in words; empty when nothing is."""
    import nbformat

    try:
        nbformat.validate(nb)
    except Exception as err:
        return f"its structure is not a valid notebook ({str(err).splitlines()[0][:150]})"
    for index, cell in enumerate(nb.cells):
        where = f"cell {index + 1}"
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        if not isinstance(meta, dict):
            return f"{where} has nbgrader settings that are not a set of named values"
        grade_id = meta.get("grade_id")
        if grade_id is not None and not isinstance(grade_id, str):
            return f"{where} has a grade_id that is not text ({type(grade_id).__name__})"
        points = meta.get("points")
        if points is not None and (
            isinstance(points, bool) or not isinstance(points, (int, float))
        ):
            return f"{where} has points that are not a number"
        for flag in ("grade", "solution", "locked"):
            if flag in meta and not isinstance(meta[flag], bool):
                return f"{where} has a '{flag}' setting that is not True or False"
    return ""


def _normalise(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _locked_cells(nb) -> dict[str, dict]:
    """Cells a student must not change, by grade_id, from the released student version."""
    from nbgrader import utils

    cells = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if "grade_id" in meta and (utils.is_locked(cell) or utils.is_grade(cell)):
            cells[meta["grade_id"]] = {
                "source": cell.source,
                "locked": utils.is_locked(cell),
                "test": utils.is_grade(cell) and not utils.is_solution(cell),
                "points": meta.get("points"),
                "cell_type": cell.cell_type,
            }
    return cells


def _tampering(submitted, released: dict[str, dict], notebook: str) -> list[Problem]:
    """Compare a submitted notebook's locked and graded cells with the released version."""
    seen = {}
    for cell in submitted.cells:
        meta = cell.metadata.get("nbgrader", {})
        if "grade_id" in meta:
            seen.setdefault(meta["grade_id"], (cell, meta))
    problems = []
    for grade_id, ref in released.items():
        if grade_id not in seen:
            if ref["test"]:
                problems.append(
                    Problem(
                        "test-cell-deleted",
                        f"test cell '{grade_id}' in {notebook} was deleted (it was put back "
                        "and scored).",
                    )
                )
            continue
        if not ref["locked"]:
            continue
        cell, meta = seen[grade_id]
        changed = []
        if _normalise(cell.source) != _normalise(ref["source"]):
            changed.append("its code")
        if cell.cell_type != ref["cell_type"]:
            changed.append("its cell type")
        if ref["points"] is not None and meta.get("points") != ref["points"]:
            changed.append("its points")
        if not meta.get("locked", False) or meta.get("solution", False):
            changed.append("its locked setting")
        if changed:
            kind = "test-cell-edited" if ref["test"] else "locked-cell-edited"
            what = "test cell" if ref["test"] else "read-only cell"
            problems.append(
                Problem(
                    kind,
                    f"{what} '{grade_id}' in {notebook}: {' and '.join(changed)} changed "
                    "(the original was used for grading).",
                )
            )
    return problems


#: Code with no place in these assignments that can change how a notebook is graded (switch
#: off test cells, hide errors, stop Python, reach outside the notebook). The sandbox stops
#: what reaches outside; this only tells the teacher where to look.
_SUSPICIOUS = re.compile(
    r"get_ipython|input_transformers|set_custom_exc|sys\.(settrace|setprofile|excepthook)"
    r"|__builtins__|\bimport builtins|\bbuiltins\.|signal\.signal|os\._exit|os\.kill\b"
    r"|\bctypes\b|\bsubprocess\b|\bsocket\b|gradebook|\bexec\(|\beval\(|__import__"
    r"|^\s*[%!]"
)


def _suspicious_code(submitted, released: dict[str, dict], notebook: str) -> list[Problem]:
    """Lines in the student's own code cells that deserve a look (see _SUSPICIOUS)."""
    found = []
    for index, cell in enumerate(submitted.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code" or released.get(grade_id, {}).get("locked"):
            continue  # locked cells are replaced by the original before grading
        for line in cell.source.splitlines():
            if _SUSPICIOUS.search(line) and not line.lstrip().startswith(("%matplotlib", "#")):
                found.append(f"'{line.strip()[:60]}' ({grade_id or f'cell {index + 1}'})")
    if not found:
        return []
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return [
        Problem(
            "suspicious-code",
            f"{notebook} has code that can interfere with grading: "
            + "; ".join(found[:3])
            + more
            + ". Check that the marks are deserved.",
        )
    ]


def _links(folder: Path) -> list[str]:
    """Symbolic links in a submission (the folder, its student folder, or anything inside)."""
    found = [p.name for p in (folder.parent, folder) if p.is_symlink()]
    if folder.is_dir() and not found:
        for parent, dirs, files in os.walk(folder):  # os.walk does not follow links
            for name in dirs + files:
                path = Path(parent, name)
                if path.is_symlink():
                    found.append(f"{path.relative_to(folder)} -> {os.readlink(path)}")
    return found


def _not_files(folder: Path) -> list[str]:
    """Entries in a submission that are neither folders nor regular files (a FIFO, a socket,
    a device): reading one can hang the grader for ever."""
    found = []
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(parent, name)
            mode = os.lstat(path).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                kind = "named pipe (FIFO)" if stat.S_ISFIFO(mode) else "special file"
                found.append(f"{path.relative_to(folder)} ({kind})")
    return found


def _check_submission(
    folder: Path, student: str, notebooks: list[str], released: dict[str, dict]
) -> _Submission:
    """Check one submission before grading; any crash becomes a named problem for it alone."""
    try:
        return _check_one(folder, student, notebooks, released)
    except Exception as err:  # one odd submission must never stop the class
        problem = Problem(
            "check-failed",
            f"the submission could not be checked ({type(err).__name__}: {str(err)[:150]}); "
            "it was not graded. Look at it by hand.",
        )
        return _Submission(student, folder, [problem], False)


def _check_one(
    folder: Path, student: str, notebooks: list[str], released: dict[str, dict]
) -> _Submission:
    problems: list[Problem] = []
    odd = _not_files(folder)
    if odd:
        problems.append(
            Problem(
                "not-a-file",
                f"{', '.join(odd)}: not a regular file, so this submission was not graded (the "
                f"grader could wait for ever reading it). Ask the student to submit the "
                f"notebook file itself ({notebooks[0]}.ipynb).",
            )
        )
        return _Submission(student, folder, problems, False)
    links = _links(folder)
    if links:
        # nbgrader copies submissions with the teacher's rights, following links: a link to
        # source/ would be graded as the student's work and copied into their feedback.
        problems.append(
            Problem(
                "symbolic-link",
                f"{', '.join(links)}: a symbolic link, not a file. Links can make the grader "
                "copy files students must not see, so this submission was not graded. Ask the "
                f"student to submit the notebook file itself ({notebooks[0]}.ipynb).",
            )
        )
        return _Submission(student, folder, problems, False)
    present = {p.name for p in folder.glob(_NOTEBOOK_GLOB)}
    expected = {f"{name}.ipynb" for name in notebooks}
    strays = sorted(present - expected)
    gradable = True
    for name in notebooks:
        path = folder / f"{name}.ipynb"
        if not path.exists():
            gradable = False
            if strays:
                problems.append(
                    Problem(
                        "renamed-notebook",
                        f"{name}.ipynb is missing but {', '.join(strays)} was submitted: "
                        f"probably renamed. Rename it to {name}.ipynb and grade again.",
                    )
                )
            else:
                problems.append(
                    Problem("missing-notebook", f"{name}.ipynb is not in the submission.")
                )
            continue
        nb, problem = _read_notebook(path)
        if problem is not None:
            problems.append(problem)
            gradable = False
            continue
        problems += _tampering(nb, released.get(name, {}), f"{name}.ipynb")
        problems += _suspicious_code(nb, released.get(name, {}), f"{name}.ipynb")
    return _Submission(student, folder, problems, gradable)


def _outcome_problems(autograded: Path, notebook: str) -> list[Problem]:
    """Problems recorded by SafeExecute in the graded notebook's metadata."""
    from healthlab.grading.preprocessors import METADATA_KEY

    nb, problem = _read_notebook(autograded)
    if problem is not None:
        return [Problem("grading-failed", f"the graded copy of {notebook} cannot be read.")]
    record = nb.metadata.get(METADATA_KEY)
    if not record:
        return [
            Problem(
                "grading-failed",
                f"{notebook} has no grading record: the course configuration was not used.",
            )
        ]
    problems = []
    stopped, where = record.get("stopped"), record.get("stopped_at")
    n_not_run = len(record.get("not_run", []))
    if stopped == "time-limit":
        problems.append(
            Problem(
                "time-limit",
                f"{notebook} reached the time limit at '{where}'; {n_not_run} cell(s) not run "
                "(their tests scored 0).",
            )
        )
    elif stopped == "unresponsive":
        problems.append(
            Problem(
                "unresponsive",
                f"cell '{where}' in {notebook} never finished and ignored the interrupt; "
                f"Python was stopped and {n_not_run} cell(s) not run (their tests scored 0).",
            )
        )
    elif stopped == "kernel-died":
        problems.append(
            Problem(
                "kernel-died",
                f"Python stopped while running '{where}' in {notebook} (the code exited or "
                f"crashed it); {n_not_run} cell(s) not run (their tests scored 0).",
            )
        )
    for name in record.get("cell_timeouts", []):
        if not (stopped and name == where):
            problems.append(
                Problem(
                    "cell-timeout",
                    f"cell '{name}' in {notebook} ran past the time limit and was interrupted.",
                )
            )
    for name in record.get("output_cut", []):
        problems.append(Problem("output-cut", f"output of cell '{name}' in {notebook} was cut."))
    for name, verdict in (record.get("checks") or {}).items():
        if "the grader got" in str(verdict):  # the kernel did not reply with plain data
            why = str(verdict).rsplit("(the grader got ", 1)[-1].rstrip(")")
            problems.append(
                Problem(
                    "check-failed-grader",
                    f"test cell '{name}' in {notebook}: the grader got {why}; no marks given.",
                )
            )
    return problems


def _failure_reason(output: str, student: str) -> str:
    """The most useful error line nbgrader logged about one student's submission."""
    lines = [ln for ln in output.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if "There was an error processing assignment" in line and (
            student in line or f"/{student}/" in line
        ):
            for later in lines[i + 1 : i + 40]:
                if re.match(r"^[A-Za-z_.]+(Error|Exception)\b", later.strip()):
                    return later.strip()[:200]
    errors = [ln for ln in lines if "[ERROR]" in ln or "Error:" in ln]
    return errors[-1].strip()[:200] if errors else "no reason logged (see the log)"


def _sandbox_check(trust_code: bool) -> bool:
    """Return True if grading is sandboxed; raise if not and the teacher did not opt out."""
    try:
        from healthlab.grading.sandbox import available
    except ImportError as err:  # pragma: no cover - the sandbox module ships with healthlab
        ok, why = False, f"healthlab.grading.sandbox could not be imported ({err})"
    else:
        ok, why = available()
    if ok:
        return True
    if trust_code:
        return False
    raise SandboxUnavailableError(
        "Refusing to grade: no sandbox is available to run students' code safely.\n"
        f"Reason: {why}\n"
        "Without a sandbox a student's notebook runs with YOUR rights: it could read the "
        "solutions or change marks in gradebook.db.\n"
        "Fix: install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap) and run "
        "this command again. See 'Sandbox' in assignments/README.md.\n"
        "If you really trust every submission, run again with --i-trust-this-code."
    )


def _gradebook_scores(course: Path, assignment: str, student: str) -> dict | None:
    """Scores nbgrader stored for one submission, or None if it has none."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        auto_score, auto_max, pending = 0.0, 0.0, 0
        for nb in submission.notebooks:
            for grade in nb.grades:
                if grade.cell_type == "code" and grade.auto_score is not None:
                    auto_score += grade.auto_score
                    auto_max += grade.max_score
                if grade.needs_manual_grade:
                    pending += 1
        return {
            "score": float(submission.score),
            "max_score": float(submission.max_score),
            "auto_score": auto_score,
            "auto_max": auto_max,
            "pending": pending,
        }


def _flag_not_graded(course: Path, assignment: str, students: list[str]) -> None:
    """Mark every answer of a submission that was not graded as needing manual grading.

    nbgrader stores 0 (or nothing) for such a submission; flagging it makes formgrader list
    it under "needs manual grade" instead of showing a quiet 0.
    """
    if not students:
        return
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in students:
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            for nb in submission.notebooks:
                for grade in nb.grades:
                    grade.needs_manual_grade = True
        gb.db.commit()


def grade_assignment(
    course_dir: str | os.PathLike,
    assignment: str,
    *,
    timeout: float | None = None,
    cell_timeout: float | None = None,
    trust_code: bool = False,
    feedback: bool = True,
    workers: int | None = None,
    log=None,
) -> ClassReport:
    """Release, autograde, give feedback on and report on one assignment.

    Parameters
    ----------
    course_dir : str or path
        The nbgrader course folder (holds ``nbgrader_config.py`` and ``source/``).
    assignment : str
        Assignment name, e.g. ``"a1-health-data"``.
    timeout : float, optional
        Wall-clock limit in seconds for one student's notebook (default: the course
        configuration, 300 s). When reached, the notebook is stopped and the cells not run
        score 0, with the reason recorded.
    cell_timeout : float, optional
        Seconds one cell may run before it is interrupted (default: the course
        configuration, 30 s).
    trust_code : bool, default False
        Grade even when no sandbox is available. Students' code then runs with your rights.
    feedback : bool, default True
        Also generate feedback (HTML, in ``feedback/``).
    workers : int, optional
        How many nbgrader autograde runs share the class, side by side (default: the number
        of CPU cores, at most 4). Each student is still graded once, in one kernel.
    log : file-like, optional
        Where nbgrader's own log goes as well as ``reports/<assignment>/nbgrader.log``.

    Returns
    -------
    ClassReport
        Per-student outcomes (``report["student_id"]``), problems and file paths.

    Raises
    ------
    ValueError
        If ``course_dir`` is not a course folder or ``assignment`` has no source notebook.
    SandboxUnavailableError
        If there is no sandbox and ``trust_code`` is False.
    GradingError
        If nbgrader cannot generate the student version.
    """
    started = time.monotonic()
    course = Path(course_dir).resolve()
    if not (course / "nbgrader_config.py").is_file():
        raise ValueError(
            f"course_dir={str(course_dir)!r} has no nbgrader_config.py: pass the course "
            "folder (the one that holds source/ and nbgrader_config.py)."
        )
    source = course / "source" / assignment
    notebooks = sorted(p.stem for p in source.glob("*.ipynb"))
    if not notebooks:
        found = sorted(p.name for p in (course / "source").glob("*") if p.is_dir())
        raise ValueError(
            f"assignment={assignment!r} has no notebook in {source}. "
            f"Assignments in this course: {', '.join(found) or 'none'}."
        )
    if workers is None:
        workers = max(1, min(4, os.cpu_count() or 1))
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValueError(f"workers={workers!r} must be a whole number of at least 1.")
    for name, value in (("timeout", timeout), ("cell_timeout", cell_timeout)):
        if value is not None and (not isinstance(value, (int, float)) or value <= 0):
            raise ValueError(f"{name}={value!r} must be a number of seconds above 0.")
    sandboxed = _sandbox_check(trust_code)

    reports = course / "reports" / assignment
    reports.mkdir(parents=True, exist_ok=True)
    log_path = reports / "nbgrader.log"

    class _Tee:
        def __init__(self, *targets):
            self.targets = [t for t in targets if t is not None]

        def write(self, text):
            for target in self.targets:
                target.write(text)

        def flush(self):
            for target in self.targets:
                target.flush()

    with open(log_path, "w", encoding="utf-8") as log_file:
        tee = _Tee(log_file, log)
        report = _run(
            course, assignment, notebooks, timeout, cell_timeout, feedback, tee, sandboxed, workers
        )
    mark = time.monotonic()
    report.files["log"] = str(log_path)
    _write_outputs(report, reports)
    report.phases["report"] = time.monotonic() - mark
    report.seconds = time.monotonic() - started
    _write_outputs(report, reports)  # again, with the final timings
    return report


def _run(course, assignment, notebooks, timeout, cell_timeout, feedback, log, sandboxed, workers):
    import nbformat

    report = ClassReport(str(course), assignment, 0.0, sandboxed=sandboxed)
    phases = report.phases
    mark = time.monotonic()

    # 0. The course's own settings, read on their own (no student code runs here).
    _check_config(course)

    # 1. The student version (and the gradebook's copy of the source).
    code, output = _nbgrader(course, ["generate_assignment", assignment, "--force"], log)
    if code != 0:
        raise GradingError(
            f"nbgrader generate_assignment {assignment} failed (exit code {code}):\n"
            + "\n".join(output.strip().splitlines()[-15:])
        )
    released = {
        name: _locked_cells(
            nbformat.read(course / "release" / assignment / f"{name}.ipynb", as_version=4)
        )
        for name in notebooks
    }

    phases["release"] = time.monotonic() - mark
    mark = time.monotonic()

    # 2. Check every submission before grading.
    submitted = course / "submitted"
    folders = (
        sorted(d / assignment for d in submitted.glob("*") if (d / assignment).is_dir())
        if submitted.is_dir()
        else []
    )
    checks = [_check_submission(f, f.parent.name, notebooks, released) for f in folders]
    if not checks:
        report.attention.append(
            f"No submissions found in {submitted}/<student>/{assignment}/: nothing to grade."
        )

    # Old graded copies must never be mistaken for new ones.
    for check in checks:
        shutil.rmtree(course / "autograded" / check.student / assignment, ignore_errors=True)
        shutil.rmtree(course / "feedback" / check.student / assignment, ignore_errors=True)

    phases["checks"] = time.monotonic() - mark
    mark = time.monotonic()

    # 3. Autograde the class in one run (or one per worker), with a backstop on each run.
    options = ["--force"]
    if timeout is not None:
        options.append(f"--SafeExecute.notebook_timeout={math.ceil(timeout)}")
    if cell_timeout is not None:
        options.append(f"--Execute.timeout={math.ceil(cell_timeout)}")
    per_notebook = (timeout or 300) + 60
    outputs = ""
    # A submission with links is never handed to nbgrader (see _check_submission).
    students = [c.student for c in checks if not any(p.kind in REFUSED for p in c.problems)]
    n_workers = max(1, min(workers, len(students)))
    if any("," in s for s in students):
        n_workers = 1  # nbgrader's exclude list is comma-separated
    groups = [students[i::n_workers] for i in range(n_workers)]

    def autograde(group: list[str]) -> str:
        # Every other folder in submitted/, including ones never to be given to nbgrader.
        others = sorted({c.student for c in checks} - set(group))
        exclude = [f"--CourseDirectory.student_id_exclude={','.join(others)}"] if others else []
        backstop = 60 + len(group) * len(notebooks) * per_notebook
        return _nbgrader(course, ["autograde", assignment, *options, *exclude], log, backstop)[1]

    if students:
        # One nbgrader run per worker, each for its share of the class, side by side.
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            outputs = "\n".join(pool.map(autograde, groups))
    phases["autograde"] = time.monotonic() - mark
    mark = time.monotonic()

    def graded_copies(check):
        return [
            course / "autograded" / check.student / assignment / f"{n}.ipynb" for n in notebooks
        ]

    for check in checks:
        if check.gradable and not all(p.exists() for p in graded_copies(check)):
            # Not graded in the class run: try once on its own, then record why.
            _, single = _nbgrader(
                course,
                ["autograde", assignment, "--student", check.student, *options],
                log,
                60 + len(notebooks) * per_notebook,
            )
            if not all(p.exists() for p in graded_copies(check)):
                reason = _failure_reason(single or outputs, check.student)
                check.problems.append(Problem("grading-failed", f"nbgrader: {reason}"))
                check.gradable = False

    # 4. Scores and outcomes.
    not_graded = []
    for check in checks:
        problems = list(check.problems)
        if check.gradable:
            for name, path in zip(notebooks, graded_copies(check), strict=True):
                problems += _outcome_problems(path, f"{name}.ipynb")
        scores = _gradebook_scores(course, assignment, check.student)
        graded = check.gradable and scores is not None
        if not graded:
            not_graded.append(check.student)
        result = StudentResult(
            student=check.student,
            graded=graded,
            score=scores["score"] if graded else None,
            max_score=scores["max_score"] if scores else 0.0,
            auto_score=scores["auto_score"] if graded else None,
            auto_max=scores["auto_max"] if scores else 0.0,
            manual_pending=scores["pending"] if graded else 0,
            problems=problems,
        )
        report.students.append(result)
    _flag_not_graded(course, assignment, not_graded)
    report.max_score = _max_score(course, assignment)
    for result in report.students:
        result.max_score = result.max_score or report.max_score

    phases["retries and scores"] = time.monotonic() - mark
    mark = time.monotonic()

    # 5. Feedback for everyone graded (hidden tests and mark schemes removed) and
    # 6. nbgrader's own CSV (it shows a submission that was not graded as 0: see grades.csv),
    # side by side: both only read the gradebook.
    nbgrader_csv = course / "reports" / assignment / "nbgrader-export.csv"
    jobs = {"export": ["export", "--to", str(nbgrader_csv), "--assignment", assignment]}
    if feedback and any(r.graded for r in report.students):
        jobs["feedback"] = ["generate_feedback", assignment, "--force"]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(_nbgrader, course, args, log) for name, args in jobs.items()}
        codes = {name: future.result()[0] for name, future in futures.items()}
    if codes.get("feedback", 0) != 0:
        report.attention.append(
            "nbgrader generate_feedback reported an error: see the log "
            f"({course / 'reports' / assignment / 'nbgrader.log'})."
        )
    if "feedback" in jobs:
        for result in report.students:
            html = course / "feedback" / result.student / assignment
            files = sorted(html.glob("*.html"))
            if result.graded and files:
                result.feedback = str(files[0]) if len(files) == 1 else str(html)
    if codes["export"] == 0:
        report.files["nbgrader export (all assignments' columns)"] = str(nbgrader_csv)
    else:
        report.attention.append("nbgrader export failed: see the log.")
    phases["feedback and export"] = time.monotonic() - mark
    return report


def _max_score(course: Path, assignment: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return float(gb.find_assignment(assignment).max_score)


def _write_outputs(report: ClassReport, folder: Path) -> None:
    csv_path = folder / "grades.csv"
    report.write_csv(csv_path)
    report.files["grades (one row per student, with status)"] = str(csv_path)
    png = folder / "grade-distribution.png"
    alt = save_histogram_png(report, png)
    (folder / "grade-distribution.txt").write_text(alt + "\n", encoding="utf-8")
    report.files["chart"] = str(png)
    text = folder / "class-report.txt"
    report.files["report"] = str(text)
    json_path = folder / "class-report.json"
    report.files["report (JSON)"] = str(json_path)
    text.write_text(report.to_text() + "\n", encoding="utf-8")
    report.write_json(json_path)


def _default_course() -> Path:
    here = Path.cwd()
    if (here / "nbgrader_config.py").is_file():
        return here
    return here / "assignments"


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``healthlab grade``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="healthlab grade",
        description=(
            "Release, autograde, give feedback on and report on one nbgrader assignment. "
            "Exit code 0: all graded and nothing needs you; 1: something needs your "
            "attention (the report says what); 2: grading could not run."
        ),
    )
    parser.add_argument("assignment", help="assignment name, e.g. a1-health-data")
    parser.add_argument(
        "--course",
        type=Path,
        default=None,
        help="the nbgrader course folder (default: . if it has nbgrader_config.py, "
        "else ./assignments)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds one student's notebook may run in total (default 300)",
    )
    parser.add_argument(
        "--cell-timeout",
        type=float,
        default=None,
        help="seconds one cell may run before it is interrupted (default 30)",
    )
    parser.add_argument("--no-feedback", action="store_true", help="do not generate feedback HTML")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="nbgrader runs side by side, each grading part of the class (default: CPU "
        "cores, at most 4)",
    )
    parser.add_argument(
        "--i-trust-this-code",
        action="store_true",
        help="grade even if no sandbox is available: students' code then runs with YOUR "
        "rights and could read solutions or change the gradebook",
    )
    parser.add_argument("--verbose", action="store_true", help="also print nbgrader's own log")
    args = parser.parse_args(argv)
    course = args.course if args.course is not None else _default_course()
    try:
        report = grade_assignment(
            course,
            args.assignment,
            timeout=args.timeout,
            cell_timeout=args.cell_timeout,
            trust_code=args.i_trust_this_code,
            feedback=not args.no_feedback,
            workers=args.workers,
            log=sys.stderr if args.verbose else None,
        )
    except (ValueError, GradingError) as err:
        print(f"healthlab grade: {err}", file=sys.stderr)
        return 2
    print(report.to_text())
    return report.exit_code
