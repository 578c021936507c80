"""The class report that ``healthlab grade`` prints and saves.

:class:`ClassReport` holds one :class:`StudentResult` per submission, each with the
:class:`Problem` objects found while grading it. :func:`text_histogram` and
:func:`save_histogram_png` draw the grade distribution.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Severity of a problem. "error": the submission was NOT graded; "warning": it was graded
#: but the teacher should look at it; "info": worth knowing, nothing to do.
SEVERITIES = ("error", "warning", "info")

#: What each kind of problem means, in plain words (the teacher guide repeats this).
PROBLEM_KINDS = {
    "invalid-json": ("error", "the notebook file is damaged (not valid JSON): it cannot be opened"),
    "invalid-notebook": ("error", "the file is JSON but not a notebook nbgrader can read"),
    "missing-notebook": ("error", "the notebook was not in the submission"),
    "renamed-notebook": ("error", "the notebook was submitted under another name"),
    "grading-failed": ("error", "nbgrader could not grade the submission"),
    "symbolic-link": (
        "error",
        "the submission holds a link to another file; it was not graded, nor given to nbgrader",
    ),
    "not-a-file": (
        "error",
        "the submission holds a named pipe or other special file; it was not graded",
    ),
    "malformed-notebook": (
        "error",
        "a cell's structure or nbgrader settings are broken; it was not graded",
    ),
    "check-failed": ("error", "the submission could not be checked; it was not graded"),
    "check-failed-grader": (
        "warning",
        "a grader-side check failed for a reason other than the answer (no reply, not plain "
        "data): the marks were not given; look at the notebook",
    ),
    "test-cell-edited": ("warning", "a locked test cell was changed; the original was used"),
    "test-cell-deleted": ("warning", "a test cell was deleted; it was put back and scored"),
    "locked-cell-edited": ("warning", "a read-only cell was changed; the original was used"),
    "time-limit": ("warning", "the notebook ran out of time; cells not run scored 0"),
    "unresponsive": ("warning", "code never finished and ignored the interrupt; it was stopped"),
    "kernel-died": ("warning", "the code stopped Python itself; cells after that scored 0"),
    "cell-timeout": ("warning", "a cell ran too long and was interrupted; the rest was run"),
    "suspicious-code": ("warning", "code that can interfere with grading: check the marks"),
    "output-cut": ("info", "a cell printed too much; the output kept was cut short"),
}


@dataclass
class Problem:
    """One thing that went wrong with a submission.

    Parameters
    ----------
    kind : str
        One of :data:`PROBLEM_KINDS`, e.g. ``"invalid-json"``.
    message : str
        What happened, in plain words, naming the notebook and cell.
    """

    kind: str
    message: str

    @property
    def severity(self) -> str:
        """``"error"``, ``"warning"`` or ``"info"`` (see :data:`SEVERITIES`)."""
        return PROBLEM_KINDS[self.kind][0]


@dataclass
class StudentResult:
    """The outcome for one student's submission.

    ``score`` is ``None`` when the submission was not graded: never a 0.0 that looks
    like a real mark.
    """

    student: str
    graded: bool
    score: float | None
    max_score: float
    auto_score: float | None = None
    auto_max: float = 0.0
    manual_pending: int = 0
    problems: list[Problem] = field(default_factory=list)
    feedback: str | None = None

    @property
    def status(self) -> str:
        """A one-word status for tables: graded, check or not-graded."""
        if not self.graded:
            return "not-graded"
        if any(p.severity != "info" for p in self.problems):
            return "check"
        return "graded"

    @property
    def percent(self) -> float | None:
        """The score as a percentage of the maximum, or ``None`` when not graded."""
        if self.score is None or not self.max_score:
            return None
        return 100.0 * self.score / self.max_score


@dataclass
class ClassReport:
    """Everything ``healthlab grade`` found out about one assignment.

    Attributes
    ----------
    course_dir, assignment : str
        Where and what was graded.
    max_score : float
        Points available (autograded and manual).
    students : list of StudentResult
        One per submission folder, sorted by student id.
    attention : list of str
        Course-level problems for the teacher (not tied to one student).
    seconds : float
        Wall-clock time the whole run took.
    files : dict
        Paths of the files written (CSV, report, chart, log).
    sandboxed : bool
        False when students' code ran without the sandbox (``--i-trust-this-code``).
    phases : dict
        Seconds spent on each step (release, checks, autograde, ...).
    """

    course_dir: str
    assignment: str
    max_score: float
    students: list[StudentResult] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    seconds: float = 0.0
    files: dict[str, str] = field(default_factory=dict)
    sandboxed: bool = True
    phases: dict[str, float] = field(default_factory=dict)

    def __getitem__(self, student: str) -> StudentResult:
        for result in self.students:
            if result.student == student:
                return result
        raise KeyError(f"No submission from student {student!r} in this report.")

    @property
    def needs_attention(self) -> bool:
        """True when a submission was not graded, was tampered with or was stopped."""
        return bool(self.attention) or any(r.status != "graded" for r in self.students)

    @property
    def exit_code(self) -> int:
        """0 when nothing needs the teacher, 1 when something does."""
        return 1 if self.needs_attention else 0

    def to_dict(self) -> dict:
        """The report as plain data (for JSON)."""
        data = asdict(self)
        for result, row in zip(self.students, data["students"], strict=True):
            row["status"] = result.status
            for problem, prow in zip(result.problems, row["problems"], strict=True):
                prow["severity"] = problem.severity
        return data

    def write_csv(self, path: Path) -> None:
        """Write one row per student: score (blank when not graded), status and problems."""
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "student_id",
                    "assignment",
                    "status",
                    "score",
                    "max_score",
                    "percent",
                    "autograded_score",
                    "autograded_max",
                    "answers_to_mark_by_hand",
                    "problems",
                ]
            )
            for r in self.students:
                writer.writerow(
                    [
                        r.student,
                        self.assignment,
                        r.status,
                        "" if r.score is None else f"{r.score:g}",
                        f"{r.max_score:g}",
                        "" if r.percent is None else f"{r.percent:.0f}",
                        "" if r.auto_score is None else f"{r.auto_score:g}",
                        f"{r.auto_max:g}",
                        r.manual_pending,
                        "; ".join(f"{p.kind}: {p.message}" for p in r.problems),
                    ]
                )

    def write_json(self, path: Path) -> None:
        """Write :meth:`to_dict` as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")

    def to_text(self) -> str:
        """The report as the terminal shows it."""
        lines = [
            f"Class report: {self.assignment} ({len(self.students)} submissions, "
            f"{self.max_score:g} points, graded in {self.seconds:.0f} s)",
            "",
        ]
        if not self.sandboxed:
            lines += [
                "WARNING: graded WITHOUT a sandbox (--i-trust-this-code): students' code ran "
                "with your rights.",
                "",
            ]
        width = max([7] + [len(r.student) for r in self.students])
        lines.append(f"{'Student':<{width}}  {'Score':>7}  {'%':>4}  {'Status':<10}  Notes")
        for r in self.students:
            score = "-" if r.score is None else f"{r.score:g}/{r.max_score:g}"
            percent = "-" if r.percent is None else f"{r.percent:.0f}"
            notes = "; ".join(p.message for p in r.problems if p.severity != "info")
            if r.manual_pending:
                extra = f"{r.manual_pending} answer(s) to mark by hand"
                notes = f"{notes}; {extra}" if notes else extra
            lines.append(f"{r.student:<{width}}  {score:>7}  {percent:>4}  {r.status:<10}  {notes}")
        lines.append("")
        lines.append("Grade distribution (graded submissions, marks so far as % of the total):")
        lines += text_histogram([r.percent for r in self.students if r.percent is not None])
        lines.append("")
        pending = sum(r.manual_pending for r in self.students)
        if pending:
            lines.append(
                f"To do: {pending} written answer(s) wait for you in formgrader "
                "(Manual Grading); totals above do not include them yet."
            )
        if self.needs_attention:
            lines.append("NEEDS YOUR ATTENTION:")
            lines += [f"  - {item}" for item in self.attention]
            for r in self.students:
                for p in r.problems:
                    if p.severity in ("error", "warning"):
                        lines.append(f"  - {r.student}: [{p.kind}] {p.message}")
            lines.append("  (What each one means and what to do: assignments/README.md.)")
        else:
            lines.append("Nothing needs your attention: every submission was graded normally.")
        if self.files:
            lines.append("")
            lines.append("Files:")
            lines += [f"  {name}: {path}" for name, path in self.files.items()]
        return "\n".join(lines)


def text_histogram(percents: list[float], width: int = 40) -> list[str]:
    """Draw percentages as a ten-bin text histogram, one line per bin.

    Parameters
    ----------
    percents : list of float
        Scores as percentages, 0 to 100.
    width : int, default 40
        Characters for the longest bar.

    Returns
    -------
    list of str
        Lines such as ``" 90-100% | ##### 5"``.

    Examples
    --------
    >>> for line in text_histogram([5, 95, 100, 55], width=2):
    ...     print(line)
      0-9%   | # 1
     10-19%  |  0
     20-29%  |  0
     30-39%  |  0
     40-49%  |  0
     50-59%  | # 1
     60-69%  |  0
     70-79%  |  0
     80-89%  |  0
     90-100% | ## 2
    """
    counts = bin_counts(percents)
    top = max(counts) if counts and max(counts) else 1
    lines = []
    for (label, _, _), count in zip(BINS, counts, strict=True):
        bar = "#" * round(width * count / top) if count else ""
        lines.append(f"{label:<9}| {bar} {count}")
    return lines


#: Ten bins of 10 percentage points; the last includes 100.
BINS = [(f"{lo:>3}-{lo + 9}%" if lo < 90 else " 90-100%", lo, lo + 10) for lo in range(0, 100, 10)]


def bin_counts(percents: list[float]) -> list[int]:
    """Count percentages into :data:`BINS` (100 goes into the last bin)."""
    counts = [0] * len(BINS)
    for value in percents:
        index = min(int(value // 10), len(BINS) - 1)
        counts[max(index, 0)] += 1
    return counts


def histogram_alt_text(report: ClassReport) -> str:
    """Describe the grade distribution in words, for the chart's alt text."""
    percents = [r.percent for r in report.students if r.percent is not None]
    counts = bin_counts(percents)
    parts = [
        f"{count} in {label.strip()}"
        for (label, _, _), count in zip(BINS, counts, strict=True)
        if count
    ]
    not_graded = sum(1 for r in report.students if not r.graded)
    text = (
        f"Bar chart of marks for {report.assignment}: number of students in each band of 10 "
        f"percentage points. {len(percents)} graded: " + (", ".join(parts) or "none") + "."
    )
    if not_graded:
        text += f" {not_graded} submission(s) not graded are not shown."
    return text


def save_histogram_png(report: ClassReport, path: Path) -> str:
    """Save the grade distribution as a PNG bar chart and return its alt text."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    percents = [r.percent for r in report.students if r.percent is not None]
    counts = bin_counts(percents)
    labels = [label.strip() for label, _, _ in BINS]
    fig, ax = plt.subplots(figsize=(8, 4))
    bars = ax.bar(labels, counts, color="#0072B2", edgecolor="black", hatch="//")
    ax.bar_label(bars, labels=[str(c) for c in counts])
    ax.set_title(f"Marks for {report.assignment} (graded submissions)")
    ax.set_xlabel("Mark so far (% of the total)")
    ax.set_ylabel("Number of students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    alt = histogram_alt_text(report)
    fig.savefig(path, dpi=100, metadata={"Description": alt})
    plt.close(fig)
    return alt
