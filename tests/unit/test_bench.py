"""The lesson runner behind `healthlab execute` and `healthlab bench`."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from healthlab import bench, cli


def write_notebook(path, *sources, tags=()):
    cells = [new_code_cell(src) for src in sources]
    for cell in cells:
        cell.metadata["tags"] = list(tags)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_run_measures_time_and_kernel_memory(tmp_path):
    path = write_notebook(
        tmp_path / "01-x.ipynb", "big = bytearray(200 * 2**20)", "print(len(big))"
    )
    run = bench.run_notebook(path)
    assert run.ok, run.error
    assert run.seconds > 0
    assert run.peak_mib > 200, "the 200 MiB the kernel allocated must show in its peak"
    stored = nbformat.read(path, as_version=4)
    assert stored.cells[1].outputs == [], "bench must not write outputs"


def test_execute_writes_outputs_and_runs_in_the_notebook_folder(tmp_path):
    (tmp_path / "data.txt").write_text("hello")
    path = write_notebook(tmp_path / "02-y.ipynb", "print(open('data.txt').read())")
    assert cli.main(["execute", str(path)]) == 0
    stored = nbformat.read(path, as_version=4)
    assert stored.cells[0].outputs[0]["text"] == "hello\n"
    assert "execution" not in stored.cells[0].metadata, "no timing metadata in stored lessons"


def test_an_error_is_reported_and_the_file_left_alone(tmp_path):
    path = write_notebook(tmp_path / "03-z.ipynb", "1 / 0")
    before = path.read_text()
    run = bench.run_notebook(path, write=True)
    assert not run.ok and "ZeroDivisionError" in run.error
    assert path.read_text() == before


def test_raises_exception_tag_lets_a_lesson_show_an_error_on_purpose(tmp_path):
    path = write_notebook(tmp_path / "04-e.ipynb", "1 / 0", tags=["raises-exception"])
    assert bench.run_notebook(path).ok


def test_bench_writes_json_and_fails_over_budget(tmp_path, capsys):
    path = write_notebook(tmp_path / "05-slow.ipynb", "import time; time.sleep(1.2)")
    out = tmp_path / "bench.json"
    status = bench.main([str(path), "--seconds", "1", "--output", str(out)])
    assert status == 1
    result = json.loads(out.read_text())
    assert result["lessons"][0]["over_budget"][0].endswith("> 1 s")
    assert "05-slow.ipynb" in capsys.readouterr().out


def test_bad_path_is_refused(tmp_path):
    with pytest.raises(ValueError, match="existing .ipynb file"):
        bench.run_notebook(tmp_path / "missing.ipynb")


def test_cli_help_lists_commands(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "bench" in out and "execute" in out and "grade" in out
