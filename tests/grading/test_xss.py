"""No script a student's code outputs runs in the teacher's browser (issue 17).

A submission displays HTML with a ``<script>``, an ``onerror`` handler and a JavaScript output,
and its written answer holds an ``<img onerror=...>``. Every payload would make the browser
call a listener on 127.0.0.1 that the test runs. The class is graded with ``healthlab grade``;
then a real browser (Debian's Chromium, headless) opens the student's feedback page and the
teacher's formgrader page for the submission, and the listener must hear nothing. A control
page with the same payloads, not cleaned, proves the listener would hear them.
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
import uuid

import battery as B
import nbformat
import pytest

pytestmark = pytest.mark.grading
ASSIGNMENT = "a1-health-data"
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(
    not (CHROMEDRIVER and CHROMIUM) and not os.environ.get("CI"),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Listener:
    """Records every request that reaches it: a script that ran would call it."""

    def __init__(self) -> None:
        heard = self.heard = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                heard.append(self.path)
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def payloads(port: int) -> tuple[str, str]:
    url = f"http://127.0.0.1:{port}"
    code = (
        "from IPython.display import HTML, Javascript, display\n"
        f'display(HTML(\'<b>visible student text</b><img src="x" onerror="fetch(\\\'{url}/onerror\\\')">'
        f"<script>fetch(\\'{url}/script\\')</script>"
        f"<a href=\"javascript:fetch(\\'{url}/link\\')\">link</a>'))\n"
        f"display(Javascript('fetch(\"{url}/javascript\")'))\n"
    )
    markdown = f"My answer. <img src=x onerror=\"fetch('{url}/markdown')\"> The end."
    return code, markdown


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1200,900"):  # fmt: skip
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir=/tmp/healthlab-xss-{uuid.uuid4().hex}")
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from healthlab.grading.teacher import grade_assignment

    listener = Listener()
    course = B.new_course(tmp_path_factory.mktemp("xss"))
    release_nb = B.release(course, ASSIGNMENT)
    code, markdown = payloads(listener.port)
    sol = B.solutions(ASSIGNMENT)
    first = next(c for c in release_nb.cells if c.metadata.get("nbgrader", {}).get("solution")
                 and c.cell_type == "code")  # fmt: skip
    answers = {**sol, B.grade_id(first): code + sol[B.grade_id(first)]}
    written = next(c for c in release_nb.cells if c.metadata.get("nbgrader", {}).get("solution")
                   and c.cell_type == "markdown")  # fmt: skip
    answers[B.grade_id(written)] = markdown
    nb = B.fill(release_nb, answers)
    folder = course / "submitted" / "xss" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    report = grade_assignment(course, ASSIGNMENT, timeout=150, cell_timeout=30)
    yield course, report, listener
    listener.close()


def wait_and_read(listener: Listener, seconds: float = 4.0) -> list[str]:
    time.sleep(seconds)
    return list(listener.heard)


@needs_browser
def test_the_listener_hears_an_uncleaned_page(browser, graded, tmp_path):
    _, _, listener = graded
    code, markdown = payloads(listener.port)
    url = f"http://127.0.0.1:{listener.port}"
    page = tmp_path / "control.html"
    page.write_text(f"<html><body><img src=x onerror=\"fetch('{url}/control')\"></body></html>")
    before = len(listener.heard)
    browser.get(page.as_uri())
    heard = wait_and_read(listener)
    assert "/control" in heard[before:], "the control payload should reach the listener"
    listener.heard.clear()


@needs_browser
def test_no_student_script_runs_in_the_feedback(browser, graded):
    course, report, listener = graded
    graded_result = next(r for r in report.students if r.student == "xss")
    assert graded_result.graded and graded_result.auto_score == graded_result.auto_max
    pages = sorted((course / "feedback" / "xss" / ASSIGNMENT).glob("*.html"))
    assert pages
    listener.heard.clear()
    browser.get(pages[0].as_uri())
    assert wait_and_read(listener) == []
    assert "visible student text" in browser.page_source  # the safe part still shows


@needs_browser
def test_no_student_script_runs_in_formgrader(browser, graded):
    from nbgrader.api import Gradebook

    from healthlab.launch import teacher_command

    course, _, listener = graded
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook_id = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "xss").id
    token = uuid.uuid4().hex
    port = free_port()
    argv, env = teacher_command(course, port=port, token=token)
    proc = subprocess.Popen(argv, cwd=course, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                time.sleep(0.5)
        listener.heard.clear()
        browser.get(f"{base}/formgrader/submissions/{notebook_id}/?token={token}")
        assert wait_and_read(listener, 6) == []
        assert "visible student text" in browser.page_source
    finally:
        proc.terminate()
        proc.wait(timeout=30)
