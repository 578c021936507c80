"""nbgrader configuration for the AI in Healthcare course.

Run every nbgrader command (and `healthlab grade`) from this folder, or point
`healthlab grade --course` at it. Numbers that a teacher may want to change are at the top.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from healthlab.grading.preprocessors import SafeExecute, ShortenHiddenTestTracebacks
from healthlab.grading.sanitise import NeutraliseActiveContent

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

# -- the course ----------------------------------------------------------------------------
c.CourseDirectory.course_id = "ai-in-healthcare"
c.CourseDirectory.root = COURSE_ROOT
# The exchange is the shared folder nbgrader uses to hand out and collect work on one
# server. It must be writable by the teacher and the students; never /srv/nbgrader/exchange
# by default. Set HEALTHLAB_EXCHANGE to share one folder between several courses.
c.Exchange.root = os.environ.get("HEALTHLAB_EXCHANGE", os.path.join(COURSE_ROOT, "exchange"))
# Collect a submission only from the account that owns it, and never follow a link in it
# (nbgrader's own collect trusts folder names and follows links).
c.ExchangeFactory.collect = "healthlab.grading.exchange.SafeCollect"

# -- running students' code ----------------------------------------------------------------
# Seconds one cell may run before it is interrupted (an infinite loop, say).
c.Execute.timeout = int(os.environ.get("HEALTHLAB_CELL_TIMEOUT", "30"))
# Stop the kernel straight away when a notebook is done: nothing is left to save.
c.Execute.shutdown_kernel = "immediate"
# Seconds one student's whole notebook may run; then the kernel is stopped and cells not yet
# run score 0, with the reason recorded. This also stops code that ignores the interrupt.
c.SafeExecute.notebook_timeout = int(os.environ.get("HEALTHLAB_NOTEBOOK_TIMEOUT", "300"))
# Characters of output one cell may keep (a cell that prints 100 MB keeps only this much).
c.SafeExecute.max_output_chars = 100_000
# Grader-side checks (healthlab.grading.probes): for an assignment with a check file here, the
# test cells are not run in the student's kernel; the grader asks the kernel for values on
# inputs it chooses and judges them itself, so the graded code cannot fake its marks.
c.SafeExecute.checks_dir = os.path.join(COURSE_ROOT, "grader-checks")
# Widget state is kernel-written data that formgrader and feedback would render: keep none.
c.SafeExecute.store_widget_state = False
c.Autograde.autograde_preprocessors = [
    SafeExecute,  # in place of nbgrader's Execute
    NeutraliseActiveContent,  # nothing a student displays may run as script for the teacher
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
# A test cell a student deleted is put back and scored (nbgrader ignores it by default).
c.OverwriteCells.add_missing_cells = True

# -- feedback for students -----------------------------------------------------------------
# nbgrader's default feedback shows hidden tests, in the code and in error messages.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    ShortenHiddenTestTracebacks,  # must come before ClearHiddenTests
    ClearHiddenTests,
    ClearMarkScheme,  # a deleted answer cell is put back from the source: keep the scheme out
    NeutraliseActiveContent,  # again, in case a graded notebook was made by another config
    CSSHTMLHeaderPreprocessor,
]
# Mark schemes live in read-only question cells (see README.md), not in task cells.
c.ClearMarkScheme.enforce_metadata = False

# -- the sandbox ---------------------------------------------------------------------------
# Students' code runs in a sandbox that cannot read solutions or touch the gradebook.
from healthlab.grading.sandbox import configure_nbgrader

configure_nbgrader(c)
