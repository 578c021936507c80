"""The grading sandbox: hostile submissions are blocked and still graded; honest ones are not
changed.

Each test builds a small, real nbgrader course in a temporary folder, collects submissions
and runs the real ``nbgrader autograde`` command with a ``nbgrader_config.py`` that ends with
``configure_nbgrader(c)``, as the course's own config does.

Without bubblewrap these tests are skipped with a reason saying how to install it; with
``HEALTHLAB_REQUIRE_SANDBOX=1`` in the environment (``.ci/run`` sets it) they fail instead.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import nbformat
import pytest

from healthlab.grading import sandbox

pytestmark = [pytest.mark.sandbox]

OK, REASON = sandbox.available()
REQUIRED = os.environ.get(sandbox.REQUIRE_ENV) == "1"


@pytest.fixture(scope="session")
def need_sandbox():
    """Skip (or, in CI, fail) a test that needs a working bubblewrap."""
    if OK:
        return
    if REQUIRED:
        pytest.fail(f"{sandbox.REQUIRE_ENV}=1 but the sandbox is not available: {REASON}")
    pytest.skip(f"grading sandbox not available: {REASON}")


NBGRADER = str(Path(sys.executable).with_name("nbgrader"))
SOLUTION_MARKER = "teacher-solution-7f3a"
HONEST_MARKER = "honest-work-of-ada-91c2"

# -- a small nbgrader course --------------------------------------------------------------


def _cell(kind: str, source: str, **nbgrader_meta) -> nbformat.NotebookNode:
    cell = (
        nbformat.v4.new_code_cell(source)
        if kind == "code"
        else nbformat.v4.new_markdown_cell(source)
    )
    if nbgrader_meta:
        meta = {"schema_version": 3, "solution": False, "grade": False, "locked": False}
        meta.update(nbgrader_meta)
        cell.metadata["nbgrader"] = meta
    return cell


def _source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        _cell("markdown", "Set `answer` to six times seven, and write `double(x)`."),
        _cell(
            "code",
            f"### BEGIN SOLUTION\nanswer = 6 * 7  # {SOLUTION_MARKER}\n### END SOLUTION",
            grade_id="answer",
            solution=True,
        ),
        _cell(
            "code", "assert answer == 42", grade_id="test_answer", grade=True, locked=True, points=1
        ),
        _cell(
            "code",
            "### BEGIN SOLUTION\ndef double(x):\n    return 2 * x\n### END SOLUTION",
            grade_id="double",
            solution=True,
        ),
        _cell(
            "code",
            "assert double(3) == 6\n### BEGIN HIDDEN TESTS\nassert double(-4) == -8\n"
            "### END HIDDEN TESTS",
            grade_id="test_double",
            grade=True,
            locked=True,
            points=2,
        ),
    ]
    return nb


def _config(sandboxed: bool) -> str:
    lines = [
        "c = get_config()",
        "c.CourseDirectory.course_id = 'sandbox-test'",
        "c.Execute.timeout = 60",
        "c.OverwriteCells.add_missing_cells = True",
    ]
    if sandboxed:
        lines += [
            "from healthlab.grading.sandbox import configure_nbgrader",
            "configure_nbgrader(c)",
        ]
    return "\n".join(lines) + "\n"


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 900):
    env = dict(os.environ if env is None else env)
    # nbgrader runs 'alembic' from PATH; make sure the venv's programs come first.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def _make_course(root: Path, sandboxed: bool = True) -> Path:
    root.mkdir(parents=True)
    (root / "nbgrader_config.py").write_text(_config(sandboxed))
    (root / "source" / "ps1").mkdir(parents=True)
    nbformat.write(_source_notebook(), root / "source" / "ps1" / "ps1.ipynb")
    result = _run([NBGRADER, "generate_assignment", "ps1", "--force"], root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def _submit(root: Path, student: str, answer_code: str, double_code: str | None = None) -> None:
    nb = nbformat.read(root / "release" / "ps1" / "ps1.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == "answer":
            cell.source = answer_code
        elif grade_id == "double":
            cell.source = double_code or "def double(x):\n    return 2 * x"
    folder = root / "submitted" / student / "ps1"
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "ps1.ipynb")
    (folder / "timestamp.txt").write_text("2026-11-20 09:00:00.000000 UTC")


def _autograde(root: Path, env: dict[str, str] | None = None):
    return _run([NBGRADER, "autograde", "ps1", "--force"], root, env=env)


def _scores(root: Path) -> dict[str, float | None]:
    """Autograded score per student, read straight from gradebook.db."""
    with sqlite3.connect(root / "gradebook.db") as db:
        rows = db.execute(
            "SELECT submitted_assignment.student_id, SUM(grade.auto_score) "
            "FROM grade JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id GROUP BY submitted_assignment.student_id"
        ).fetchall()
    return dict(rows)


def _outputs(root: Path, student: str) -> str:
    """All text output of a student's graded notebook."""
    nb = nbformat.read(root / "autograded" / student / "ps1" / "ps1.ipynb", as_version=4)
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(str(output.get("data", {}).get("text/plain", "")))
            parts.append(output.get("evalue", ""))
    return "\n".join(parts)


def _report(lines: str) -> str:
    """Attack code that ends by setting the right answer, so the submission scores 3."""
    return textwrap.dedent(lines) + "\nanswer = 42\n"


# -- attack submissions ---------------------------------------------------------------------

READ_SECRETS = """
import glob, os
course = os.path.abspath(os.path.join(os.getcwd(), "..", "..", ".."))
targets = [os.path.join(course, "source", "ps1", "ps1.ipynb"),
           os.path.join(course, "submitted", "aaa_honest", "ps1", "ps1.ipynb"),
           os.path.join(course, "autograded", "aaa_honest", "ps1", "ps1.ipynb"),
           os.path.join(course, "gradebook.db"), os.path.join(course, "nbgrader_config.py"),
           os.path.expanduser("~root/.bash_history"), "/etc/shadow"]
for path in targets:
    try:
        with open(path, errors="replace") as handle:
            print("READ", path, handle.read())
    except OSError as error:
        print("BLOCKED read", path, type(error).__name__)
found = []
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(top, d) not in ("/proc", "/sys", "/dev", "/usr")]
    found += [os.path.join(top, f) for f in files if f in ("gradebook.db", "ps1.ipynb")]
# Its own notebook (working copy and read-only staging copy) and nbgrader's test files are
# expected; anything else would be a leak.
import sys
mine = (os.getcwd() + os.sep, "/run/healthlab/submission/", sys.prefix + os.sep)
print("FOUND", sorted(path for path in found if not path.startswith(mine)))
print("ENV", sorted(os.environ))
"""

GRADEBOOK = """
import os, sqlite3, shutil
course = os.path.abspath(os.path.join(os.getcwd(), "..", "..", ".."))
db = os.path.join(course, "gradebook.db")
try:
    con = sqlite3.connect(db)
    con.execute("UPDATE grade SET manual_score = 999, auto_score = 999")
    con.commit()
    print("WROTE gradebook via sqlite")
except Exception as error:
    print("BLOCKED sqlite", type(error).__name__)
try:
    with open("forged.db", "w") as handle:
        handle.write("forged")
    os.replace("forged.db", db)
    print("REPLACED gradebook")
except OSError as error:
    print("BLOCKED replace", type(error).__name__)
try:
    with open(db, "ab") as handle:
        handle.write(b"garbage")
    print("APPENDED gradebook")
except OSError as error:
    print("BLOCKED append", type(error).__name__)
"""

WRITE_OUTSIDE = """
import os
course = os.path.abspath(os.path.join(os.getcwd(), "..", "..", ".."))
for path in [os.path.join(course, "pwned.txt"),
             os.path.join(course, "autograded", "aaa_honest", "ps1", "pwned.txt"),
             os.path.join(course, "source", "ps1", "pwned.txt"),
             "/root/pwned.txt", "/work/pwned.txt", "PWN_TMP", "/usr/pwned.txt"]:
    path = path.replace("PWN_TMP", "/tmp/healthlab-pwned-" + os.path.basename(course))
    try:
        with open(path, "w") as handle:
            handle.write("pwned")
        print("WROTE", path)
    except OSError as error:
        print("BLOCKED write", path, type(error).__name__)
with open("left-behind.txt", "w") as handle:
    handle.write("written in my own folder")
print("own folder write ok")
"""

NETWORK = """
import socket
for host in ("127.0.0.1", "HOST_IP", "1.1.1.1", "pypi.org"):
    try:
        socket.create_connection((host, PORT), timeout=3).close()
        print("CONNECTED", host)
    except OSError as error:
        print("BLOCKED connect", host, type(error).__name__)
"""

FORK = """
import os, sys, time, subprocess
children = []
try:
    for _ in range(100_000):
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children.append(pid)
    print("FORKED without limit", len(children))
except OSError as error:
    print("REFUSED after", len(children), "children:", type(error).__name__)
finally:
    for pid in children:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
# A real fork bomb, every child forking too, for three seconds.
bomb = "import os, time\\nend = time.time() + 3\\nwhile time.time() < end:\\n    try:\\n        os.fork()\\n    except OSError:\\n        time.sleep(0.01)\\n"
try:
    subprocess.run([sys.executable, "-c", bomb], timeout=20)
except Exception as error:
    print("bomb ended", type(error).__name__)
print("still alive")
"""

MEMORY = """
blocks = []
try:
    while True:
        blocks.append(bytearray(64 * 1024 * 1024))
except MemoryError:
    print("STOPPED at", len(blocks) * 64, "MB")
del blocks
"""

PRINT_100MB = """
import sys
line = "x" * 999 + "\\n"
for _ in range(100_000):
    sys.stdout.write(line)
print("printed 100 MB")
"""

# The folder the grader shares with the sandbox (the connection file's) and the sockets' folder.
FILL_SHARED = """
import os, sys
run_dir = os.path.dirname(sys.argv[sys.argv.index("-f") + 1])
try:
    with open(os.path.join(run_dir, "filler.bin"), "wb") as handle:
        handle.write(b"x" * 1024)
    print("WROTE run folder", run_dir)
except OSError as error:
    print("BLOCKED run folder", error.errno)
written = 0
try:
    with open(os.path.join("IPC_DIR", "filler.bin"), "wb") as handle:
        for _ in range(1024):
            handle.write(b"x" * 65536)
            handle.flush()
            written += 65536
    print("FILLED sockets folder", written)
except OSError as error:
    print("FULL sockets folder at", written, error.errno)
""".replace("IPC_DIR", sandbox.IPC_DIR)

# Five processes of 800 MB each: each is under the per-process limit (2 GiB), together they
# pass the tree's limit (3 GiB), so the cgroup must stop some of them.
TREE_MEMORY = """
import subprocess, sys, time
hog = "x = b'x' * (800 * 1024 * 1024)\\nprint('full', flush=True)\\nimport time\\ntime.sleep(120)"
procs = [subprocess.Popen([sys.executable, "-c", hog], stdout=subprocess.PIPE, text=True)
         for _ in range(5)]
# Wait, however long a busy machine takes, until each one has its 800 MB or has been stopped.
full = [p.stdout.readline() == "full\\n" for p in procs]
for ok, p in zip(full, procs):
    if not ok:
        p.wait()
time.sleep(2)  # a full one may be stopped when the next one fills up
codes = [p.poll() for p in procs]
print("HOGS alive", sum(c is None for c in codes), "killed", sum(c == -9 for c in codes))
for p in procs:
    p.kill()
    p.wait()
"""

ATTACKS = {
    "attack_read": READ_SECRETS,
    "attack_gradebook": GRADEBOOK,
    "attack_write": WRITE_OUTSIDE,
    "attack_network": NETWORK,
    "attack_fork": FORK,
    "attack_memory": MEMORY,
    "attack_print": PRINT_100MB,
    "attack_shared": FILL_SHARED,
    "attack_tree": TREE_MEMORY,
}

HONEST = {
    "aaa_honest": f"answer = 6 * 7  # {HONEST_MARKER}",
    "mmm_partial": "answer = 41",
    "zzz_honest": "answer = 42",
}
HONEST_SCORES = {"aaa_honest": 3.0, "mmm_partial": 2.0, "zzz_honest": 3.0}


@pytest.fixture(scope="module")
def graded_class(need_sandbox, tmp_path_factory):
    """One class with honest and hostile submissions, autograded in one sandboxed run."""
    root = _make_course(tmp_path_factory.mktemp("sandbox") / "course")
    listener = socket.socket()
    listener.bind(("0.0.0.0", 0))
    listener.listen(16)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    connections: list[tuple] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connections.append(listener.accept()[1])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    host_ip = socket.gethostbyname(socket.gethostname())
    for student, code in HONEST.items():
        _submit(root, student, code)
    for student, code in ATTACKS.items():
        code = code.replace("PORT", str(port)).replace("HOST_IP", host_ip)
        _submit(root, student, _report(code))
    result = _autograde(root, env={**os.environ, "SANDBOX_TEST_SECRET": "teacher-token"})
    stop.set()
    thread.join()
    listener.close()
    return {"root": root, "result": result, "connections": connections}


def test_batch_completes_and_every_submission_is_graded(graded_class):
    """The run ends, and every student, hostile or not, has a recorded, correct grade."""
    result = graded_class["result"]
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    assert "Removing failed assignment" not in log
    expected = {**HONEST_SCORES, **{student: 3.0 for student in ATTACKS}}
    assert _scores(graded_class["root"]) == expected


def test_reading_solutions_or_other_students_is_blocked(graded_class):
    root = graded_class["root"]
    text = _outputs(root, "attack_read")
    assert SOLUTION_MARKER not in text
    assert HONEST_MARKER not in text
    assert "READ " not in text
    assert text.count("BLOCKED read") == 7
    assert "FOUND []" in text
    # The teacher's environment (tokens, paths) does not reach the kernel.
    env_line = next(line for line in text.splitlines() if line.startswith("ENV"))
    assert "SANDBOX_TEST_SECRET" not in env_line
    # The feedback a student would get does not contain them either.
    graded = (root / "autograded" / "attack_read" / "ps1" / "ps1.ipynb").read_text()
    assert SOLUTION_MARKER not in graded and HONEST_MARKER not in graded


def test_gradebook_cannot_be_written_or_replaced(graded_class):
    root = graded_class["root"]
    text = _outputs(root, "attack_gradebook")
    assert text.count("BLOCKED") == 3
    assert "WROTE" not in text and "REPLACED" not in text and "APPENDED" not in text
    with sqlite3.connect(root / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM grade WHERE auto_score >= 999").fetchone() == (0,)
        manual = db.execute("SELECT COUNT(*) FROM grade WHERE manual_score >= 999").fetchone()
        assert manual == (0,)


def test_writing_outside_its_folder_is_blocked(graded_class):
    root = graded_class["root"]
    text = _outputs(root, "attack_write")
    assert "WROTE" not in text.replace("WROTE /tmp/", "")  # its private /tmp is allowed
    assert "own folder write ok" in text
    for path in [
        root / "pwned.txt",
        root / "autograded" / "aaa_honest" / "ps1" / "pwned.txt",
        root / "source" / "ps1" / "pwned.txt",
        Path("/root/pwned.txt"),
        Path("/work/pwned.txt"),
        Path(f"/tmp/healthlab-pwned-{root.name}"),
        Path("/usr/pwned.txt"),
    ]:
        assert not path.exists(), path
    # Its own folder is a private copy: nothing it wrote reaches the real course folder.
    assert not (root / "autograded" / "attack_write" / "ps1" / "left-behind.txt").exists()


def test_network_is_blocked(graded_class):
    text = _outputs(graded_class["root"], "attack_network")
    assert "CONNECTED" not in text
    assert text.count("BLOCKED connect") == 4
    assert graded_class["connections"] == []


def test_fork_bomb_is_refused_and_cleaned_up(graded_class):
    text = _outputs(graded_class["root"], "attack_fork")
    assert "FORKED without limit" not in text
    refused = [line for line in text.splitlines() if line.startswith("REFUSED after")]
    assert refused, text[-2000:]
    assert int(refused[0].split()[2]) < 128
    assert "still alive" in text
    # No process of the sandbox outlives grading.
    if os.geteuid() == 0:
        leftovers = _run(["pgrep", "-u", "65534", "-f", "os.fork"], Path("/"))
        assert leftovers.stdout.strip() == ""


def test_memory_is_limited(graded_class):
    text = _outputs(graded_class["root"], "attack_memory")
    stopped = [line for line in text.splitlines() if line.startswith("STOPPED at")]
    assert stopped, text[-2000:]
    assert int(stopped[0].split()[2]) <= 2048


def test_no_shared_folder_can_be_filled(graded_class):
    """The connection file's folder is read-only; the sockets' folder is private and 1 MiB."""
    text = _outputs(graded_class["root"], "attack_shared")
    assert "BLOCKED run folder 30" in text, text[-2000:]  # EROFS
    full = [line for line in text.splitlines() if line.startswith("FULL sockets folder at")]
    assert full, text[-2000:]
    assert int(full[0].split()[4]) <= sandbox.IPC_SIZE
    assert full[0].split()[5] == "28"  # ENOSPC


def test_memory_of_the_whole_process_tree_is_limited(graded_class):
    from healthlab.grading import cgroups

    group, reason = cgroups.memory_group(1024**2)
    if group is None:
        if REQUIRED:
            pytest.fail(f"{sandbox.REQUIRE_ENV}=1 but no memory cgroup can be made: {reason}")
        pytest.skip(f"no tree-wide memory limit on this machine: {reason}")
    group.remove()
    text = _outputs(graded_class["root"], "attack_tree")
    line = next((ln for ln in text.splitlines() if ln.startswith("HOGS alive")), None)
    assert line, text[-2000:]
    alive, killed = int(line.split()[2]), int(line.split()[4])
    log = graded_class["result"].stdout + graded_class["result"].stderr
    said = [ln for ln in log.splitlines() if "memory" in ln.lower()]
    assert alive <= 3 and killed >= 2, (line, said)  # 5 x 800 MB do not fit in 3 GiB
    assert any("Memory of each kernel's process tree: cgroup" in ln for ln in said), said


def test_each_kernel_has_its_own_memory_group_removed_after(need_sandbox, tmp_path):
    """A kernel started by the sandbox runs in a group of its own, which goes with it."""
    import asyncio

    from healthlab.grading import cgroups

    if cgroups.memory_group(1024**2)[0] is None and not REQUIRED:
        pytest.skip("no memory cgroup on this machine")

    async def start_and_stop() -> tuple:
        km = sandbox.SandboxedKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(tmp_path))
        group = km._memory_group
        held = group is not None and group.holds(km.provisioner.pid)
        await km.shutdown_kernel(now=True)
        return group, held

    group, held = asyncio.run(start_and_stop())
    assert group is not None and held
    assert group.limit == sandbox.SandboxedKernelManager.tree_memory_limit.default_value
    assert not group.path.exists()


def test_huge_output_is_cut(graded_class):
    root = graded_class["root"]
    graded = root / "autograded" / "attack_print" / "ps1" / "ps1.ipynb"
    assert graded.stat().st_size < 5 * 1024**2
    log = graded_class["result"].stdout + graded_class["result"].stderr
    assert log.count("The grading sandbox stopped keeping this notebook's output") == 1
    assert _scores(root)["attack_print"] == 3.0


def _channel_fed(monkeypatch, queue: list[dict], budget: int):
    """The grader's IOPub channel, with ``budget`` bytes, reading its messages from ``queue``."""
    from jupyter_client.channels import AsyncZMQSocketChannel

    async def fake_get_msg(self, timeout=None):
        return queue.pop(0)

    monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", fake_get_msg)
    channel = sandbox._LimitedIOPubChannel.__new__(sandbox._LimitedIOPubChannel)
    channel.budget = budget
    return channel


def test_output_budget_is_kept_in_the_grader(monkeypatch):
    """The IOPub channel drops printed output past its budget but never drops errors,
    results or status messages (a test cell's error decides its score)."""
    import asyncio

    def message(kind: str, content: dict) -> dict:
        return {"msg_type": kind, "header": {"msg_type": kind}, "content": content}

    chunk = "x" * 1000
    queue = [message("stream", {"name": "stdout", "text": chunk}) for _ in range(5)]
    queue += [
        message("execute_result", {"data": {"text/plain": "0.5"}}),
        message("stream", {"name": "stdout", "text": chunk}),
        message("error", {"ename": "AssertionError", "evalue": "", "traceback": []}),
        message("status", {"execution_state": "idle"}),
    ]

    channel = _channel_fed(monkeypatch, queue, budget=2500)

    async def drain() -> list[dict]:
        return [await channel.get_msg() for _ in range(5)]

    received = asyncio.run(drain())
    kinds = [msg["msg_type"] for msg in received]
    assert kinds == ["stream", "stream", "stream", "execute_result", "error"]
    assert "stopped keeping output" in received[2]["content"]["text"]
    assert received[3]["content"]["data"]["text/plain"] == "0.5"
    assert asyncio.run(channel.get_msg())["msg_type"] == "status"


def test_a_probe_reply_is_kept_when_the_budget_is_used_up(monkeypatch):
    """A check's reply has an allowance of its own: a notebook that printed its whole budget
    still gets its checks answered (issue 18), and a probe cannot print without limit."""
    import asyncio

    def stream(text: str) -> dict:
        return {"msg_type": "stream", "header": {"msg_type": "stream"},
                "content": {"name": "stdout", "text": text}}  # fmt: skip

    queue = [stream("x" * 994)]  # 6 + 994: the whole budget
    queue += [stream("@@reply@@{}"), stream("y" * 100), stream("z" * 10)]  # during the probe
    queue += [stream("after"), {"msg_type": "status", "header": {}, "content": {}}]

    channel = _channel_fed(monkeypatch, queue, budget=1000)

    async def run() -> list[dict]:
        got = [await channel.get_msg()]
        channel.begin_probe(50)
        got.append(await channel.get_msg())  # the reply fits the probe's allowance
        got.append(await channel.get_msg())  # 106 does not: dropped; 16 fits what is left
        channel.end_probe()
        got.append(await channel.get_msg())  # the budget again: "after" is cut, with a note
        got.append(await channel.get_msg())
        return got

    texts = [m["content"].get("text", "") for m in asyncio.run(run())]
    assert texts[:3] == ["x" * 994, "@@reply@@{}", "z" * 10]
    assert "stopped keeping output" in texts[3]
    assert texts[4] == ""  # the status message
    assert not queue


def test_honest_scores_match_unsandboxed(graded_class, tmp_path):
    """Honest submissions score exactly what plain nbgrader gives them without the sandbox."""
    plain = _make_course(tmp_path / "plain", sandboxed=False)
    for student, code in HONEST.items():
        _submit(plain, student, code)
    result = _autograde(plain)
    assert result.returncode == 0, result.stdout + result.stderr
    unsandboxed = _scores(plain)
    assert unsandboxed == HONEST_SCORES
    sandboxed = _scores(graded_class["root"])
    assert {student: sandboxed[student] for student in HONEST} == unsandboxed


def test_formgrader_autograde_button_is_sandboxed(need_sandbox, tmp_path):
    """The formgrader's autograde button calls NbGraderAPI.autograde in the server process,
    with the course's config loaded: the same hostile submission is blocked there too."""
    root = _make_course(tmp_path / "course")
    _submit(root, "aaa_honest", HONEST["aaa_honest"])
    _submit(root, "eve", _report(READ_SECRETS))
    assert _autograde(root).returncode == 0  # grades aaa_honest (and eve) once
    script = textwrap.dedent(
        f"""
        from traitlets.config.loader import PyFileConfigLoader
        from nbgrader.apps.api import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        config = PyFileConfigLoader("nbgrader_config.py", path={str(root)!r}).load_config()
        coursedir = CourseDirectory(config=config, root={str(root)!r})
        api = NbGraderAPI(coursedir, config=config)
        result = api.autograde("ps1", "eve", force=True)
        print("SUCCESS", result["success"])
        """
    )
    result = _run([sys.executable, "-c", script], root)
    assert "SUCCESS True" in result.stdout, result.stdout + result.stderr
    text = _outputs(root, "eve")
    assert SOLUTION_MARKER not in text and HONEST_MARKER not in text
    assert text.count("BLOCKED read") == 7
    assert _scores(root)["eve"] == 3.0


def test_limits_and_isolation_inside_the_kernel(need_sandbox, tmp_path):
    """Check from inside a sandboxed kernel: user, limits, mounts, /tmp, userns, TIOCSTI."""
    root = _make_course(tmp_path / "course")
    probe = """
    import ctypes, os, resource
    print("UID", os.getuid())
    print("NPROC", resource.getrlimit(resource.RLIMIT_NPROC)[0])
    print("AS", resource.getrlimit(resource.RLIMIT_AS)[0])
    print("CPU", resource.getrlimit(resource.RLIMIT_CPU)[0])
    print("FSIZE", resource.getrlimit(resource.RLIMIT_FSIZE)[0])
    print("TMP", os.path.exists("HOST_TMP_FILE"))
    print("HOMEDIR", os.path.expanduser("~"))
    print("CWD", os.getcwd())
    import sys
    seen = [open("/proc/self/mountinfo").read(), os.getcwd(), repr(dict(os.environ)), repr(sys.argv)]
    print("COURSE_SEEN", any("COURSE_PATH" in text for text in seen))
    libc = ctypes.CDLL(None, use_errno=True)
    print("USERNS", libc.unshare(0x10000000), ctypes.get_errno())
    try:
        os.open("/dev/tty", os.O_RDWR)
        print("TTY opened")
    except OSError as error:
        print("TTY blocked", type(error).__name__)
    try:
        with open("big.bin", "wb") as handle:
            handle.write(b"0" * (101 * 1024 * 1024))
        print("BIGFILE written")
    except OSError as error:
        print("BIGFILE blocked", error.errno)
    """
    host_file = Path(tempfile.gettempdir()) / f"healthlab-host-only-{os.getpid()}"
    host_file.write_text("the teacher's temporary file")
    probe = probe.replace("HOST_TMP_FILE", str(host_file)).replace("COURSE_PATH", str(root))
    _submit(root, "probe", _report(probe))
    result = _autograde(root, env={**os.environ, "SANDBOX_TEST_SECRET": "teacher-token"})
    assert result.returncode == 0, result.stdout + result.stderr
    text = _outputs(root, "probe")
    values = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
    assert values["UID"] != "0" or os.geteuid() != 0
    assert values["NPROC"] == "128"
    assert values["AS"] == str(2 * 1024**3)
    assert values["CPU"] == "300"
    assert values["FSIZE"] == str(100 * 1024**2)
    host_file.unlink()
    assert values["TMP"] == "False"  # a private /tmp: the host's files are not there
    assert values["HOMEDIR"] == "/tmp/home"
    assert values["CWD"] == "/home/student/ps1"  # a neutral path, not the course's
    assert values["COURSE_SEEN"] == "False"  # nor in the mount table, environment or argv
    assert values["USERNS"].split()[0] == "-1"
    assert values["TTY"].startswith("blocked")  # no controlling terminal: no TIOCSTI
    assert values["BIGFILE"] == "blocked 27"  # EFBIG, and the kernel lives on
    assert _scores(root) == {"probe": 3.0}


def test_without_bwrap_nbgrader_warns_loudly(tmp_path):
    """No bwrap on PATH: plain nbgrader still grades, and says loudly that it is unsandboxed."""
    root = _make_course(tmp_path / "course")
    _submit(root, "ada", "answer = 42")
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    result = _autograde(root, env=env)
    log = result.stdout + result.stderr
    assert "GRADING SANDBOX NOT AVAILABLE" in log
    assert "apt-get install bubblewrap" in log
    assert _scores(root) == {"ada": 3.0}


def test_available_explains_how_to_install(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    ok, reason = sandbox.available()
    assert ok is False
    assert "apt-get install bubblewrap" in reason
    assert "JupyterHub" in reason
    assert "macOS" in reason


def test_configure_nbgrader_wraps_a_custom_execute(monkeypatch):
    """A course that already replaced nbgrader's Execute keeps its class, sandboxed."""
    from nbgrader.preprocessors import Execute, LimitOutput
    from traitlets.config import Config

    class MyExecute(Execute):
        pass

    c = Config()
    c.Autograde.autograde_preprocessors = [MyExecute, LimitOutput]
    monkeypatch.setattr(sandbox, "available", lambda: (True, "test"))
    assert sandbox.configure_nbgrader(c, course_root="/srv/course") is True
    first, second = c.Autograde.autograde_preprocessors
    assert issubclass(first, MyExecute) and second is LimitOutput
    assert first(config=c).kernel_manager_class is sandbox.SandboxedKernelManager
    monkeypatch.setattr(sandbox, "available", lambda: (False, "no bwrap"))
    c = Config()
    assert sandbox.configure_nbgrader(c, course_root="/srv/course") is False
    execute = c.Autograde.autograde_preprocessors[0](config=c)
    assert execute.kernel_manager_class is sandbox.UnsandboxedKernelManager


def test_bwrap_argv_never_mounts_the_course_or_home(tmp_path):
    course = tmp_path / "course"
    workdir = course / "autograded" / "ada" / "ps1"
    workdir.mkdir(parents=True)
    (course / "source").mkdir()
    shared = tmp_path / "shared-data"
    shared.mkdir()
    argv = sandbox.bwrap_argv(
        ["python", "-V"],
        str(workdir),
        str(tmp_path / "run"),
        course_root=str(course),
        read_only=[
            str(course),
            str(course / "source"),
            str(tmp_path),
            os.path.expanduser("~"),
            "/tmp",
            str(shared),
        ],
        bwrap="bwrap",
    )
    if os.geteuid() == 0:  # after setpriv comes the inner bwrap, which re-binds the sandbox
        argv = argv[: next(i for i, arg in enumerate(argv) if arg.endswith("setpriv"))]
    mounted = [argv[i + 1] for i, arg in enumerate(argv) if arg in ("--ro-bind", "--bind")]
    assert mounted, argv
    assert str(shared) in mounted  # a folder beside the course is fine
    assert "/tmp" not in mounted
    for path in mounted:
        if path == str(workdir):  # the submission itself, read-only, for copying
            continue
        if path == str(tmp_path / "run"):  # the connection file's folder, read-only
            assert argv[argv.index(path) - 1] == "--ro-bind"
            continue
        assert not sandbox._is_within(str(course), path), path
        assert not sandbox._is_within(path, str(course)), path
        assert not sandbox._is_within(os.path.expanduser("~"), path), path
    with pytest.raises(ValueError, match="memory_limit"):
        sandbox.bwrap_argv(["python"], str(workdir), "/tmp/r", memory_limit=0, bwrap="bwrap")
    with pytest.raises(ValueError, match="contains the course root"):
        sandbox.bwrap_argv(["python"], str(tmp_path), "/tmp/r", course_root=str(course))
