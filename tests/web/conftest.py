"""The browser build and the website (issue 15): run by `make web-test`, in .venv-web.

These tests need the web tools (web/requirements.txt), the pinned downloads in .web-cache/
(tools/web_fetch.py), Debian's chromium and chromium-driver, and a few minutes: `make web-test`
installs and fetches everything first, then runs them with HEALTHLAB_WEB_TESTS=1. Any other
pytest run (make test, make quick) leaves this folder alone.
"""

from __future__ import annotations

import os

if not os.environ.get("HEALTHLAB_WEB_TESTS"):
    collect_ignore_glob = ["*.py"]

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Where this test session builds the site (the browser and website tests serve it from here).
TEST_SITE = ROOT / "build" / "web-test" / "site"


def offline_prefix() -> list[str]:
    """A command prefix that runs a program in a new network namespace with no network."""
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
                return prefix
        except FileNotFoundError:
            break
    pytest.fail("cannot make a network namespace (unshare -n); the offline build needs one")


@pytest.fixture(scope="session")
def lite_build() -> dict:
    """Build the browser site once, with no network at all."""
    offline = offline_prefix()
    out = TEST_SITE / "lite"
    result = subprocess.run(
        [*offline, sys.executable, str(ROOT / "tools/build_lite.py"), "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    return {
        "returncode": result.returncode,
        "output": result.stdout + result.stderr,
        "offline": offline,
        "out": out,
    }


@pytest.fixture(scope="session")
def lite_site(lite_build) -> Path:
    if lite_build["returncode"] != 0:
        pytest.fail("the browser build failed:\n" + lite_build["output"][-3000:])
    return lite_build["out"]
