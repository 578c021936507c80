"""The course opens in a real JupyterLab and the welcome lesson runs there (issue 2).

Starts `jupyter lab` as `make lab` does (as root too, with --allow-root, and without a browser),
then behaves like the browser: loads the course home, reads the lesson through the contents
API, starts a kernel through the server and runs every code cell over the kernel's websocket.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = uuid.uuid4().hex
LESSON = "notebooks/00-welcome.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", f"--ServerApp.token={TOKEN}",
        f"--ServerApp.root_dir={ROOT}", "--LabApp.default_url=/lab/tree/notebooks/README.md",
    ]  # fmt: skip
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            get(base, "/api/status")
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("jupyter lab exited:\n" + proc.stdout.read().decode())
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("jupyter lab did not answer within 60 s")
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def get(base: str, path: str, method: str = "GET", body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Authorization", f"token {TOKEN}")
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
        kind = response.headers.get("Content-Type", "")
        return json.loads(raw) if "json" in kind and raw else raw.decode()


def test_course_home_opens_rendered(server):
    page = get(server, "/lab/tree/notebooks/README.md")
    assert "JupyterLab" in page
    home = get(server, "/api/contents/notebooks/README.md?content=1&type=file&format=text")
    assert "00-welcome.ipynb" in home["content"]
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
