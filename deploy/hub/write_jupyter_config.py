"""Write the Jupyter settings of each role, and nbgrader's settings for every account.

Run by deploy/install.sh with Debian's python3 (standard library only):

    python3 write_jupyter_config.py PREFIX/etc VENV COURSE_ID EXCHANGE

- ``PREFIX/etc/jupyter-student``: a student's JupyterLab. Of nbgrader, only the assignment list
  (Fetch, Submit, Fetch Feedback) and Validate are on; formgrader, the course list and the
  authoring tools are off, in the browser and on the server.
- ``PREFIX/etc/jupyter-teacher``: a teacher's own JupyterLab: as a student's, plus the course
  list, which links to the course's formgrader service.
- ``PREFIX/etc/jupyter-grader``: the formgrader service (runs as the course owner in the course
  folder): formgrader and the authoring tools; no assignment or course list.
- ``VENV/etc/jupyter/nbgrader_config.py``: the course id and the exchange, for every account.
"""

import json
import sys
from pathlib import Path

PLUGINS = (
    "create-assignment",
    "formgrader",
    "menu",
    "validate-assignment",
    "course-list",
    "assignment-list",
)
EXTENSIONS = ("formgrader", "validate_assignment", "assignment_list", "course_list")
ROLES = {
    "student": {"assignment-list", "validate-assignment", "menu"},
    "teacher": {"assignment-list", "validate-assignment", "menu", "course-list"},
    "grader": {"create-assignment", "formgrader", "menu", "validate-assignment"},
}


def write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o755)
    path.write_text(content, encoding="utf-8")
    path.chmod(0o644)


def main(etc: str, venv: str, course_id: str, exchange: str) -> None:
    for role, on in ROLES.items():
        folder = Path(etc) / f"jupyter-{role}"
        disabled = {f"@jupyter/nbgrader:{p}": True for p in PLUGINS if p not in on}
        # JupyterLab's news feed and update check: the course is used offline.
        disabled["@jupyterlab/apputils-extension:announcements"] = True
        write(
            folder / "labconfig" / "page_config.json",
            json.dumps({"disabledExtensions": disabled}, indent=2) + "\n",
        )
        server = {f"nbgrader.server_extensions.{e}": e.replace("_", "-") in on for e in EXTENSIONS}
        write(
            folder / "jupyter_server_config.json",
            json.dumps({"ServerApp": {"jpserver_extensions": server}}, indent=2) + "\n",
        )
        # Jupyter applications (nbgrader's among them) write this marker into the config folder
        # once, unless it is there; the folder is read-only for users, so it is made here.
        write(folder / "migrated", "written by deploy/install.sh\n")
    write(
        Path(venv) / "etc" / "jupyter" / "nbgrader_config.py",
        "# Written by deploy/install.sh: nbgrader's settings for every account on this hub.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.Exchange.root = {exchange!r}\n"
        "# Several courses can share one exchange: each has its own folder in it.\n"
        "c.Exchange.path_includes_course = True\n",
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
