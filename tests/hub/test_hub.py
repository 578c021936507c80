"""The school server, for real: deploy/install.sh, a JupyterHub with configurable-http-proxy on
127.0.0.1, a teacher and three students who are real Unix accounts (removed afterwards), and the
whole nbgrader cycle driven as each of them through the hub.

Students act only through their own single-user server, with their own token: the hub's REST
API starts it, nbgrader's assignment-list server extension fetches and submits
(``/user/<name>/assignments/...``), the contents API saves their work and a kernel (over the
proxy's websocket) runs their code. The teacher acts through the formgrader service's API and
with ``nbgrader`` / ``healthlab grade`` run as the teacher's account. Submissions come from the
grading battery (tests/grading/battery.py): one correct, one partly wrong, one hostile (it tries
to read the course's source, the gradebook and the exchange's inbox from inside grading, then
ignores the interrupt and loops forever).

The last test starts a second hub with the first-use authenticator (a school without a
directory: names added by a teacher, passwords chosen at first login, Unix accounts made by the
hub).

Opt-in, because it makes accounts on the machine: ``HEALTHLAB_HUB_TEST=1`` (``make hub-test``;
CI sets it). It needs root on Debian or Ubuntu; with ``HEALTHLAB_HUB_TEST=1`` on a machine that
cannot run it, it fails rather than skips. The tests run in file order and share one hub.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "grading"))

import harness as H  # noqa: E402

ASSIGNMENT = "a1-health-data"
COURSE = H.COURSE_ID
REQUESTED = os.environ.get("HEALTHLAB_HUB_TEST") == "1"
OK, WHY = H.can_run()

pytestmark = [
    pytest.mark.hub,
    pytest.mark.skipif(
        not REQUESTED, reason="hub test is opt-in: HEALTHLAB_HUB_TEST=1 (make hub-test)"
    ),
]

# Read, write and list attempts the hostile submission makes while it is being graded (as the
# teacher's account, so only the sandbox stands between it and the teacher's files).
EXFILTRATE = """
import os, pathlib
for _p in {paths!r}:
    try:
        _data = pathlib.Path(_p).read_bytes() if os.path.isfile(_p) else os.listdir(_p)
        print('LEAKED', _p, str(_data)[:200])
    except Exception as _e:
        print('blocked', _p, type(_e).__name__)
try:
    open({gradebook!r}, 'wb').write(b'owned')
    print('LEAKED wrote the gradebook')
except Exception as _e:
    print('blocked gradebook write', type(_e).__name__)
"""


@pytest.fixture(scope="module")
def hub():
    if not OK:
        pytest.fail(f"HEALTHLAB_HUB_TEST=1 but this machine cannot run the hub test: {WHY}")
    hub = H.install_and_start(n_students=3, mem_limit="1G")
    try:
        yield hub
    finally:
        hub.close()


@pytest.fixture(scope="module")
def state():
    return {}


def need(state: dict, key: str):
    if key not in state:
        pytest.fail(f"an earlier step of the cycle failed ({key} missing)")
    return state[key]


def test_install_is_idempotent_and_private(hub):
    """The installer's second run changes nothing and keeps teachers' material private."""
    again = H.run(
        ["bash", str(H.INSTALL)],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")},
             "CONFIG_DIR": str(hub.config_dir), "SERVICE": "no",
             "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        timeout=900,
    )  # fmt: skip
    assert "installing the course's pinned packages" not in again.stdout, again.stdout
    assert "configurable-http-proxy 5.3.0" not in again.stdout
    assert (hub.course_dir.stat().st_mode & 0o777) == 0o700
    assert hub.course_dir.owner() == hub.teacher.name
    assert (hub.exchange.stat().st_mode & 0o7777) == 0o1777
    inbound = hub.exchange / COURSE / "inbound"
    assert (inbound.stat().st_mode & 0o7777) == 0o2733 and inbound.owner() == hub.teacher.name
    content = H.PREFIX / "course"
    names = {p.relative_to(content).as_posix() for p in content.rglob("*")}
    assert "notebooks/00-welcome.ipynb" in names
    assert not any("teacher" in n or "assignments" in n or "source" in n for n in names), names
    version = H.run([str(hub.venv / "bin" / "jupyterhub"), "--version"]).stdout.strip()
    assert version == "6.1.1"
    chp = H.PREFIX / "node" / "bin" / "configurable-http-proxy"
    assert H.run([str(chp), "--version"]).stdout.strip() == "5.3.0"
    # The shared environment is Debian's python3, readable and usable by a student account.
    student = hub.students[0].name
    out = hub.as_user(student, str(hub.venv / "bin" / "python"), "-c",
                      "import healthlab, nbgrader, sys; print(sys.base_prefix)").stdout  # fmt: skip
    assert out.strip() == "/usr"
    # binder/excludes.txt: left out of the shared environment, as of the student's own
    left_out = H.run([str(hub.venv / "bin" / "python"), "-m", "pip", "show", "--quiet",
                      "rfc3987-syntax", "lark"], check=False)  # fmt: skip
    assert left_out.returncode != 0 and "rfc3987" not in left_out.stdout, left_out.stdout


def test_pam_login_and_roles(hub):
    """Real passwords through PAM; only the course's groups may log in."""
    good = H.login(hub, hub.students[0])
    assert good.login_status == 302
    bad = H.login(hub, H.Account(hub.students[0].name, "not-the-password"))
    assert bad.login_status == 403
    outsider = f"hlt-outsider-{os.getpid()}"
    H.run(["useradd", "--create-home", outsider])
    try:
        subprocess.run(["chpasswd"], input=f"{outsider}:Outsider-pw-1\n", text=True, check=True)
        assert H.login(hub, H.Account(outsider, "Outsider-pw-1")).login_status == 403
    finally:
        subprocess.run(["userdel", "--remove", outsider], capture_output=True)
    groups = {g["name"]: g["users"] for g in hub.api("GET", "/groups").json()}
    assert groups[f"formgrade-{COURSE}"] == [hub.teacher.name]
    assert sorted(groups[f"nbgrader-{COURSE}"]) == sorted(s.name for s in hub.students)


def test_first_login_gets_the_student_workspace(hub, state):
    """Each student's first start makes ~/my-course (no outputs, no teacher material), home 700."""
    from concurrent.futures import ThreadPoolExecutor

    everyone = [*hub.students, hub.teacher]
    for account in everyone:
        account.token = hub.user_token(account.name)
    with ThreadPoolExecutor(len(everyone)) as pool:  # they log in at the same time
        seconds = list(pool.map(lambda a: hub.start_server(a.name), everyone))
    state["ready"] = {a.name: s for a, s in zip(everyone, seconds, strict=True)}
    for account in hub.students:
        home = account.home
        assert (home.stat().st_mode & 0o777) == 0o700, f"{home} is readable by others"
        work = home / "my-course"
        lesson = json.loads((work / "00-welcome.ipynb").read_text())
        assert all(not c.get("outputs") for c in lesson["cells"] if c["cell_type"] == "code")
        assert not (work / "teacher-notes").exists() and not (work / "assignments").exists()
        assert (work / "datasets").is_dir()
        # their own server: formgrader is not there; the assignment list is
        assert hub.user_request(account, "GET", "formgrader").status_code == 404
        r = hub.user_request(account, "GET", "assignments", params={"course_id": COURSE})
        assert r.status_code == 200 and r.json()["success"], r.text
    state["started"] = True


def test_limits_apply_to_each_student(hub, state):
    """Processes are limited per account; memory per student where control groups exist."""
    need(state, "started")
    account = hub.students[1]
    kernel = H.start_kernel(hub, account)
    out = H.execute(
        hub, account, kernel, "import resource\nprint(resource.getrlimit(resource.RLIMIT_NPROC))"
    )
    assert out["stdout"].strip() == "(512, 512)", out
    limited = "memory limit 1073741824 for " + account.name in hub.log_tail(10**7)
    if limited:
        # 1.5 GB in a 1 GB limit: the kernel is stopped; the server and other students go on.
        with pytest.raises(H.KernelError):
            H.execute(
                hub, account, kernel, "x = bytearray(1500 * 1024**2)\nprint('survived')", timeout=90
            )
        assert hub.user_request(account, "GET", "api/status").status_code == 200
    else:
        state["memory_not_enforced"] = True
    hub.user_request(account, "DELETE", f"api/kernels/{kernel}")


def test_release_fetch_work_submit(hub, state):
    need(state, "started")
    import battery as B
    import nbformat

    teacher = hub.teacher
    hub.as_user(teacher.name, "sh", "-c", f"cd '{hub.course_dir}' && nbgrader generate_assignment "
                f"{ASSIGNMENT} --force && nbgrader release_assignment {ASSIGNMENT} --force")  # fmt: skip
    cases = {c.student: c for c in B.battery(ASSIGNMENT)}
    correct, wrong, hostile = cases["correct"], cases["partly"], cases["sigint"]
    # the exfiltration goes into the first answer (its output is kept); the battery's loop that
    # ignores the interrupt stays in task 3, so the expected mark is the battery's own
    first_answer = B.SPEC[ASSIGNMENT]["tasks"][0][0]
    exfil = EXFILTRATE.format(
        paths=[str(hub.course_dir / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
               str(hub.course_dir / "source"), str(hub.course_dir / "gradebook.db"),
               str(hub.exchange / COURSE / "inbound"), str(hub.students[0].home)],
        gradebook=str(hub.course_dir / "gradebook.db"),
    )  # fmt: skip
    hostile.answers = {**hostile.answers, first_answer: exfil + hostile.answers[first_answer]}
    plan = dict(zip([s.name for s in hub.students], (correct, wrong, hostile), strict=True))
    state["plan"] = plan
    path = f"{COURSE}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    for account in hub.students:
        r = hub.user_request(account, "POST", "assignments/fetch",
                             params={"course_id": COURSE, "assignment_id": ASSIGNMENT})  # fmt: skip
        assert r.status_code == 200 and r.json()["success"], r.text
        fetched = {a["assignment_id"]: a["status"] for a in r.json()["value"]}
        assert fetched[ASSIGNMENT] == "fetched"
        # work: open the fetched notebook, type the answers in, save (contents API)
        got = hub.user_request(account, "GET", f"api/contents/{path}", params={"content": "1"})
        assert got.status_code == 200, got.text
        released = nbformat.from_dict(got.json()["content"])
        case = plan[account.name]
        work = B.fill(released, case.answers or {}, drop=case.drop)
        for cell in work.cells:  # a mark of whose work this is, to find in the feedback
            if B.grade_id(cell) == first_answer:
                cell.source = f"# my own work: {account.name}\n" + cell.source
        saved = hub.user_request(account, "PUT", f"api/contents/{path}",
                                 json={"type": "notebook", "format": "json", "content": work})  # fmt: skip
        assert saved.status_code == 200, saved.text
        r = hub.user_request(account, "POST", "assignments/submit",
                             params={"course_id": COURSE, "assignment_id": ASSIGNMENT})  # fmt: skip
        assert r.status_code == 200 and r.json().get("success") is not False, r.text
        mine = [a for a in r.json()["value"] if a["status"] == "submitted"]
        assert mine and all(s["student_id"] == account.name for a in mine for s in a["submissions"])
    state["submitted"] = True


def test_students_cannot_see_each_other_or_the_course(hub, state):
    """As each student's own account: no other home, no inbox listing, no course folder."""
    need(state, "submitted")
    a, b = hub.students[0], hub.students[1]
    theirs = a.home / COURSE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    attempts = {
        "another student's work": ["cat", str(theirs)],
        "the exchange's inbox": ["ls", str(hub.exchange / COURSE / "inbound")],
        "the course folder": ["ls", str(hub.course_dir)],
        "the course's source": ["cat", str(hub.course_dir / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")],
    }  # fmt: skip
    for what, command in attempts.items():
        result = hub.as_user(b.name, *command, check=False)
        assert result.returncode != 0 and "Permission denied" in result.stderr, (what, result)
    # the submission exists, so the denial above is a denial and not an absence
    assert theirs.exists()
    # formgrader through the hub: a student's token and a student's browser session get 403
    url = f"{hub.url}/services/{COURSE}/formgrader/api/assignments"
    import requests

    r = requests.get(url, headers={"Authorization": f"token {b.token}"}, allow_redirects=False)
    assert r.status_code == 403
    session = H.login(hub, b)
    page = session.get(f"{hub.url}/services/{COURSE}/formgrader/", timeout=60)
    assert page.status_code == 403 and "manage_assignments" not in page.url


def test_collect_and_grade_in_the_sandbox(hub, state):
    plan = need(state, "plan")
    need(state, "submitted")
    teacher = hub.teacher
    collected = hub.as_user(
        teacher.name, "sh", "-c", f"cd '{hub.course_dir}' && nbgrader collect {ASSIGNMENT}"
    )
    for account in hub.students:
        assert (
            hub.course_dir / "submitted" / account.name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        ).exists(), collected.stdout + collected.stderr
    began = time.monotonic()
    graded = hub.as_user(
        teacher.name, "sh", "-c",
        f"cd '{hub.course_dir}' && healthlab grade {ASSIGNMENT} --cell-timeout 20 --timeout 150",
        check=False,
    )  # fmt: skip
    state["grade_seconds"] = time.monotonic() - began
    log = graded.stdout + graded.stderr
    assert graded.returncode in (0, 1), log  # 1: the hostile submission needs attention
    reports = hub.course_dir / "reports" / ASSIGNMENT
    report = json.loads((reports / "class-report.json").read_text())
    assert report["sandboxed"] is True, log
    rows = {r["student_id"]: r for r in csv.DictReader(open(reports / "grades.csv"))}
    for name, case in plan.items():
        assert float(rows[name]["autograded_score"]) == case.auto, (name, rows[name], log[-3000:])
        for problem in case.problems:
            assert problem in rows[name]["problems"], (name, rows[name])
    state["rows"] = rows
    # the hostile code read and wrote nothing of the teacher's while it was graded
    hostile = next(n for n, c in plan.items() if c.student == "sigint")
    graded_nb = json.loads(
        (hub.course_dir / "autograded" / hostile / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    )
    printed = "".join(
        "".join(o.get("text", "")) for c in graded_nb["cells"] for o in c.get("outputs", [])
    )
    assert "LEAKED" not in printed and printed.count("blocked") == 6, printed[:3000]
    assert (hub.course_dir / "gradebook.db").read_bytes()[:15] == b"SQLite format 3"
    state["graded"] = True


def test_teachers_formgrader_answers_through_the_hub(hub, state):
    need(state, "graded")
    import requests

    teacher = hub.teacher
    base = f"{hub.url}/services/{COURSE}/formgrader"
    headers = {"Authorization": f"token {teacher.token}"}
    r = requests.get(f"{base}/api/assignments", headers=headers, timeout=60)
    assert r.status_code == 200, r.text
    a1 = next(a for a in r.json() if a["name"] == ASSIGNMENT)
    assert a1["num_submissions"] == 3
    subs = requests.get(f"{base}/api/submissions/{ASSIGNMENT}", headers=headers, timeout=60).json()
    scores = {s["student"]: s["code_score"] for s in subs}
    for name, case in state["plan"].items():
        assert scores[name] == case.auto
    # The teacher's browser session opens formgrader as a page of its own (not in a frame).
    session = H.login(hub, teacher)
    page = session.get(f"{base}/", timeout=60)
    assert page.status_code == 200 and page.url.endswith("/formgrader/manage_assignments"), page.url
    assert ASSIGNMENT in page.text or "Manage Assignments" in page.text
    # Why it is blank inside JupyterLab's tab (nbgrader #1870/#1919): JupyterHub 4.1+ forbids
    # framing a server's pages. Observed here, on the service and on a user's own server.
    assert "frame-ancestors 'none'" in page.headers.get("Content-Security-Policy", "")


def test_feedback_reaches_only_its_student(hub, state):
    need(state, "graded")
    teacher = hub.teacher
    hub.as_user(
        teacher.name, "sh", "-c", f"cd '{hub.course_dir}' && nbgrader release_feedback {ASSIGNMENT}"
    )
    texts = {}
    for account in hub.students:
        r = hub.user_request(account, "POST", "assignments/fetch_feedback",
                             params={"course_id": COURSE, "assignment_id": ASSIGNMENT})  # fmt: skip
        assert r.status_code == 200 and r.json()["success"], r.text
        pages = list((account.home / COURSE / ASSIGNMENT / "feedback").rglob("*.html"))
        assert len(pages) == 1, pages
        assert pages[0].owner() == account.name
        texts[account.name] = pages[0].read_text()
    for name, text in texts.items():
        assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
        case = state["plan"][name]
        assert f"{ASSIGNMENT} (Score: {float(case.auto)} / 18.0)" in text, text[:2000]
        # each page holds its own student's work and nobody else's
        assert f"my own work: {name}" in text
        for other in texts:
            if other != name:
                assert f"my own work: {other}" not in text
    # a student cannot read the feedback folder's listing or another's fetched feedback
    a, b = hub.students[0], hub.students[1]
    assert (
        hub.as_user(b.name, "ls", str(hub.exchange / COURSE / "feedback"), check=False).returncode
        != 0
    )
    assert hub.as_user(b.name, "ls", str(a.home / COURSE), check=False).returncode != 0


def test_course_update_keeps_students_work(hub, state):
    """A later course update reaches a student's next start; a lesson they edited is kept."""
    need(state, "started")
    account = hub.students[0]
    path = "my-course/00-welcome.ipynb"
    got = hub.user_request(account, "GET", f"api/contents/{path}", params={"content": "1"}).json()
    nb = got["content"]
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "MY OWN NOTES"})
    saved = hub.user_request(account, "PUT", f"api/contents/{path}",
                             json={"type": "notebook", "format": "json", "content": nb})  # fmt: skip
    assert saved.status_code == 200
    content = H.PREFIX / "course" / "notebooks"
    lesson = content / "01-patient-records.ipynb"
    original = lesson.read_bytes()
    new_lesson = content / "99-course-update.ipynb"
    welcome = content / "00-welcome.ipynb"
    welcome_original = welcome.read_bytes()
    try:  # the course is updated: a lesson changed, one added, 00 changed too
        changed = json.loads(original)
        changed["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "UPDATED"})
        lesson.write_text(json.dumps(changed))
        new_lesson.write_text(json.dumps(changed))
        w = json.loads(welcome_original)
        w["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "COURSE CHANGE"})
        welcome.write_text(json.dumps(w))
        hub.stop_server(account.name)
        hub.start_server(account.name)
        work = account.home / "my-course"
        assert "UPDATED" in (work / "01-patient-records.ipynb").read_text()
        assert (work / "99-course-update.ipynb").exists()
        mine = (work / "00-welcome.ipynb").read_text()
        assert "MY OWN NOTES" in mine and "COURSE CHANGE" not in mine
        # and their assignment work is where they left it
        assert (account.home / COURSE / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    finally:
        lesson.write_bytes(original)
        welcome.write_bytes(welcome_original)
        new_lesson.unlink(missing_ok=True)


def test_report_timings(hub, state):
    """Not a check: what this run measured, for the record (printed with -s or in the log)."""
    need(state, "started")
    print(json.dumps({"install_seconds": round(hub.install_seconds, 1),
                      "ready_seconds": {k: round(v, 1) for k, v in state["ready"].items()},
                      "grade_seconds": round(state.get("grade_seconds", 0), 1),
                      "memory_not_enforced": state.get("memory_not_enforced", False)}))  # fmt: skip


def test_first_use_authenticator_for_a_school_without_a_directory(hub):
    """AUTHENTICATOR=firstuse: a teacher adds names, each student chooses a password at first
    login, and their server runs as a Unix account jupyter-<name> that the hub makes.

    A second hub (the last test: its install rewrites the shared prefix's nbgrader settings)."""
    other = H.install_and_start(n_students=1, authenticator="firstuse")
    try:
        student = other.students[0]
        # a name no teacher added cannot log in, whatever the password
        assert H.login(other, H.Account("hlt-nobody", "Whatever-pw-1")).login_status == 403
        r = other.api("POST", "/users", json={"usernames": [student.name]})  # the admin page's call
        assert r.status_code == 201, r.text
        assert H.login(other, student).login_status == 302  # first login: sets the password
        assert H.login(other, H.Account(student.name, "Another-pw-2")).login_status == 403
        assert H.login(other, student).login_status == 302
        student.token = other.user_token(student.name)
        other.start_server(student.name)
        unix = pwd.getpwnam(f"jupyter-{student.name}")
        home = Path(unix.pw_dir)
        assert (home.stat().st_mode & 0o777) == 0o700
        assert (home / "my-course" / "00-welcome.ipynb").owner() == unix.pw_name
        assert f"{COURSE}-students" in H.run(["id", "-nG", unix.pw_name]).stdout.split()
        assert H.processes_of([unix.pw_name]), "the server runs as jupyter-<name>"
        r = other.user_request(student, "GET", "assignments", params={"course_id": COURSE})
        assert r.status_code == 200 and r.json()["success"], r.text
    finally:
        other.close()
