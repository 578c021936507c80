"""Tests for healthlab.errors: friendly notes under tracebacks, run through IPython itself.

Three levels:
- ``explain`` on real exceptions (the wording for each kind of error);
- an IPython ``InteractiveShell`` running cells with ``run_cell`` and capturing the output
  (the same code path a notebook uses: ``run_code`` -> custom exception handler);
- a real Jupyter kernel (ipykernel, via nbclient), checking the notebook outputs a student sees
  in JupyterLab: the error output, then the note.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from healthlab.errors import FriendlyErrorsStatus, friendly_errors
from healthlab.errors import explain as _explain


def flat(text: str | None) -> str | None:
    """The note with its line wrapping undone, so that phrases can be searched for."""
    return None if text is None else " ".join(text.split())


def explain(error, namespace=None):
    return flat(_explain(error, namespace))


def raised(code: str, namespace: dict | None = None) -> BaseException:
    """Run ``code`` and return the exception it raises (with its traceback)."""
    namespace = {} if namespace is None else namespace
    try:
        exec(compile(code, "<cell>", "exec"), namespace)
    except Exception as error:
        return error
    raise AssertionError(f"{code!r} did not raise")


# --- explain(): the wording ---------------------------------------------------------------------


def test_name_error_suggests_running_cell_and_close_names():
    ns = {"patient_ages": [40, 50], "Weight": 70}
    text = explain(raised("patient_age", ns), ns)
    assert text.startswith("What this error means (NameError)")
    assert "Python does not know the name 'patient_age'" in text
    assert "Did you run the cell that defines it?" in text
    assert "'patient_ages'" in text
    assert text.endswith("Turn these notes off with healthlab.friendly_errors(False).")


def test_name_error_capital_letters():
    ns = {"Weight": 70}
    text = explain(raised("weight", ns), ns)
    assert "'Weight'" in text
    assert "capital letters" in text


def test_name_error_without_close_names_says_check_spelling():
    text = explain(raised("zzqx"), {})
    assert "Check the spelling" in text
    assert "put quotes round it: 'zzqx'" in text


@pytest.mark.parametrize(
    ("name", "hint"),
    [("pd", "import pandas as pd"), ("np", "import numpy as np"), ("true", "True, False")],
)
def test_name_error_special_names(name, hint):
    assert hint in explain(raised(name), {})


def test_key_error_on_dataframe_column_names_close_columns():
    patients = pd.DataFrame({"Age": [40], "systolic_bp": [120]})
    ns = {"patients": patients}
    text = explain(raised("patients['age']", ns), ns)
    assert "There is no column (or row label) called 'age'" in text
    assert "patients['Age']" in text
    assert "patients.columns" in text

    text = explain(raised("patients['systolic bp']", ns), ns)
    assert "patients['systolic_bp']" in text


def test_key_error_on_dict():
    text = explain(raised("{'a': 1}['b']"), {})
    assert "no key 'b' in this dictionary" in text


def test_type_error_text_plus_number():
    for code in ["'Age: ' + 40", "40 + 'years'", "'72.5' - 1"]:
        text = explain(raised(code))
        assert "combining text" in text, code
        assert "str(" in text and "float(" in text


def test_type_error_other_kinds():
    assert "comparing text with a number" in explain(raised("'70' > 65"))
    df = pd.DataFrame({"age": [1]})
    assert 'df["age"]' in explain(raised("df('age')", {"df": df}))
    assert "len(x), not len[x]" in explain(raised("len[3]"))
    assert "Shift+Tab" in explain(raised("def f(a, b):\n    pass\nf(1)"))
    assert "wrong type" in explain(raised("len(5)"))


def test_module_not_found():
    assert "use import sklearn" in explain(raised("import scikit_learn"))
    text = explain(raised("import Pandas"))
    assert "try import pandas" in text
    text = explain(raised("import nosuchmodule_xyz"))
    assert "'nosuchmodule_xyz'" in text
    assert "restart the kernel" in text
    assert "ask your teacher" in text


def test_import_error_cannot_import_name():
    text = explain(raised("from math import squareroot"))
    assert "has nothing called 'squareroot'" in text


def test_index_error():
    assert "counts positions from 0" in explain(raised("[1, 2, 3][3]"))
    df = pd.DataFrame({"a": [1, 2]})
    assert ".iloc counts from 0" in explain(raised("df.iloc[5]", {"df": df}))


def test_zero_division():
    text = explain(raised("tp = 0\nfn = 0\ntp / (tp + fn)"))
    assert "You divided by zero" in text
    assert "TP + FN = 0" in text


def test_attribute_error_on_dataframe():
    df = pd.DataFrame({"heart_rate": [80]})
    ns = {"df": df}
    text = explain(raised("df.colum", ns), ns)
    assert "A DataFrame has no attribute or method called .colum" in text
    assert "'columns'" in text
    text = explain(raised("df.heartrate", ns), ns)
    assert "Did you mean the column 'heart_rate'?" in text
    assert "df['heart_rate']" in text


def test_attribute_error_none_and_other():
    assert "The value before the dot is None" in explain(raised("x = [3, 1].sort()\nx.append(2)"))
    assert "'upper'" in explain(raised("'abc'.uper()"))


def test_value_errors_from_pandas_and_sklearn():
    assert "could not be turned into a number" in explain(raised("float('70kg')"))
    from sklearn.linear_model import LogisticRegression

    ns = {"LogisticRegression": LogisticRegression}
    text = explain(raised("LogisticRegression().fit([1, 2, 3], [0, 1, 0])", ns), ns)
    assert 'df[["age"]]' in text
    text = explain(raised("LogisticRegression().fit([[1], [2]], [0, 1, 0])", ns), ns)
    assert "different numbers of rows" in text


def test_value_error_from_healthlab_points_at_message():
    ns = {}
    error = raised(
        "from healthlab.scores import news2\nnews2(16, 97, False, 125, 75, 'A', 3.7)", ns
    )
    assert "Did you mean 37?" in str(error)
    text = explain(error, ns)
    assert "comes from the course library, healthlab" in text
    assert "Read the last line of the error" in text


def test_unknown_value_error_gets_no_note():
    assert explain(raised("raise ValueError('something odd')")) is None


def test_syntax_and_indentation_errors():
    assert "none of the cell ran" in explain(raised("x = (1,"))
    assert "Every ( [ { and every quote must be closed" in explain(raised("print('hello)"))
    assert "indented" in explain(raised("if True:\nprint(1)"))
    assert "Line it up" in explain(raised("x = 1\n    y = 2"))
    assert "two == compare" in explain(raised("if x = 1:\n    pass"))
    assert "straight quotes" in explain(raised("x = \u2018a\u2019"))


def test_explain_bad_arguments():
    with pytest.raises(TypeError, match="error must be an exception, got str"):
        _explain("NameError")
    with pytest.raises(TypeError, match="namespace must be a dict"):
        _explain(ValueError(), namespace=[1])


def test_friendly_errors_bad_argument():
    with pytest.raises(TypeError, match="enable must be True or False, got str 'yes'"):
        friendly_errors("yes")


# --- outside IPython --------------------------------------------------------------------------


def test_outside_ipython_is_a_no_op():
    code = textwrap.dedent(
        """
        import healthlab
        status = healthlab.friendly_errors()
        print(type(status).__name__, status.active, bool(status))
        print(status.reason)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines() == [
        "FriendlyErrorsStatus False False",
        "Not running in IPython or Jupyter: nothing changed.",
    ]
    assert done.stderr == ""


# --- IPython's own machinery: InteractiveShell.run_cell ----------------------------------------


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    created = not InteractiveShell.initialized()
    if created:
        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        config.InteractiveShell.ipython_dir = str(tmp_path_factory.mktemp("ipython"))
        config.InteractiveShell.colors = "nocolor"
    instance = InteractiveShell.instance(config=config) if created else InteractiveShell.instance()
    yield instance
    instance.run_cell("import healthlab; healthlab.friendly_errors(False)")
    if created:
        InteractiveShell.clear_instance()


def run(shell, code):
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        result = shell.run_cell(code)
    notes = [o.data for o in captured.outputs]
    return result, captured.stdout, captured.stderr, notes


def test_enable_is_silent_and_installs_handler(shell):
    result, out, err, notes = run(shell, "import healthlab\nstatus = healthlab.friendly_errors()")
    assert result.success
    assert (out, err, notes) == ("", "", [])
    status = shell.user_ns["status"]
    assert isinstance(status, FriendlyErrorsStatus) and status.active
    assert shell.custom_exceptions == (Exception,)


def test_enable_as_last_line_displays_nothing(shell):
    result, out, err, notes = run(shell, "healthlab.friendly_errors()")
    assert result.success
    assert notes == []
    assert "FriendlyErrorsStatus" not in out


def test_name_error_in_shell_keeps_traceback_and_adds_note(shell):
    run(shell, "healthlab.friendly_errors()")
    result, out, err, notes = run(shell, "heart_rate = 72\nheart_rat")
    assert isinstance(result.error_in_exec, NameError)
    assert "Traceback (most recent call last)" in out
    assert "NameError: name 'heart_rat' is not defined" in out
    assert len(notes) == 1
    text = flat(notes[0]["text/plain"])
    assert "Did you run the cell that defines it?" in text
    assert "'heart_rate'" in text
    html = notes[0]["text/html"]
    assert 'role="note"' in html and "What this error means" in html
    assert "&#x27;heart_rate&#x27;" in html


def test_key_error_in_shell_looks_in_user_dataframes(shell):
    run(shell, "healthlab.friendly_errors()")
    code = "import pandas as pd\nobs = pd.DataFrame({'SpO2': [97], 'pulse': [80]})\nobs['spo2']"
    result, out, err, notes = run(shell, code)
    assert isinstance(result.error_in_exec, KeyError)
    assert "KeyError" in out
    assert "obs['SpO2']" in flat(notes[0]["text/plain"])


@pytest.mark.parametrize(
    ("code", "error", "phrase"),
    [
        ("'NEWS2 score: ' + 9", TypeError, "combining text"),
        ("import sklearnn", ModuleNotFoundError, "Check the spelling"),
        ("[1, 2, 3][3]", IndexError, "counts positions from 0"),
        ("1 / 0", ZeroDivisionError, "divided by zero"),
        ("pd.DataFrame({'a': [1]}).colum", AttributeError, "'columns'"),
        (
            "from healthlab.scores import news2\nnews2(16, 101, False, 125, 75, 'A', 37.0)",
            ValueError,
            "healthlab",
        ),
    ],
)
def test_runtime_errors_in_shell(shell, code, error, phrase):
    run(shell, "healthlab.friendly_errors()")
    result, out, err, notes = run(shell, code)
    assert isinstance(result.error_in_exec, error)
    assert f"{error.__name__}" in out
    assert "Traceback (most recent call last)" in out
    assert len(notes) == 1 and phrase in flat(notes[0]["text/plain"])


@pytest.mark.parametrize(
    ("code", "error", "phrase"),
    [
        ("x = (1,", SyntaxError, "none of the cell ran"),
        ("if True:\nprint(1)", IndentationError, "indented"),
    ],
)
def test_syntax_errors_in_shell(shell, code, error, phrase):
    run(shell, "healthlab.friendly_errors()")
    result, out, err, notes = run(shell, code)
    assert isinstance(result.error_before_exec, error)
    assert f"{error.__name__}" in out  # IPython's own syntax-error display is still there
    assert "^" in out
    assert len(notes) == 1 and phrase in flat(notes[0]["text/plain"])


def test_unknown_error_shows_only_traceback(shell):
    run(shell, "healthlab.friendly_errors()")
    result, out, err, notes = run(shell, "raise RuntimeError('boom')")
    assert "RuntimeError: boom" in out
    assert notes == []


def test_turning_off_restores_normal_tracebacks(shell):
    run(shell, "healthlab.friendly_errors()")
    result, out, err, notes = run(shell, "status = healthlab.friendly_errors(False)")
    assert (out, notes) == ("", [])
    assert shell.user_ns["status"].active is False
    assert shell.custom_exceptions == ()
    result, out, err, notes = run(shell, "heart_rat")
    assert "NameError: name 'heart_rat' is not defined" in out
    assert notes == []
    assert "What this error means" not in out
    # and on again
    run(shell, "healthlab.friendly_errors()")
    result, out, err, notes = run(shell, "heart_rat")
    assert len(notes) == 1


def test_handler_survives_a_failing_explainer(shell, monkeypatch):
    import healthlab.errors as errors_module

    def broken(error, namespace):
        raise RuntimeError("explainer bug")

    monkeypatch.setattr(errors_module, "_explanation", broken)
    run(shell, "healthlab.friendly_errors()")
    result, out, err, notes = run(shell, "heart_rat")
    assert "NameError" in out
    assert "Custom TB Handler failed" not in err
    assert shell.custom_exceptions == (Exception,)  # still installed


# --- a real Jupyter kernel, as in JupyterLab ---------------------------------------------------


def test_real_kernel_outputs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "import healthlab\nhealthlab.friendly_errors()",
        "patient = {'age': 40}\npatients",
        "x = (1,",
        "healthlab.friendly_errors(False)",
        "patients",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    setup, name_error, syntax_error, off, after_off = (c.outputs for c in nb.cells)

    assert setup == []  # silent
    assert [o.output_type for o in name_error] == ["error", "display_data"]
    assert name_error[0].ename == "NameError"
    assert any("patients" in line for line in name_error[0].traceback)
    assert "Did you run the cell that defines it?" in flat(name_error[1].data["text/plain"])
    assert "'patient'" in flat(name_error[1].data["text/plain"])
    assert 'role="note"' in name_error[1].data["text/html"]

    assert [o.output_type for o in syntax_error] == ["error", "display_data"]
    assert syntax_error[0].ename == "SyntaxError"
    assert "none of the cell ran" in flat(syntax_error[1].data["text/plain"])

    assert off == []
    assert [o.output_type for o in after_off] == ["error"]
    assert list(tmp_path.iterdir()) == []  # no files written
