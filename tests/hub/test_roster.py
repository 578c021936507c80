"""deploy/kubernetes/make-roster.py: one stable Unix uid per user for Zero to JupyterHub.

Pure Python, no cluster: it runs in the ordinary test suite. (Nothing else under
deploy/kubernetes/ is tested on this project's machines.)
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes" / "make-roster.py"


def load():
    spec = importlib.util.spec_from_file_location("make_roster", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_uids_are_unique_stable_and_match_the_passwd_file(tmp_path, capsys):
    roster = load()
    (tmp_path / "class.txt").write_text("amira.k\n# a comment\nsam\n")
    (tmp_path / "staff.txt").write_text("mrs.khan\n")
    assert (
        roster.main([str(tmp_path / "class.txt"), "--teachers", str(tmp_path / "staff.txt")]) == 0
    )
    first = capsys.readouterr().out
    (tmp_path / "roster.yaml").write_text(first)
    uids = json.loads(re.search(r"uids\.json: '(.*)'", first).group(1))
    assert uids["mrs.khan"] == 20000 and len(set(uids.values())) == 3
    sam = uids["sam"]
    assert f"    sam:x:{sam}:{sam}::/home/jovyan:/bin/bash" in first
    assert "ai-in-healthcare-students:x:19998:amira.k,sam" in first
    # a later class list (one student left, one joined) keeps everyone's uid
    (tmp_path / "class.txt").write_text("sam\nzoe\n")
    roster.main([str(tmp_path / "class.txt"), "--teachers", str(tmp_path / "staff.txt"),
                 "--previous", str(tmp_path / "roster.yaml")])  # fmt: skip
    again = json.loads(re.search(r"uids\.json: '(.*)'", capsys.readouterr().out).group(1))
    assert again["sam"] == uids["sam"] and again["zoe"] not in uids.values()


def test_unusable_names_are_refused(tmp_path):
    roster = load()
    (tmp_path / "class.txt").write_text("Amira K\n")
    (tmp_path / "staff.txt").write_text("t\n")
    with pytest.raises(SystemExit):
        roster.main([str(tmp_path / "class.txt"), "--teachers", str(tmp_path / "staff.txt")])
