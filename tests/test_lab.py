"""The course opens in a real JupyterLab and the welcome lesson runs there (issues 2 and 18).

Starts `jupyter lab` exactly as `make lab` does (``healthlab.launch.student_command`` on a fresh
student workspace; as root too, and without a browser), then behaves like the browser: loads
the course home, reads the lesson through the contents API, starts a kernel through the server
and runs every code cell over the kernel's websocket. It also asks the server what a student
can reach (no teacher material, no nbgrader tools), and starts the teacher's JupyterLab
(``make teacher``) to check that formgrader answers there.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = uuid.uuid4().hex
LESSON = "00-welcome.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(argv: list[str], env: dict[str, str], cwd: Path):
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cwd
    )
    base = argv[argv.index(next(a for a in argv if a.startswith("--ServerApp.port=")))]
    base = "http://127.0.0.1:" + base.split("=", 1)[1]
    deadline = time.monotonic() + 120  # a loaded 2-core machine can take a while to start
    while time.monotonic() < deadline:
        try:
            get(base, "/api/status")
            return proc, base
        except OSError:
            if proc.poll() is not None:
                pytest.fail("jupyter lab exited:\n" + proc.stdout.read().decode())
            time.sleep(0.3)
    proc.kill()
    pytest.fail("jupyter lab did not answer within 120 s")


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def workspace_dir(tmp_path_factory):
    from healthlab import workspace

    target = tmp_path_factory.mktemp("student") / "my-course"
    workspace.update(ROOT, target)
    return target


@pytest.fixture(scope="module")
def server(workspace_dir):
    from healthlab.launch import student_command

    argv, env = student_command(workspace_dir, port=free_port(), token=TOKEN)
    assert "--no-browser" in argv
    if os.geteuid() == 0:
        assert "--allow-root" in argv
    proc, base = start(argv, env, workspace_dir)
    yield base
    stop(proc)


@pytest.fixture(scope="module")
def teacher_server():
    from healthlab.launch import teacher_command

    argv, env = teacher_command(ROOT / "assignments", port=free_port(), token=TOKEN)
    proc, base = start(argv, env, ROOT / "assignments")
    yield base
    stop(proc)


def get(base: str, path: str, method: str = "GET", body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Authorization", f"token {TOKEN}")
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
        kind = response.headers.get("Content-Type", "")
        return json.loads(raw) if "json" in kind and raw else raw.decode()


def page_config(page: str) -> dict:
    found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                      page, re.S)  # fmt: skip
    assert found, "the lab page carries its configuration"
    return json.loads(found.group(1))


def test_course_home_opens_rendered(server):
    page = get(server, "/lab/tree/README.md")
    assert "JupyterLab" in page
    # The address the lab command prints (and the bare server address) open the course home.
    opened = urllib.request.urlopen(f"{server}/?token={TOKEN}", timeout=30).geturl()
    assert opened.split("?")[0].endswith("/lab/tree/README.md"), opened
    home = get(server, "/api/contents/README.md?content=1&type=file&format=text")
    assert "00-welcome.ipynb" in home["content"]
    assert "teacher-notes" not in home["content"] and "For teachers" not in home["content"]
    settings = get(server, "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
    # binder/overrides.json (installed by `make lab` and Binder's postBuild) changes the default.
    viewers = settings["schema"]["properties"]["defaultViewers"]["default"]
    assert viewers.get("markdown") == "Markdown Preview", "the course home must open rendered"


async def run_cells(server: str, kernel_id: str, sources: list[str]) -> list[dict]:
    from tornado.websocket import websocket_connect

    url = server.replace("http", "ws") + f"/api/kernels/{kernel_id}/channels?token={TOKEN}"
    ws = await websocket_connect(url)
    session = uuid.uuid4().hex
    replies = []
    for source in sources:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "username": "test", "session": session,
                  "msg_type": "execute_request", "version": "5.3"}  # fmt: skip
        content = {"code": source, "silent": False, "store_history": True,
                   "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}  # fmt: skip
        await ws.write_message(json.dumps({"header": header, "parent_header": {}, "metadata": {},
                                           "content": content, "channel": "shell"}))  # fmt: skip
        reply, idle = None, False
        while reply is None or not idle:
            msg = json.loads(await asyncio.wait_for(ws.read_message(), timeout=120))
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["channel"] == "shell" and msg["msg_type"] == "execute_reply":
                reply = msg["content"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        replies.append(reply)
    ws.close()
    return replies


def test_welcome_lesson_runs_top_to_bottom_in_the_server_kernel(server):
    import nbformat

    model = get(server, f"/api/contents/{LESSON}?content=1&type=notebook")
    nb = nbformat.from_dict(model["content"])
    nbformat.validate(nb)
    kernel_name = nb.metadata["kernelspec"]["name"]
    assert kernel_name in get(server, "/api/kernelspecs")["kernelspecs"]
    kernel = get(server, "/api/kernels", "POST", {"name": kernel_name, "path": LESSON})
    try:
        cells = [c for c in nb.cells if c.cell_type == "code"]
        replies = asyncio.run(run_cells(server, kernel["id"], [c.source for c in cells]))
    finally:
        get(server, f"/api/kernels/{kernel['id']}", "DELETE")
    for cell, reply in zip(cells, replies, strict=True):
        meant_to_fail = "raises-exception" in cell.metadata.get("tags", [])
        assert reply["status"] == ("error" if meant_to_fail else "ok"), cell.source


def status_of(base: str, path: str) -> int:
    try:
        get(base, path)
    except urllib.error.HTTPError as error:
        return error.code
    return 200


def test_student_sees_only_student_material(server):
    listing = {item["name"] for item in get(server, "/api/contents/?content=1")["content"]}
    assert {"README.md", "glossary.md", "datasets", LESSON} <= listing
    assert not listing & {"notebooks", "assignments", "teacher-notes", "src", "tests"}
    for path in ("teacher-notes", "../notebooks/teacher-notes", "../assignments/source"):
        assert status_of(server, f"/api/contents/{path}") in (403, 404), path
    lesson = get(server, f"/api/contents/{LESSON}?content=1&type=notebook")["content"]
    code = [c for c in lesson["cells"] if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert not any("NBVAL" in c["source"] for c in code)


def test_student_lab_has_no_nbgrader_tools(server, workspace_dir):
    disabled = set(page_config(get(server, "/lab"))["disabledExtensions"])
    for plugin in ("create-assignment", "formgrader", "menu", "validate-assignment"):
        assert f"@jupyter/nbgrader:{plugin}" in disabled
    assert status_of(server, "/formgrader") == 404
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(workspace_dir / ".jupyter")}
    listed = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"],
                            capture_output=True, text=True, env=env, check=True)  # fmt: skip
    text = listed.stdout + listed.stderr
    assert "Disabled extensions:" in text and "@jupyter/nbgrader:create-assignment" in text


def test_teacher_lab_has_formgrader(teacher_server):
    disabled = set(page_config(get(teacher_server, "/lab"))["disabledExtensions"])
    assert not any(name.startswith("@jupyter/nbgrader") for name in disabled)
    page = get(teacher_server, "/formgrader")
    assert "formgrader" in page.lower()
    assert status_of(teacher_server, "/api/contents/notebooks/teacher-notes") == 200
