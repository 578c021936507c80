"""Measure grading time for a class and compare it with running one notebook alone.

Run from the repository root::

    .venv/bin/python tests/grading/measure_grading.py --students 30

It grades ``--students`` copies of the correct solution with ``healthlab grade``'s Python API
(the course configuration as shipped: sandboxed when bubblewrap is available), then, unless
``--no-unsandboxed`` is given, the same class with the sandbox lines removed from a copy of
the configuration, and executes the same notebook alone with nbclient on a fresh kernel.
It prints the figures; it asserts nothing (timings depend on the machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def _alone(nb, repeat: int, cell_timeout: int) -> list[float]:
    import copy

    from nbclient import NotebookClient

    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeat):
            run = copy.deepcopy(nb)
            start = time.monotonic()
            NotebookClient(
                run,
                timeout=cell_timeout,
                kernel_name="python3",
                resources={"metadata": {"path": folder}},
            ).execute()
            times.append(time.monotonic() - start)
    return times


def _class(
    tmp: Path, assignment: str, students: int, sandbox: bool, workers: int | None
) -> tuple[float, object]:
    import battery as B

    from healthlab.grading.teacher import grade_assignment

    course = B.new_course(tmp)
    if not sandbox:
        config = course / "nbgrader_config.py"
        lines = config.read_text().splitlines()
        config.write_text("\n".join(ln for ln in lines if "configure_nbgrader" not in ln) + "\n")
    release_nb = B.release(course, assignment)
    case = next(c for c in B.battery(assignment) if c.student == "correct")
    for i in range(students):
        case.student = f"student{i:02d}"
        B.write_submission(course, assignment, case, release_nb)
    start = time.monotonic()
    report = grade_assignment(course, assignment, trust_code=not sandbox, workers=workers)
    return time.monotonic() - start, report


def main(argv: list[str] | None = None) -> int:
    import battery as B

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--assignment", default="a1-health-data")
    parser.add_argument("--repeat-alone", type=int, default=3)
    parser.add_argument("--no-unsandboxed", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        course = B.new_course(tmp / "alone")
        nb = B.fill(B.release(course, args.assignment), B.solutions(args.assignment))
        alone = _alone(nb, args.repeat_alone, 30)
        runs = {}
        for name, sandbox, workers in [
            ("shipped configuration, 1 worker", True, 1),
            ("shipped configuration, default workers", True, None),
            ("without the sandbox, default workers", False, None),
        ]:
            if args.no_unsandboxed and not sandbox:
                continue
            seconds, report = _class(
                tmp / name.replace(" ", "-"), args.assignment, args.students, sandbox, workers
            )
            full = sum(r.auto_score == r.auto_max and not r.problems for r in report.students)
            runs[name] = (seconds, sandbox, full, report.phases)
        alone += _alone(nb, args.repeat_alone, 30)

    per_alone = statistics.mean(alone)
    print(f"Assignment {args.assignment}, {args.students} copies of the correct solution")
    print(f"Execute the notebook alone (nbclient, fresh kernel): mean {per_alone:.2f} s")
    print(f"  runs: {', '.join(f'{t:.2f}' for t in alone)}")
    for name, (seconds, sandboxed, full, phases) in runs.items():
        per = seconds / args.students
        print(
            f"healthlab grade, {name} (sandbox lines in config: {sandboxed}): {seconds:.1f} s, "
            f"{per:.2f} s per submission, ratio to alone {per / per_alone:.2f}x; "
            f"full marks {full}/{args.students}"
        )
        print("   phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
    plain = runs.get("without the sandbox, default workers")
    if plain:
        boxed = runs["shipped configuration, default workers"]
        print(f"Sandboxed / unsandboxed grading time: {boxed[0] / plain[0]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
