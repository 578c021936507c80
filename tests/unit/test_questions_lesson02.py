"""Lesson 02 exercises: right answers pass, typical wrong answers get their hint, the chart
checks look at real matplotlib axes, and the numbers in the lesson's text and alt texts match
a fresh computation from the data."""

from __future__ import annotations

import json
import re
from itertools import permutations
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from lessonkit import UNANSWERED
from lessonkit import answer_name as _answer_name
from lessonkit import joined as _joined
from lessonkit import message as _message
from lessonkit import teacher_solutions as _teacher_solutions

from healthlab import datasets, plots
from healthlab.checks import _REGISTRY, evaluate_answer
from healthlab.questions import lesson02

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02-seeing-the-data.ipynb"


@pytest.fixture(scope="module")
def heart() -> pd.DataFrame:
    return datasets.load("heart-disease", zero_as_missing=True)


@pytest.fixture(scope="module")
def cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _markdown(cells: list[dict]) -> str:
    text = "\n".join(_joined(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return re.sub(r"\s+", " ", text)


def _alt_texts(cells: list[dict]) -> list[str]:
    texts = []
    for cell in cells:
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                texts.append(out["metadata"]["image/png"]["alt"])
    return texts


@pytest.fixture
def axes():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


# --- the exercises ------------------------------------------------------------------------------


def test_every_question_is_in_the_lesson_and_unanswered_cells_say_so(cells) -> None:
    used = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        ids = re.findall(r'check\("(02\.[\w-]+)"', _joined(cell["source"]))
        used.update(ids)
        if ids:
            text = "".join(_joined(o.get("text", "")) for o in cell["outputs"])
            assert text == UNANSWERED + "\n"
    assert used == {qid for qid in _REGISTRY if qid.startswith("02.")}
    warmups = {qid for qid in used if qid.startswith("02.warmup-")}
    assert 2 <= len(warmups) <= 3 and 4 <= len(used - warmups) <= 6
    for question_id in used:
        assert _message(question_id, ...) == UNANSWERED


def test_chart_order(cells) -> None:
    for order in lesson02.CHART_ORDERS:
        assert evaluate_answer("02.chart-order", list(order)).correct
    assert "Which line makes them" in _message("02.chart-order", [3, 2, 4, 1])
    assert "Which line should come last" in _message("02.chart-order", [2, 1, 3, 4])
    assert "without quotes" in _message("02.chart-order", ["2", "3", "4", "1"])
    assert "exactly once" in _message("02.chart-order", [2, 3, 1])
    assert "list in square brackets" in _message("02.chart-order", "2341")


def test_chart_order_lines_really_work_only_in_the_accepted_orders(cells, heart) -> None:
    block = re.search(
        r"```python\n(.*?)```",
        "\n".join(_joined(c["source"]) for c in cells if c["cell_type"] == "markdown"),
        re.S,
    ).group(1)
    lines = dict(row.split(maxsplit=1) for row in block.strip().splitlines())
    shown = []

    class FakePlots:  # plots.show closes the figure: record what was drawn when it is called
        @staticmethod
        def show(fig, alt):
            ax = fig.axes[0]
            shown.append(bool(ax.patches) and bool(ax.get_xlabel()))
            plt.close(fig)

    working = set()
    for order in permutations("1234"):
        shown.clear()
        namespace = {"plt": plt, "plots": FakePlots, "heart": heart}
        try:
            exec("\n".join(lines[i] for i in order), namespace)
        except NameError:
            continue
        if shown == [True]:
            working.add(tuple(int(i) for i in order))
        plt.close("all")
    assert working == set(lesson02.CHART_ORDERS)


def test_which_chart() -> None:
    assert lesson02.CHART_ANSWERS == ["D", "C", "A", "B"]
    assert evaluate_answer("02.which-chart", ["d", " c", "A", "b"]).correct
    assert "question 1" in _message("02.which-chart", ["B", "C", "A", "B"])
    assert "question 2" in _message("02.which-chart", ["D", "A", "A", "B"])
    assert "question 3: one measurement, all patients" in _message(
        "02.which-chart", ["D", "C", "B", "A"]
    )
    assert "list of four letters" in _message("02.which-chart", "DCAB")
    assert "one letter for each" in _message("02.which-chart", ["D", "C", "A"])


def test_which_chart_questions_are_the_ones_in_the_lesson(cells) -> None:
    text = _markdown(cells)
    numbered = " ".join(f"{i}. {q}" for i, (q, _) in enumerate(lesson02.CHART_QUESTIONS, 1))
    assert numbered in text


def test_median_heart_rate(heart) -> None:
    no = heart.loc[heart["disease"] == 0, "thalach"]
    yes = heart.loc[heart["disease"] == 1, "thalach"]
    assert evaluate_answer("02.median-hr", no.median()).correct
    assert evaluate_answer("02.median-hr", int(no.median())).correct
    assert "That is the mean" in _message("02.median-hr", no.mean())
    assert "WITH heart disease" in _message("02.median-hr", yes.median())
    assert "mean of the group WITH" in _message("02.median-hr", yes.mean())


def test_women_prevalence(heart) -> None:
    women = heart[heart["sex"] == 0]
    right = women["disease"].mean() * 100
    assert evaluate_answer("02.women-prevalence", right).correct
    assert evaluate_answer("02.women-prevalence", round(right, 1)).correct
    share = (heart.loc[heart["disease"] == 1, "sex"] == 0).mean() * 100
    assert "without a base rate" in _message("02.women-prevalence", share)
    assert "how many women" in _message("02.women-prevalence", int(women["disease"].sum()))
    men = heart.loc[heart["sex"] == 1, "disease"].mean() * 100
    assert "for men" in _message("02.women-prevalence", men)
    assert "proportion" in _message("02.women-prevalence", right / 100)


def _exang_percent(heart):
    return heart.groupby("exang")["disease"].mean() * 100


def _chart(
    heart,
    *,
    values=None,
    names=("No angina on exercise", "Angina on exercise"),
    numbers=True,
    ylim=(0, 100),
    ylabel="Patients with heart disease (%)",
    alt="right",
    title="Heart disease by exercise angina",
    xlabel="Angina brought on by exercise",
):
    """A bar chart as a student might draw it, shown with plots.show; returns its axes."""
    angina = _exang_percent(heart)
    values = angina if values is None else values
    fig, ax = plt.subplots()
    bars = ax.bar(list(names), list(values))
    if numbers:
        ax.bar_label(bars, fmt="%.0f%%")
    if ylim:
        ax.set_ylim(*ylim)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if alt == "right":
        alt = f"Bar chart: {angina[0]:.0f}% without exercise angina and {angina[1]:.0f}% with it."
    if alt:
        plots.show(fig, alt=alt)
    return ax


def test_make_chart_right_answers_pass(heart) -> None:
    assert evaluate_answer("02.make-chart", _chart(heart)).correct
    angina = _exang_percent(heart)
    one_decimal = f"Bars of {angina[0]:.1f} and {angina[1]:.1f} per cent of patients."
    assert evaluate_answer("02.make-chart", _chart(heart, alt=one_decimal)).correct
    fig, ax = plt.subplots()  # horizontal bars, labelled the other way
    bars = ax.barh(["Angina on exercise", "No angina on exercise"], [angina[1], angina[0]])
    ax.bar_label(bars, fmt="%.1f")
    ax.set_title("t")
    ax.set_xlabel("Patients with heart disease (%)")
    ax.set_ylabel("Angina on exercise")
    plots.show(fig, alt=one_decimal)
    assert evaluate_answer("02.make-chart", ax).correct


def test_make_chart_inspects_the_bars_against_the_task(heart) -> None:
    n = heart.dropna(subset=["exang"]).groupby("exang")
    fig, ax = plt.subplots()
    ax.hist(heart["age"], bins=range(25, 85, 5))
    ax.set_title("Age")
    ax.set_xlabel("Age (years)")
    ax.set_ylabel("Patients")
    assert "more than two bars" in _message("02.make-chart", ax)  # the age histogram
    counts = n.size()
    assert "how many patients are in each exang group" in _message(
        "02.make-chart", _chart(heart, values=counts, ylim=None)
    )
    cases = n["disease"].sum()
    assert "count the patients with heart disease" in _message(
        "02.make-chart", _chart(heart, values=cases, ylim=None)
    )
    proportions = n["disease"].mean()
    assert "multiply by 100" in _message("02.make-chart", _chart(heart, values=proportions))
    without = 100 - _exang_percent(heart)
    assert "WITHOUT heart disease" in _message("02.make-chart", _chart(heart, values=without))
    by_sex = heart.groupby("sex")["disease"].mean() * 100
    assert "not the percentages with heart disease" in _message(
        "02.make-chart", _chart(heart, values=by_sex)
    )
    fig, ax = plt.subplots()
    ax.bar(["No angina on exercise"], [_exang_percent(heart)[0]])
    assert "only one bar" in _message("02.make-chart", ax)
    fig, ax = plt.subplots()
    ax.scatter(heart["age"], heart["thalach"])
    assert "bar chart" in _message("02.make-chart", ax)


def test_make_chart_says_what_is_missing(heart, axes) -> None:
    assert "axes are empty" in _message("02.make-chart", axes)
    assert "needs a title" in _message("02.make-chart", _chart(heart, title=""))
    assert "x-axis" in _message("02.make-chart", _chart(heart, xlabel=""))
    assert "y-axis" in _message("02.make-chart", _chart(heart, ylabel=""))
    assert "put (%) in its label" in _message("02.make-chart", _chart(heart, ylabel="Patients"))
    assert "not with the codes 0 and 1" in _message(
        "02.make-chart", _chart(heart, names=("0", "1"))
    )
    fig, ax = plt.subplots()  # numeric positions: the tick labels are numbers
    ax.bar([0, 1], _exang_percent(heart))
    ax.set_title("Heart disease by exercise angina")
    ax.set_xlabel("exang")
    ax.set_ylabel("Patients with heart disease (%)")
    assert "not with the codes 0 and 1" in _message("02.make-chart", ax)
    swapped = ("Angina on exercise", "No angina on exercise")
    assert "wrong way round" in _message("02.make-chart", _chart(heart, names=swapped))
    assert "ax.bar_label" in _message("02.make-chart", _chart(heart, numbers=False))
    assert "must start at 0" in _message("02.make-chart", _chart(heart, ylim=(20, 100)))
    assert "plots.show" in _message("02.make-chart", _chart(heart, alt=None))
    vague = "A bar chart about angina and heart disease in two groups."
    assert "give the two percentages" in _message("02.make-chart", _chart(heart, alt=vague))


def test_make_chart_never_raises_and_never_praises_junk(heart) -> None:
    for junk in (None, "chart", 3, [1, 2], heart, plt.figure(), {"exang": 1}):
        feedback = evaluate_answer("02.make-chart", junk)
        assert not feedback.correct
    assert "axes you drew on" in _message("02.make-chart", _exang_percent(heart))
    fig, ax = plt.subplots()
    assert "axes you drew on" in _message("02.make-chart", fig)
    plt.close("all")


def test_warm_up(cells) -> None:
    assert evaluate_answer("02.warmup-swiss-chol", 0).correct
    assert evaluate_answer("02.warmup-swiss-chol", 0.0).correct
    assert "isna() said none" in _message("02.warmup-swiss-chol", float("nan"))
    assert evaluate_answer("02.warmup-copy", False).correct
    assert "separate table" in _message("02.warmup-copy", True)
    assert evaluate_answer("02.warmup-dropna", "b").correct
    assert "never fills gaps" in _message("02.warmup-dropna", "A")
    text = "\n".join(_joined(c["source"]) for c in cells if c["cell_type"] == "code")
    for letter, option in lesson02.DROPNA_OPTIONS:
        assert f"#    {letter}. {option}" in text
    # the right option states lesson 01's real numbers
    heart = datasets.load("heart-disease")
    kept = heart.dropna()["site"].value_counts()
    assert (
        f"It kept {len(heart.dropna())} patients, {kept['Cleveland']} of them from Cleveland"
        in (dict(lesson02.DROPNA_OPTIONS)["B"])
    )
    assert (heart.loc[heart["site"] == "Switzerland", "chol"] == 0).all()


def test_every_chart_has_axis_labels_and_words_on_its_bars(cells, heart) -> None:
    """Run the lesson's code and look at every figure it shows."""
    shown = []

    class CapturePlots:
        OKABE_ITO = plots.OKABE_ITO

        @staticmethod
        def show(fig, alt):
            shown.append((fig, alt))

        @staticmethod
        def use_style():
            return plots.use_style()

    namespace = {
        "plt": plt,
        "plots": CapturePlots,
        "datasets": datasets,
        "check": lambda *a: None,
        "hint": lambda *a: None,
    }
    for cell in cells[2:]:
        source = _joined(cell["source"])
        if cell["cell_type"] == "code" and "check(" not in source:
            exec(source, namespace)
    assert len(shown) >= 8
    for fig, alt in shown:
        assert len(alt) > 40, alt
        for ax in fig.axes:
            assert ax.get_title().strip() and ax.get_xlabel().strip() and ax.get_ylabel().strip()
            bars, horizontal = lesson02._bars(ax)
            if bars and len(bars) <= 6:  # a bar chart (histograms have many bars)
                names = lesson02._bar_names(ax, [c for c, _ in bars], horizontal)
                assert all(re.search(r"[A-Za-z]{3,}", name) for name in names), names
        plt.close(fig)


# --- what the text and the alt texts say is what the data says --------------------------------


def test_alt_texts_are_present_and_true(cells, heart) -> None:
    alts = _alt_texts(cells)
    assert len(alts) >= 8 and all(len(a) > 40 for a in alts)
    original = datasets.load("heart-disease")
    age = heart["age"]
    bands = pd.cut(age, range(25, 85, 5), right=False).value_counts()
    assert f"Ages run from {age.min()} to {age.max()} years" in alts[0]
    assert {b.left for b in bands.nlargest(2).index} == {50, 55}
    assert ((age >= 40) & (age < 65)).mean() > 0.75  # "most patients are 40 to 64"
    zeros = int((original["chol"] == 0).sum())
    chol = heart["chol"].dropna()
    assert f"A tall bar of {zeros} patients sits at 0 mg/dL" in alts[1]
    assert f"run from {chol.min():.0f} to {chol.max():.0f} mg/dL" in alts[1]
    assert f"for the {len(chol)} patients with a measurement" in alts[2]
    assert ((chol >= 150) & (chol <= 350)).mean() > 0.9
    hr = heart.groupby("disease")["thalach"].median()
    assert f"The median is {hr[0]:.0f} beats/min without heart disease and {hr[1]:.0f}" in alts[3]
    site = heart.groupby("site")["disease"].mean() * 100
    expected = ", ".join(f"{name} {value:.1f}%" for name, value in site.items())
    assert expected.replace(", VA", " and VA") in alts[5]
    cases = heart.loc[heart["disease"] == 1, "sex"].value_counts()
    assert f"{cases[0]} women and {cases[1]} men" in alts[7]
    by_sex = heart.groupby("sex")["disease"].mean() * 100
    n = heart["sex"].value_counts()
    assert f"{by_sex[0]:.0f}% of the {n[0]} women and {by_sex[1]:.0f}% of the {n[1]} men" in alts[8]


def test_misleading_chart_numbers(cells, heart) -> None:
    text = _markdown(cells)
    mean = heart.groupby("disease")["thalach"].mean()
    looks = (mean[0] - 120) / (mean[1] - 120)
    assert round(looks, 1) == 3.5 and "about 3.5 times taller" in text
    assert f"{mean[0]:.0f} and {mean[1]:.0f}, differ by about one sixth" in text
    assert abs((mean[0] - mean[1]) / mean[1] - 1 / 6) < 0.02
    cases = heart.loc[heart["disease"] == 1, "sex"].value_counts()
    assert round(cases[1] / cases[0]) == 9 and "Nine times more men" in text
    by_sex = heart.groupby("sex")["disease"].mean()
    assert round(by_sex[1] / by_sex[0], 1) == 2.5 and "about 2.5 times as often" in text
    n = heart["sex"].value_counts()
    assert f"There were {n[0]} women (sex 0) and {n[1]} men (sex 1)" in text
    assert f"Only {n[0]} of the {len(heart)} patients in this data were women" in text
    site = heart.groupby("site")["disease"].mean() * 100
    assert f"{site['Switzerland']:.1f}% of the Swiss" in text
    assert f"{site['Hungary']:.1f}% of the Hungarian" in text


def test_every_figure_is_shown_with_alt_text_and_labelled(cells) -> None:
    for cell in cells:
        source = _joined(cell["source"])
        if cell["cell_type"] != "code" or "plt.subplots" not in source or "check(" in source:
            continue
        assert re.search(r"plots\.show\(\s*fig,\s*alt=", source)
        assert "set_title" in source and "set_ylabel" in source and "set_xlabel" in source
        outputs = [o for o in cell["outputs"] if "image/png" in o.get("data", {})]
        assert len(outputs) == 1  # shown once (plots.show closes the figure)
        assert 'alt="' in _joined(outputs[0]["data"]["text/html"])


# --- the worked answers in the teacher notes are right ----------------------------------------

TEACHER_NOTES = NOTEBOOK.parent / "teacher-notes" / "02-seeing-the-data.md"


def test_teacher_notes_answers_pass(cells, heart) -> None:
    solutions = _teacher_solutions(TEACHER_NOTES)
    assert set(solutions) == {qid for qid in _REGISTRY if qid.startswith("02.")}
    for question_id, code in solutions.items():
        namespace = {"heart": heart, "plt": plt, "plots": plots, "check": lambda *a: None}
        exec(code, namespace)
        answer = namespace[_answer_name(cells, question_id)]
        assert evaluate_answer(question_id, answer).correct, (question_id, code)
        plt.close("all")


def test_teacher_notes_support_every_classroom() -> None:
    """Support, sensitive topics, a hinge question or exit ticket, an unplugged fallback, HEE."""
    notes = TEACHER_NOTES.read_text(encoding="utf-8")
    for heading in (
        "## Support for students who need it",
        "## Sensitive topics: pre-warn the class",
        "## Hinge question and exit ticket",
        "## Unplugged fallback (no computers, or the server is down)",
    ):
        assert heading in notes, heading
    support = notes.split("## Support for students who need it", 1)[1].split("\n## ", 1)[0]
    assert "**Key words**" in support and "**Scaffolded make task" in support
    assert "```python" in support  # the scaffolded version itself
    assert "HEE AI and Digital Healthcare Capability Framework" in notes
    assert '"users"' in notes
