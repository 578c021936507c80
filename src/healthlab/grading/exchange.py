"""nbgrader's exchange, collecting only what each student really handed in.

On a shared server, nbgrader's exchange is a folder every student can write to. Its ``collect``
trusts folder names: a submission called ``alex+a1-health-data+<time>`` is taken to be Alex's
whoever made it, and the newest one wins. So one student can plant a later "submission" under
another's name and replace their work, and a symbolic link planted in one's own submission is
followed, so that the teacher's own files (the solutions) are copied in as if submitted.

:class:`SafeCollect` is nbgrader's collect with three checks first, for every submission
folder in the exchange's inbox:

- it is a real folder, owned by the account whose name it carries (checked with the system's
  user database, as nbgrader's ``check_owner`` only warns about);
- nothing inside it is a symbolic link, a named pipe or any other special file;
- only then is it a candidate for "newest submission".

Refused folders are never copied. Each is reported in the collect log and appended to
``refused-submissions.txt`` in the course folder, so the teacher is told of every one.

Configured by ``assignments/nbgrader_config.py``::

    c.ExchangeFactory.collect = "healthlab.grading.exchange.SafeCollect"
"""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect

__all__ = ["SafeCollect", "refusal", "REFUSED_LOG"]

#: File in the course folder where every refused submission is recorded.
REFUSED_LOG = "refused-submissions.txt"


def _uid_of(username: str) -> int | None:
    if sys.platform == "win32":  # pragma: no cover - no Unix accounts to check
        return None
    import pwd

    try:
        return pwd.getpwnam(username).pw_uid
    except KeyError:
        return None


def refusal(path: str | Path, username: str, *, check_owner: bool = True) -> str:
    """Why a submission folder must not be collected, in words; empty when it may be.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> os.symlink("/etc/hostname", os.path.join(folder, "a1.ipynb"))
    >>> refusal(folder, "nobody-here", check_owner=False)
    'a1.ipynb is a symbolic link'
    """
    path = Path(path)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return "the submission folder is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "the submission is not a folder"
    if check_owner and sys.platform != "win32":
        uid = _uid_of(username)
        if uid is None:
            return f"there is no account called {username!r} on this server"
        if info.st_uid != uid:
            import pwd

            try:
                owner = pwd.getpwuid(info.st_uid).pw_name
            except KeyError:
                owner = f"user id {info.st_uid}"
            return f"it is named for {username} but was made by {owner}"
    for parent, dirs, files in os.walk(path):
        for name in dirs + files:
            item = Path(parent, name)
            mode = os.lstat(item).st_mode
            where = item.relative_to(path)
            if stat.S_ISLNK(mode):
                return f"{where} is a symbolic link"
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                return f"{where} is not a regular file"
    return ""


class SafeCollect(ExchangeCollect):
    """nbgrader's collect, taking a submission only from the account that owns it."""

    def init_src(self):
        super().init_src()
        kept, refused = [], []
        # Look at every folder for the assignment, not only the newest per name: a refused
        # newest one must not hide an honest older one.
        for record in self._all_records():
            path = os.path.join(self.inbound_path, record["filename"])
            why = refusal(path, record["username"], check_owner=self.check_owner)
            (refused if why else kept).append((record, why))
        self._report_refused([(r, why) for r, why in refused])
        newest: dict[str, dict] = {}
        for record, _ in kept:
            best = newest.get(record["username"])
            if best is None or record["timestamp"] > best["timestamp"]:
                newest[record["username"]] = record
        self.src_records = list(newest.values())

    def _all_records(self) -> list[dict]:
        import glob

        student = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student}+{self.coursedir.assignment_id}+*")
        return [self._path_to_record(f) for f in glob.glob(pattern)]

    def _report_refused(self, refused: list[tuple[dict, str]]) -> None:
        if not refused:
            return
        lines = []
        for record, why in refused:
            line = (
                f"{time.strftime('%Y-%m-%d %H:%M:%S')} {self.coursedir.assignment_id}: refused "
                f"{record['filename']}: {why}"
            )
            self.log.warning("Not collected: %s: %s", record["filename"], why)
            lines.append(line)
        log = Path(self.coursedir.root) / REFUSED_LOG
        with open(log, "a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")

    def do_copy(self, src, dest, log=None):
        """Copy a submission without ever following a link, then check the copy again.

        The folder may change between the check and the copy (a student can still write to it),
        so links are copied as links (never followed) and the copy is refused if it holds one.
        """
        import shutil

        from nbgrader.exchange.default.exchange import ignore_patterns

        name = Path(src).name
        why = refusal(src, self._path_to_record(src)["username"], check_owner=self.check_owner)
        if not why:
            if self.get_size(src) > 1000 * self.coursedir.max_dir_size:
                why = "the submission is larger than the course allows"
        if not why:
            ignore = ignore_patterns(
                exclude=self.coursedir.ignore,
                include=self.coursedir.include,
                max_file_size=self.coursedir.max_file_size,
                log=self.log,
            )
            shutil.copytree(src, dest, symlinks=True, ignore=ignore)
            why = refusal(dest, "", check_owner=False)
            if why:
                shutil.rmtree(dest, ignore_errors=True)
        if why:
            self._report_refused([({"filename": name}, why)])
