"""The ``healthlab`` command: thin entry points for teachers and maintainers.

Each sub-command lives in its own module and is imported only when it is used, so
``healthlab --help`` is quick and a student's lesson never imports grading code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# sub-command -> ("module:function" taking argv and returning an exit status, one-line help)
COMMANDS = {
    "bench": ("healthlab.bench:main", "run every lesson on a fresh kernel; report time and memory"),
    "execute": ("healthlab.bench:execute_main", "re-run lessons in place to refresh their outputs"),
    "grade": ("healthlab.grading.teacher:main", "release, autograde and report on an assignment"),
    "lab": ("healthlab.launch:main", "open your own copy of the course in JupyterLab"),
    "teacher": ("healthlab.launch:teacher_main", "open JupyterLab with formgrader, for teachers"),
    "workspace": ("healthlab.workspace:main", "make or reset a student's copy of the course"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="healthlab",
        description="Tools for the AI in Healthcare course.",
        epilog="Run 'healthlab COMMAND --help' for the options of one command.",
    )
    parser.add_argument("command", choices=sorted(COMMANDS), help="what to do")
    if not argv or argv[0] in {"-h", "--help"}:
        parser.print_help()
        for name, (_, text) in sorted(COMMANDS.items()):
            print(f"  {name:<9}{text}")
        return 0
    args, rest = parser.parse_known_args(argv[:1])
    module_name, function_name = COMMANDS[args.command][0].split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    return int(function(argv[1:]) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
