"""Tests for healthlab.plots: every helper renders headless, and the figure is checked
(labels with units, title, legend, alt text, lines that differ by more than colour)."""

from __future__ import annotations

import base64
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn.metrics import roc_auc_score

from healthlab import plots
from healthlab.evaluate import subgroup_metrics


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def data():
    rng = np.random.default_rng(11)
    y_true = (rng.random(400) < 0.3).astype(int)
    y_prob = expit(1.6 * y_true + rng.normal(0, 1, 400) - 1.5)
    return y_true, y_prob


def legend_texts(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def line_style_key(line) -> tuple:
    offset, dashes = line._unscaled_dash_pattern
    return (line.get_linestyle(), tuple(dashes) if dashes else None, line.get_marker())


def assert_lines_differ_by_more_than_colour(ax) -> None:
    labelled = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(labelled) >= 2
    keys = [line_style_key(line) for line in labelled]
    assert len(set(keys)) == len(keys), keys


def rendered(ax) -> None:
    """Draw the figure for real (catches errors that only appear when rendering)."""
    ax.figure.canvas.draw()


# ------------------------------------------------------------------------- style


def test_course_style_cycles_colour_and_line_style():
    style = plots.course_style()
    cycle = style["axes.prop_cycle"].by_key()
    assert cycle["color"] == list(plots.OKABE_ITO)
    assert len(set(map(str, cycle["linestyle"]))) == len(cycle["linestyle"]) == 8
    assert {c.upper() for c in plots.OKABE_ITO} == {
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
        "#000000",
    }
    assert plots.OKABE_ITO[-1] == "#F0E442"  # yellow, weakest on white, comes last
    assert style["font.size"] >= 12


def test_use_style_applies_and_with_block_restores():
    before = mpl.rcParams["font.size"]
    mpl.rcParams["font.size"] = 7
    try:
        with plots.use_style():
            assert mpl.rcParams["font.size"] == 12
            fig, ax = plt.subplots()
            a, b = ax.plot([0, 1], [0, 1]), ax.plot([0, 1], [1, 0])
            assert a[0].get_color() == "#0072B2"
            assert a[0].get_linestyle() != b[0].get_linestyle()
        assert mpl.rcParams["font.size"] == 7
        plots.use_style()
        assert mpl.rcParams["font.size"] == 12
    finally:
        mpl.rcParams["font.size"] = before
        mpl.rcParams.update({k: mpl.rcParamsDefault[k] for k in plots.course_style()})


def test_importing_plots_changes_nothing_and_is_light():
    code = (
        "import sys, healthlab.plots; print('matplotlib' in sys.modules, 'sklearn' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False False"


# ------------------------------------------------------------------------- alt text and show


@pytest.fixture
def ipython_outputs():
    """Capture what IPython's display() publishes, as in a notebook kernel."""
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    created = not InteractiveShell.initialized()
    shell = InteractiveShell.instance()
    saved = shell.display_pub
    shell.display_pub = CapturingDisplayPublisher()
    try:
        yield shell.display_pub.outputs
    finally:
        shell.display_pub = saved
        if created:
            InteractiveShell.clear_instance()


def test_show_stores_alt_text_in_metadata_html_and_text(ipython_outputs, data):
    ax = plots.plot_roc(*data)
    fig = ax.figure
    plots.show(ax, alt="ROC curve of the model.")
    assert len(ipython_outputs) == 1
    output = ipython_outputs[0]
    assert output["metadata"] == {"image/png": {"alt": "ROC curve of the model."}}
    assert output["data"]["text/plain"] == "ROC curve of the model."
    png = base64.b64decode(output["data"]["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    html = output["data"]["text/html"]
    assert html.startswith('<img src="data:image/png;base64,')
    assert 'alt="ROC curve of the model."' in html
    assert output["data"]["image/png"] in html
    # Closed, so the inline backend will not draw it a second time.
    assert not plt.fignum_exists(fig.number)


def test_show_uses_the_attached_alt_text_and_escapes_it(ipython_outputs):
    fig, ax = plt.subplots()
    plots.set_alt_text(ax, 'Chart of "risk" <by> age & sex')
    plots.show(fig)
    output = ipython_outputs[0]
    assert output["metadata"]["image/png"]["alt"] == 'Chart of "risk" <by> age & sex'
    assert 'alt="Chart of &quot;risk&quot; &lt;by&gt; age &amp; sex"' in output["data"]["text/html"]


def test_show_refuses_missing_or_empty_alt(ipython_outputs):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="alt is needed: this figure has no text alternative"):
        plots.show(fig)
    for empty in ("", "   "):
        with pytest.raises(ValueError, match="alt must describe the figure"):
            plots.show(fig, alt=empty)
    with pytest.raises(TypeError, match="alt must be text"):
        plots.show(fig, alt=42)
    with pytest.raises(TypeError, match="expected a matplotlib Figure or Axes"):
        plots.show("figure.png", alt="a picture")
    assert ipython_outputs == []


def test_show_outside_a_notebook_prints_the_alt_text(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    if InteractiveShell.initialized():
        pytest.skip("an IPython shell exists in this process; covered by the doctest")
    fig, _ = plt.subplots()
    plots.show(fig, alt="An empty chart.")
    assert capsys.readouterr().out == "[figure] An empty chart.\n"
    assert not plt.fignum_exists(fig.number)


def test_alt_text_of_a_figure_joins_its_panels(data):
    fig, (left, right) = plt.subplots(1, 2)
    plots.plot_roc(*data, ax=left)
    plots.plot_calibration(*data, ax=right)
    text = plots.alt_text(fig)
    assert text.startswith("ROC curve")
    assert "Calibration plot" in text
    plots.set_alt_text(fig, "Two panels.")
    assert plots.alt_text(fig) == "Two panels."
    with pytest.raises(ValueError, match="text must be a non-empty description"):
        plots.set_alt_text(fig, "")


def test_axes_in_nested_subfigures_belong_to_the_root_figure():
    """The root Figure is found the same way on matplotlib 3.8 and 3.10+, with no warning."""
    fig = plt.figure()
    inner = fig.subfigures(1, 2)[1].subfigures(2, 1)[0]
    ax = inner.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plots.set_alt_text(fig, "Nested panels.")
        assert plots.alt_text(inner) == "Nested panels."
        plots.show_ct(np.zeros((4, 4)), "lung", ax=ax)
        assert any(other.get_ylabel() == "Hounsfield units (HU)" for other in fig.axes)
        plots.close(ax)
    assert not plt.fignum_exists(fig.number)


# ------------------------------------------------------------------------- evaluation figures


def test_plot_confusion(data):
    y_true, y_prob = data
    y_pred = (y_prob >= 0.5).astype(int)
    ax = plots.plot_confusion(y_true, y_pred, labels=("benign", "malignant"))
    rendered(ax)
    assert ax.get_xlabel() == "Prediction"
    assert ax.get_ylabel() == "Truth"
    assert ax.get_title() == f"Confusion table (n = {len(y_true)} people)"
    texts = [t.get_text() for t in ax.texts]
    tp = int(((y_pred == 1) & (y_true == 1)).sum())
    assert f"true positive\n{tp}" in texts
    assert len(texts) == 4
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "predicted benign",
        "predicted malignant",
    ]
    alt = plots.alt_text(ax)
    assert f"{tp} true positives" in alt and "rows: truth" in alt


def test_plot_roc_single_and_several(data):
    y_true, y_prob = data
    ax = plots.plot_roc(y_true, y_prob)
    rendered(ax)
    auc = roc_auc_score(y_true, y_prob)
    assert legend_texts(ax) == [f"model (AUROC {auc:.3f})", "chance (AUROC 0.50)"]
    assert ax.get_xlabel() == "False-positive rate (1 − specificity)"
    assert ax.get_ylabel() == "True-positive rate (sensitivity)"
    assert ax.get_title() == "ROC curve"
    assert_lines_differ_by_more_than_colour(ax)
    assert f"AUROC {auc:.3f}" in plots.alt_text(ax)

    ax = plots.plot_roc(y_true, {"model": y_prob, "NEWS2": np.round(y_prob * 10)})
    assert len(legend_texts(ax)) == 3
    assert_lines_differ_by_more_than_colour(ax)


def test_plot_roc_input_checks():
    with pytest.raises(ValueError, match="y_true must contain both outcomes"):
        plots.plot_roc([1, 1, 1], [0.2, 0.4, 0.6])
    with pytest.raises(ValueError, match="y_true and y_score must have the same length"):
        plots.plot_roc([0, 1, 1], [0.2, 0.4])
    with pytest.raises(TypeError, match="ax must be matplotlib Axes"):
        plots.plot_roc([0, 1], [0.2, 0.4], ax="left")


def test_plot_calibration(data):
    ax = plots.plot_calibration(*data, n_bins=5)
    rendered(ax)
    assert ax.get_xlabel() == "Predicted risk (mean in each group)"
    assert ax.get_ylabel() == "Observed proportion with the outcome"
    assert ax.get_title() == "Calibration"
    texts = legend_texts(ax)
    assert texts[0] == "perfect calibration"
    assert texts[1].startswith("model (slope ") and "intercept" in texts[1]
    assert "5 groups" in plots.alt_text(ax)
    reference = ax.get_lines()[0]
    points = ax.containers[0].lines[0]
    assert line_style_key(reference) != line_style_key(points)
    assert points.get_marker() == "o"
    assert len(points.get_xdata()) == 5


def test_plot_decision_curve(data):
    y_true, y_prob = data
    ax = plots.plot_decision_curve(y_true, y_prob, thresholds=np.arange(0.05, 0.6, 0.05))
    rendered(ax)
    assert legend_texts(ax) == ["model", "treat all", "treat none"]
    assert ax.get_xlabel() == "Threshold probability (the risk at which you would act)"
    assert ax.get_ylabel() == "Net benefit (true positives per person)"
    assert ax.get_title() == "Decision curve"
    assert_lines_differ_by_more_than_colour(ax)
    treat_none = ax.get_lines()[-1]
    assert np.all(treat_none.get_ydata() == 0)
    assert "beats both" in plots.alt_text(ax) or "never beats both" in plots.alt_text(ax)

    ax = plots.plot_decision_curve(y_true, {"model": y_prob, "other": y_prob**2})
    assert legend_texts(ax) == ["model", "other", "treat all", "treat none"]
    assert_lines_differ_by_more_than_colour(ax)


def test_plot_subgroups(data):
    y_true, y_prob = data
    groups = np.where(np.arange(len(y_true)) % 3 == 0, "female", "male")
    table = subgroup_metrics(y_true, (y_prob >= 0.5).astype(int), groups, y_score=y_prob)
    ax = plots.plot_subgroups(table, "sensitivity")
    rendered(ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["female", "male"]
    assert ax.get_xlabel() == "Sensitivity (proportion, 95% interval)"
    assert ax.get_ylabel() == "Group"
    assert ax.get_title() == "Sensitivity by group"
    assert legend_texts(ax) == ["sensitivity with 95% interval"]
    # The numbers are written beside the points, not only drawn.
    annotations = [t.get_text() for t in ax.texts]
    assert len(annotations) == 2 and all("/" in text for text in annotations)
    alt = plots.alt_text(ax)
    assert "female:" in alt and "male:" in alt and "Largest gap" in alt

    ax = plots.plot_subgroups(table, "auroc")
    assert ax.get_title() == "AUROC by group"
    with pytest.raises(ValueError, match="measure must be one of"):
        plots.plot_subgroups(table, "recall")
    with pytest.raises(TypeError, match="table must be the DataFrame returned by"):
        plots.plot_subgroups(pd.DataFrame({"a": [1]}))


def test_plot_threshold(data):
    y_true, y_prob = data
    ax = plots.plot_threshold(y_true, y_prob, show_ppv=True)
    rendered(ax)
    assert legend_texts(ax) == ["sensitivity", "specificity", "PPV"]
    assert ax.get_xlabel() == "Threshold (predicted probability; flagged if at or above it)"
    assert ax.get_ylabel() == "Proportion (0 to 1)"
    assert_lines_differ_by_more_than_colour(ax)
    assert "closest at a threshold" in plots.alt_text(ax)

    news2 = np.clip(np.round(y_prob * 12), 0, 20)
    ax = plots.plot_threshold(y_true, news2)
    assert ax.get_xlabel() == "Threshold (score; flagged if at or above it)"
    assert all(line.get_marker() not in (None, "None", "") for line in ax.get_lines())


# ------------------------------------------------------------------------- ECG and CT


@pytest.fixture
def real_ecg():
    """Lead II of pydicom's bundled 12-lead ECG (10 s at 1000 Hz), in millivolts."""
    import pydicom
    from pydicom.data import get_testdata_file

    ds = pydicom.dcmread(get_testdata_file("waveform_ecg.dcm"))
    waveform = ds.WaveformSequence[0]
    names = [c.ChannelSourceSequence[0].CodeMeaning for c in waveform.ChannelDefinitionSequence]
    microvolts = ds.waveform_array(0)
    frame = pd.DataFrame(microvolts / 1000, columns=names)
    frame.attrs["sampling_rate"] = float(waveform.SamplingFrequency)
    return frame


def test_plot_ecg_strip_grid_follows_ecg_paper(real_ecg):
    ax = plots.plot_ecg_strip(real_ecg, lead="II", duration=3)
    rendered(ax)
    assert ax.get_xlabel() == "Time (s)"
    assert ax.get_ylabel() == "Voltage (mV)"
    assert ax.get_title() == "ECG, Lead II (25 mm/s, 10 mm/mV)"
    # matplotlib drops minor ticks that fall on major ones, so the fine grid is both together.
    for axis, small, large in ((ax.xaxis, 0.04, 0.2), (ax.yaxis, 0.1, 0.5)):
        low, high = sorted(axis.get_view_interval())
        major = axis.get_majorticklocs()
        every = np.unique(np.round(np.concatenate([axis.get_minorticklocs(), major]), 6))
        every = every[(every >= low - 1e-9) & (every <= high + 1e-9)]
        assert np.allclose(np.diff(every), small)
        assert np.allclose(np.diff(major), large)
    # 10 mm per mV against 25 mm per s: a small square is square on screen.
    assert ax.get_aspect() == pytest.approx(0.4)
    xlim = ax.get_xlim()
    assert xlim[0] == 0 and xlim[1] == pytest.approx(3, abs=0.01)
    assert "25 mm/s, 10 mm/mV" in plots.alt_text(ax)


def test_plot_ecg_strip_from_array_and_time_column():
    t = np.arange(0, 4, 1 / 250)
    signal = 0.1 * np.sin(2 * np.pi * t)
    ax = plots.plot_ecg_strip(signal, sampling_rate=250, start=1, duration=2)
    assert ax.get_xlim() == pytest.approx((1, 3), abs=0.01)
    assert ax.get_title() == "ECG (25 mm/s, 10 mm/mV)"
    frame = pd.DataFrame({"time_s": t, "V1": signal})
    ax = plots.plot_ecg_strip(frame, lead="v1")
    assert ax.get_xlim()[1] == pytest.approx(4, abs=0.01)


def test_plot_ecg_strip_checks(real_ecg):
    with pytest.raises(ValueError, match="lead must name the column to draw"):
        plots.plot_ecg_strip(real_ecg)
    with pytest.raises(ValueError, match=r"lead must be one of the ECG columns .* got 'X'"):
        plots.plot_ecg_strip(real_ecg, lead="X")
    with pytest.raises(ValueError, match="sampling_rate is needed"):
        plots.plot_ecg_strip([0.1, 0.2, 0.1])
    with pytest.raises(ValueError, match="looks like microvolts"):
        plots.plot_ecg_strip(real_ecg["Lead II"] * 1000, sampling_rate=1000)
    with pytest.raises(ValueError, match="start must be between 0 and 10 seconds"):
        plots.plot_ecg_strip(real_ecg, lead="II", start=12)


def test_show_ct_named_and_custom_windows():
    import pydicom
    from pydicom.data import get_testdata_file

    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    expected = {"lung": (-1350, 150), "soft tissue": (-160, 240), "bone": (-500, 1300)}
    for name, clim in expected.items():
        ax = plots.show_ct(hu, name)
        rendered(ax)
        assert ax.images[0].get_clim() == clim
        assert ax.get_title().startswith(f"CT slice, {name} window")
        assert ax.get_xlabel() == "Column (pixels)"
        fig = ax.figure
        assert any(other.get_ylabel() == "Hounsfield units (HU)" for other in fig.axes)
        assert f"{clim[0]} HU and below is black" in plots.alt_text(ax)
    ax = plots.show_ct(hu, (400, 40))
    assert ax.images[0].get_clim() == (-160, 240)
    assert plots.CT_WINDOWS["lung"] == (1500, -600)
    assert plots.CT_WINDOWS["soft tissue"] == (400, 40)
    assert plots.CT_WINDOWS["bone"] == (1800, 400)


def test_show_ct_checks():
    with pytest.raises(ValueError, match=r"window must be one of \['lung'"):
        plots.show_ct(np.zeros((4, 4)), "liver-ish")
    with pytest.raises(ValueError, match="window width must be positive"):
        plots.show_ct(np.zeros((4, 4)), (0, 40))
    with pytest.raises(ValueError, match="pixels must be a 2-D image"):
        plots.show_ct(np.zeros(4))

    class FakeDataset:
        pixel_array = np.zeros((2, 2))

    with pytest.raises(TypeError, match="not a DICOM dataset"):
        plots.show_ct(FakeDataset())


def test_every_helper_leaves_alt_text(data):
    y_true, y_prob = data
    groups = np.where(np.arange(len(y_true)) % 2 == 0, "A", "B")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = subgroup_metrics(y_true, (y_prob > 0.5).astype(int), groups)
    axes = [
        plots.plot_confusion(y_true, (y_prob > 0.5).astype(int)),
        plots.plot_roc(y_true, y_prob),
        plots.plot_calibration(y_true, y_prob),
        plots.plot_decision_curve(y_true, y_prob),
        plots.plot_subgroups(table),
        plots.plot_threshold(y_true, y_prob),
        plots.plot_ecg_strip(np.zeros(500), sampling_rate=250),
        plots.show_ct(np.zeros((8, 8)), "lung"),
    ]
    for ax in axes:
        assert len(plots.alt_text(ax)) > 40
        assert ax.get_title()
        assert ax.get_xlabel() and ax.get_ylabel()


def test_plot_ecg_strip_with_the_course_ecg_data():
    from healthlab import datasets

    ecg = datasets.load("ecg")
    ax = plots.plot_ecg_strip(ecg, lead="II", duration=2.5)
    rendered(ax)
    assert ax.get_title() == "ECG, lead II (25 mm/s, 10 mm/mV)"
    assert ax.get_xlim() == pytest.approx((0, 2.5), abs=0.01)
    assert "lead II" in plots.alt_text(ax)


def test_show_in_a_real_kernel_gives_one_output_with_alt_text():
    """Run show() in a Jupyter kernel with the inline backend, as a lesson does."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "%matplotlib inline\n"
            "from healthlab import plots\n"
            "plots.use_style()\n"
            "ax = plots.plot_roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])\n"
            "plots.show(ax)"
        )
    ]
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = notebook.cells[0].outputs
    figures = [out for out in outputs if out.get("output_type") == "display_data"]
    assert len(figures) == 1, outputs  # the inline backend does not draw it again
    figure = figures[0]
    alt = figure["metadata"]["image/png"]["alt"]
    assert alt.startswith("ROC curve") and "AUROC 0.75" in alt
    assert f'alt="{alt}"' in figure["data"]["text/html"]
    assert figure["data"]["text/plain"] == alt
    # The only other output is the repr of the style object on the line before.
    others = [out for out in outputs if out is not figure]
    assert all(out.get("output_type") != "display_data" for out in others)


def test_figures_draw_the_numbers_that_evaluate_and_sklearn_compute(data):
    """Show uses Measure: the plotted data are exactly the computed numbers."""
    from sklearn.metrics import roc_curve

    from healthlab.evaluate import calibration_table, net_benefit, threshold_table

    y_true, y_prob = data
    ax = plots.plot_roc(y_true, y_prob)
    fpr, tpr, _ = roc_curve(y_true, y_prob)
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), fpr)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), tpr)

    cuts = [0.1, 0.2, 0.3]
    ax = plots.plot_decision_curve(y_true, y_prob, thresholds=cuts)
    table = net_benefit(y_true, y_prob, cuts)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), table["model"])
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), table["treat_all"])

    ax = plots.plot_threshold(y_true, y_prob, thresholds=cuts)
    table = threshold_table(y_true, y_prob, cuts)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), table["sensitivity"])
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), table["specificity"])

    ax = plots.plot_calibration(y_true, y_prob, n_bins=4)
    table = calibration_table(y_true, y_prob, n_bins=4)
    points = ax.containers[0].lines[0]
    np.testing.assert_allclose(points.get_xdata(), table["mean_predicted"])
    np.testing.assert_allclose(points.get_ydata(), table["observed"])
