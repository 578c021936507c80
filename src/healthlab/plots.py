"""Accessible figures for the lessons, each with a text alternative.

Every helper here draws numbers that :mod:`healthlab.evaluate` (or scikit-learn) has
calculated; none of them calculates a clinical measure of its own. Each returns the
matplotlib ``Axes`` it drew on and attaches a default text alternative that describes what
the figure shows, so that :func:`show` can display the figure with its alt text:

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from healthlab import plots
>>> ax = plots.plot_confusion([1, 0, 1, 1, 0], [1, 0, 0, 1, 1])
>>> print(plots.alt_text(ax))  # doctest: +NORMALIZE_WHITESPACE
Confusion table of 5 people (rows: truth, columns: prediction): 2 true positives,
1 false negative, 1 false positive and 1 true negative.
>>> plots.close(ax)

Accessibility rules the helpers follow (WCAG 2.2; see ``clinical-facts.md``):

- the Okabe-Ito colour-blind-safe palette, ordered so that the first five colours have at
  least 3:1 contrast on white (WCAG 1.4.11): blue #0072B2 (5.2:1), vermillion #D55E00
  (3.9:1), bluish green #009E73 (3.4:1), reddish purple #CC79A7 (3.1:1), black #000000;
  then orange #E69F00, sky blue #56B4E9 and yellow #F0E442 (weak on white: used last);
- never colour alone (WCAG 1.4.1): the course style cycles line styles together with colours,
  lines carry legend labels, and cells and bars carry their numbers as text;
- a text alternative for every figure (WCAG 1.1.1), stored by :func:`show` in the notebook
  output.

matplotlib is imported inside the functions, so ``import healthlab.plots`` is quick and
changes no settings: the course style applies inside each helper, and globally only when a
lesson calls :func:`use_style`.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "OKABE_ITO",
    "LINESTYLES",
    "CT_WINDOWS",
    "ECG_PAPER",
    "course_style",
    "use_style",
    "alt_text",
    "set_alt_text",
    "show",
    "close",
    "plot_confusion",
    "plot_roc",
    "plot_calibration",
    "plot_decision_curve",
    "plot_subgroups",
    "plot_frequency_tree",
    "plot_threshold",
    "plot_ecg_strip",
    "show_ct",
]

#: Okabe & Ito (2008) colour-blind-safe palette, highest contrast on white first.
OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
)

#: Line styles cycled together with the colours, so lines never differ by colour alone.
LINESTYLES = (
    "-",
    "--",
    "-.",
    ":",
    (0, (6, 2, 1, 2, 1, 2)),
    (0, (8, 3)),
    (0, (1, 1)),
    (0, (4, 1, 4, 1, 1, 1)),
)

# A style no cycle entry uses, for reference lines (chance, perfect calibration, treat none).
_REFERENCE_STYLE = {"color": "#595959", "linestyle": (0, (2, 4)), "linewidth": 1.5}

_ALT_ATTRIBUTE = "_healthlab_alt_text"


def course_style() -> dict[str, Any]:
    """The course's matplotlib settings, as a dict of ``rcParams``.

    Returns
    -------
    dict
        Settings for :func:`matplotlib.rc_context` or ``matplotlib.rcParams.update``:
        the Okabe-Ito colour cycle combined with a line-style cycle, font sizes of 12 points
        and more, a light grid and no top or right frame.

    Examples
    --------
    >>> style = course_style()
    >>> style["axes.prop_cycle"].by_key()["color"][:2]
    ['#0072B2', '#D55E00']
    """
    from cycler import cycler

    return {
        "axes.prop_cycle": cycler(color=list(OKABE_ITO)) + cycler(linestyle=list(LINESTYLES)),
        "font.size": 12,
        "axes.titlesize": 14,
        "axes.titleweight": "bold",
        "axes.labelsize": 12,
        "xtick.labelsize": 11,
        "ytick.labelsize": 11,
        "legend.fontsize": 11,
        "legend.framealpha": 0.9,
        "lines.linewidth": 2.0,
        "lines.markersize": 6,
        "errorbar.capsize": 4,
        "axes.grid": True,
        "grid.color": "#b0b0b0",
        "grid.alpha": 0.5,
        "grid.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.figsize": (6.4, 4.8),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "image.cmap": "cividis",
    }


class _Style:
    """The course style, applied at once; restores the old settings when used with ``with``."""

    def __init__(self) -> None:
        import matplotlib as mpl

        self._saved = {key: mpl.rcParams[key] for key in course_style()}
        mpl.rcParams.update(course_style())

    def __enter__(self) -> _Style:
        return self

    def __exit__(self, *exc: object) -> None:
        import matplotlib as mpl

        mpl.rcParams.update(self._saved)

    def __repr__(self) -> str:
        return "<healthlab course style (Okabe-Ito colours, line styles, 12 pt text)>"


def use_style() -> _Style:
    """Use the course style for every figure from now on (or inside a ``with`` block).

    Call it once in a lesson's setup cell. Used as ``with use_style(): ...`` it applies only
    inside the block and the previous settings come back afterwards. The plot helpers in this
    module use the style anyway; this function makes a student's own ``plt.plot`` match them.

    Returns
    -------
    object
        A context manager; ignore it unless you use ``with``.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with use_style():
    ...     mpl.rcParams["font.size"]
    12.0
    """
    return _Style()


def _style_context():
    import matplotlib as mpl

    return mpl.rc_context(course_style())


def _new_axes(ax: Any, figsize: tuple[float, float] | None = None) -> Any:
    """Return ``ax``, or new Axes on a new pyplot figure (so notebooks show it)."""
    if ax is not None:
        from matplotlib.axes import Axes

        if not isinstance(ax, Axes):
            raise TypeError(
                f"ax must be matplotlib Axes (e.g. from fig, ax = plt.subplots()); got "
                f"{type(ax).__name__}."
            )
        return ax
    import matplotlib.pyplot as plt

    _fig, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def _root_figure(artist: Any) -> Any:
    """The top-level Figure that ``artist`` (an Axes, SubFigure or Figure) is drawn in.

    ``get_figure(root=True)`` is matplotlib 3.10+, and from 3.10 ``get_figure()`` without
    ``root`` warns on a nested SubFigure. The ``figure`` attribute means the same on 3.8 and
    on 3.10+: on an Axes it is the (sub)figure it sits in, and on a Figure or SubFigure it is
    the root Figure. So it is followed up until a Figure is reached, with no version checks
    and no warnings.

    Parameters
    ----------
    artist : matplotlib Axes, SubFigure or Figure
        Something placed in a figure.

    Returns
    -------
    matplotlib.figure.Figure
        The root Figure (``artist`` itself if it is one).
    """
    from matplotlib.figure import Figure

    figure = artist
    while not isinstance(figure, Figure):
        figure = figure.figure
    return figure


def _figure_of(obj: Any) -> Any:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    if isinstance(obj, (Axes, SubFigure, Figure)):
        return _root_figure(obj)
    raise TypeError(
        f"expected a matplotlib Figure or Axes (what the plot functions return); got "
        f"{type(obj).__name__}."
    )


def set_alt_text(obj: Any, text: str) -> None:
    """Attach a text alternative to a Figure or Axes (used by :func:`show`).

    Parameters
    ----------
    obj : matplotlib Figure or Axes
        Where to attach the text. Text on an Axes describes that panel; :func:`alt_text`
        joins the panels of a figure in order.
    text : str
        A plain-English description of what the figure shows and what it means.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> set_alt_text(ax, "An empty chart.")
    >>> alt_text(fig)
    'An empty chart.'
    >>> plt.close(fig)
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty description of the figure; got {text!r}.")
    _figure_of(obj)  # type check
    setattr(obj, _ALT_ATTRIBUTE, text.strip())


def alt_text(obj: Any) -> str:
    """The text alternative attached to a Figure or Axes ("" if there is none).

    Parameters
    ----------
    obj : matplotlib Figure or Axes
        A figure drawn by a helper in this module, or one given text by :func:`set_alt_text`.

    Returns
    -------
    str
        For an Axes, its own text (or the figure's). For a Figure, the figure's own text if set,
        otherwise the texts of its Axes joined with spaces.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> alt_text(ax).startswith("ROC curve")
    True
    >>> close(ax)
    """
    fig = _figure_of(obj)
    own = getattr(obj, _ALT_ATTRIBUTE, "")
    if own:
        return own
    if obj is not fig:
        return getattr(fig, _ALT_ATTRIBUTE, "")
    parts = [getattr(ax, _ALT_ATTRIBUTE, "") for ax in fig.axes]
    return " ".join(part for part in parts if part)


def close(obj: Any) -> None:
    """Close the figure of ``obj`` (a Figure or Axes) so it uses no more memory.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> close(ax)
    >>> plt.fignum_exists(fig.number)
    False
    """
    import matplotlib.pyplot as plt

    plt.close(_figure_of(obj))


def show(fig: Any, alt: str | None = None) -> None:
    """Display a figure in the notebook with its text alternative, then close it.

    The output stores the picture three ways: ``image/png`` with the alt text in its output
    metadata (``{"image/png": {"alt": ...}}``, used by nbconvert's classic HTML export);
    ``text/html``, an ``<img>`` tag carrying the same ``alt`` attribute, which is what
    JupyterLab 4 shows (its image renderer ignores the metadata, so without the HTML a screen
    reader would announce nothing); and ``text/plain``, the alt text itself, for text-only
    viewers. The figure is then closed so that the inline backend does not draw it a second
    time.

    Parameters
    ----------
    fig : matplotlib Figure or Axes
        What to display (the plot helpers return an Axes; either works).
    alt : str, optional
        What the figure shows, in plain English, for someone who cannot see it. If omitted,
        the text attached by the plot helper (see :func:`alt_text`) is used.

    Raises
    ------
    ValueError
        If ``alt`` is empty, or omitted for a figure that has no text attached.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> show(ax, alt="")
    Traceback (most recent call last):
    ...
    ValueError: alt must describe the figure for someone who cannot see it, e.g. alt="ROC curve of the model: AUROC 0.91, well above the chance line"; got an empty text.

    Outside a notebook (a script or this example) there is nowhere to show a picture, so the
    alt text is printed instead:

    >>> show(ax)  # doctest: +ELLIPSIS
    [figure] ROC curve: sensitivity against false-positive rate. model: AUROC 0.750. The dashed ...
    """
    figure = _figure_of(fig)
    if alt is None:
        alt = alt_text(fig) or alt_text(figure)
        if not alt:
            raise ValueError(
                "alt is needed: this figure has no text alternative attached, so pass one, e.g. "
                'show(fig, alt="Histogram of age: most patients are 50 to 70 years old").'
            )
    if not isinstance(alt, str):
        raise TypeError(
            f"alt must be text (a str) describing the figure; got {type(alt).__name__}."
        )
    if not alt.strip():
        raise ValueError(
            "alt must describe the figure for someone who cannot see it, e.g. "
            'alt="ROC curve of the model: AUROC 0.91, well above the chance line"; '
            "got an empty text."
        )
    alt = alt.strip()
    # remember the text on the figure, so that a check run after show() can read it
    setattr(figure, _ALT_ATTRIBUTE, alt)
    import matplotlib.pyplot as plt

    try:
        from IPython.core.interactiveshell import InteractiveShell
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        InteractiveShell = None
    if InteractiveShell is None or not InteractiveShell.initialized():
        plt.close(figure)
        print(f"[figure] {alt}")
        return

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    tag = f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}"/>'
    plt.close(figure)
    display(
        {"image/png": png, "text/html": tag, "text/plain": alt},
        raw=True,
        metadata={"image/png": {"alt": alt}},
    )


# ---------------------------------------------------------------------------------------------
# Evaluation figures: the numbers come from healthlab.evaluate or scikit-learn.
# ---------------------------------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _relative_luminance(colour: Any) -> float:
    """WCAG 2.2 relative luminance of a colour (0 = black, 1 = white).

    Examples
    --------
    >>> round(_relative_luminance("#FFFFFF"), 3), round(_relative_luminance("#000000"), 3)
    (1.0, 0.0)
    """
    from matplotlib.colors import to_rgb

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast_ratio(first: Any, second: Any) -> float:
    """WCAG 2.2 contrast ratio of two colours, from 1 (the same) to 21 (black on white).

    Examples
    --------
    >>> round(_contrast_ratio("#000000", "#FFFFFF"), 1)
    21.0
    >>> round(_contrast_ratio("#777777", "white"), 2)  # just below the 4.5:1 needed for text
    4.48
    """
    high, low = sorted((_relative_luminance(first), _relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _text_colour_on(fill: Any) -> str:
    """Black or white, whichever has the higher contrast on ``fill``.

    One of the two always reaches at least 4.58:1 (WCAG 1.4.3 asks for 4.5:1), whatever the fill.
    """
    on_black = _contrast_ratio("#000000", fill)
    on_white = _contrast_ratio("#FFFFFF", fill)
    return "black" if on_black >= on_white else "white"


def plot_confusion(
    y_true: Any,
    y_pred: Any,
    labels: Sequence[str] = ("no disease", "disease"),
    *,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw the 2 x 2 confusion table with the clinical name and count in every cell.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1 or bool
        Truth and prediction for each person (1 = has the condition / test positive).
    labels : pair of str, default ("no disease", "disease")
        Words for 0 and 1, e.g. ``("benign", "malignant")``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
        Title; by default "Confusion table (n = N people)".

    Returns
    -------
    matplotlib.axes.Axes
        With a text alternative attached (see :func:`alt_text`).

    See Also
    --------
    healthlab.evaluate.confusion_table : the same counts as a table.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_confusion([1, 1, 0, 0, 0], [1, 0, 0, 0, 1], labels=("benign", "malignant"))
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('Prediction', 'Truth')
    >>> close(ax)
    """
    from healthlab.evaluate import confusion_table

    table = confusion_table(y_true, y_pred, labels=labels, names=False)
    counts = table.attrs["counts"]
    grid = np.array([[counts["TN"], counts["FP"]], [counts["FN"], counts["TP"]]])
    names = (("true negative", "false positive"), ("false negative", "true positive"))
    n = int(grid.sum())
    with _style_context():
        ax = _new_axes(ax, figsize=(5.6, 4.8))
        ax.grid(False)
        image = ax.imshow(grid, cmap="Blues", vmin=0, vmax=max(int(grid.max()), 1))
        for i in range(2):
            for j in range(2):
                # text colour by contrast with this cell's own fill (WCAG 1.4.3), not by count
                fill = image.cmap(image.norm(grid[i, j]))
                ax.text(
                    j,
                    i,
                    f"{names[i][j]}\n{grid[i, j]}",
                    ha="center",
                    va="center",
                    fontsize=13,
                    color=_text_colour_on(fill),
                    fontweight="bold" if names[i][j].startswith("true") else "normal",
                )
        ax.set_xticks([0, 1], [f"predicted {label}" for label in labels])
        ax.set_yticks([0, 1], [label for label in labels], rotation=90, va="center")
        ax.set_xlabel("Prediction")
        ax.set_ylabel("Truth")
        ax.set_title(title or f"Confusion table (n = {n} people)")
        image.set_label("count of people")
    set_alt_text(
        ax,
        f"Confusion table of {n} people (rows: truth, columns: prediction): "
        f"{_plural(counts['TP'], 'true positive')}, {_plural(counts['FN'], 'false negative')}, "
        f"{_plural(counts['FP'], 'false positive')} and {_plural(counts['TN'], 'true negative')}.",
    )
    return ax


def plot_roc(
    y_true: Any,
    y_score: Any,
    *,
    label: str = "model",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw the ROC curve with the AUROC in the legend and the chance line.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The truth (1 = has the condition); both outcomes must occur.
    y_score : array-like of numbers, or dict of name -> array-like
        A score or probability per person (higher = more likely to have the condition), e.g.
        ``model.predict_proba(X)[:, 1]`` or a NEWS2 total. A dict such as
        ``{"NEWS2": news2, "model": p}`` draws one curve per entry.
    label : str, default "model"
        Legend name when ``y_score`` is a single array.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
        Title; "ROC curve" by default.

    Returns
    -------
    matplotlib.axes.Axes
        With a text alternative attached (see :func:`alt_text`).

    Notes
    -----
    The curve comes from :func:`sklearn.metrics.roc_curve` and the area from
    :func:`sklearn.metrics.roc_auc_score`. The AUROC is the chance that a randomly chosen
    person with the condition scores higher than one without it; 0.5 is chance.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['model (AUROC 0.750)', 'chance (AUROC 0.50)']
    >>> close(ax)
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    from healthlab.evaluate import _binary, _numeric, _same_length

    truth = _binary(y_true, "y_true")
    if truth.min() == truth.max():
        raise ValueError(
            "y_true must contain both outcomes (some 1s and some 0s) to draw a ROC curve; "
            f"it contains only {truth[0]}s."
        )
    if isinstance(y_score, Mapping):
        if not y_score:
            raise ValueError("y_score is an empty dict; give at least one name -> scores entry.")
        curves = {
            str(name): _numeric(scores, f"y_score[{name!r}]") for name, scores in y_score.items()
        }
    else:
        curves = {label: _numeric(y_score, "y_score")}
    for name, scores in curves.items():
        _same_length(
            y_true=truth, **{"y_score" if len(curves) == 1 else f"y_score[{name!r}]": scores}
        )
    described = []
    with _style_context():
        ax = _new_axes(ax, figsize=(5.6, 5.2))
        for name, scores in curves.items():
            fpr, tpr, _ = roc_curve(truth, scores)
            auc = roc_auc_score(truth, scores)
            # Three decimals: a legend must never round 0.996 up to a "perfect" 1.00.
            ax.plot(
                fpr, tpr, label=f"{name} (AUROC {auc:.3f})"
            )  # roc_curve gives the corners: straight lines, right for tied scores too
            described.append(f"{name}: AUROC {auc:.3f}")
        ax.plot([0, 1], [0, 1], label="chance (AUROC 0.50)", **_REFERENCE_STYLE)
        ax.set_xlim(-0.01, 1.01)
        ax.set_ylim(-0.01, 1.01)
        ax.set_aspect("equal")
        ax.set_xlabel("False-positive rate (1 − specificity)")
        ax.set_ylabel("True-positive rate (sensitivity)")
        ax.set_title(title or "ROC curve")
        ax.legend(loc="lower right")
    set_alt_text(
        ax,
        "ROC curve: sensitivity against false-positive rate. "
        + "; ".join(described)
        + ". The dashed grey diagonal is chance (AUROC 0.50).",
    )
    return ax


_MEASURE_LABELS = {
    "sensitivity": "Sensitivity",
    "specificity": "Specificity",
    "ppv": "PPV (positive predictive value)",
    "npv": "NPV (negative predictive value)",
    "accuracy": "Accuracy",
    "prevalence": "Prevalence",
    "lr_positive": "LR+ (positive likelihood ratio)",
    "lr_negative": "LR− (negative likelihood ratio)",
    "auroc": "AUROC",
}


def plot_calibration(
    y_true: Any,
    y_prob: Any,
    n_bins: int = 10,
    strategy: str = "quantile",
    *,
    label: str = "model",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw the calibration (reliability) plot: predicted risk against what happened.

    Each point is a group of people with similar predicted risk, from
    :func:`healthlab.evaluate.calibration_table`, with its Wilson 95% interval; the legend
    gives the calibration slope and intercept (Van Calster et al. 2019). Points on the dashed
    diagonal are perfectly calibrated; below it the model over-estimates risk.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        What happened.
    y_prob : array-like of float
        Predicted probabilities, between 0 and 1.
    n_bins : int, default 10
        Number of groups.
    strategy : {"quantile", "uniform"}, default "quantile"
        Groups of equal size or of equal width (see ``calibration_table``).
    label : str, default "model"
        Name of the model in the legend.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
        Title; "Calibration" by default.

    Returns
    -------
    matplotlib.axes.Axes
        With a text alternative attached (see :func:`alt_text`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> risk = rng.uniform(0, 1, 500)
    >>> ax = plot_calibration(rng.random(500) < risk, risk, n_bins=5)
    >>> ax.get_xlabel()
    'Predicted risk (mean in each group)'
    >>> close(ax)
    """
    from healthlab.evaluate import (
        _binary,
        calibration_in_the_large,
        calibration_slope,
        calibration_table,
    )

    table = calibration_table(y_true, y_prob, n_bins=n_bins, strategy=strategy)
    truth = _binary(y_true, "y_true")
    summary = ""
    if truth.min() != truth.max():
        slope = calibration_slope(y_true, y_prob)
        intercept = calibration_in_the_large(y_true, y_prob)
        summary = f"slope {slope:.2f}, intercept {intercept:.2f}"
    x = table["mean_predicted"].to_numpy()
    y = table["observed"].to_numpy()
    errors = np.vstack([y - table["ci_low"].to_numpy(), table["ci_high"].to_numpy() - y])
    with _style_context():
        ax = _new_axes(ax, figsize=(5.6, 5.2))
        ax.plot([0, 1], [0, 1], label="perfect calibration", **_REFERENCE_STYLE)
        ax.errorbar(
            x,
            y,
            yerr=errors,
            marker="o",
            label=f"{label} ({summary})" if summary else label,
            color=OKABE_ITO[0],
            linestyle="-",
        )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.set_xlabel("Predicted risk (mean in each group)")
        ax.set_ylabel("Observed proportion with the outcome")
        ax.set_title(title or "Calibration")
        ax.legend(loc="upper left")
    worst = int(np.argmax(np.abs(y - x)))
    direction = "over-estimates" if x[worst] > y[worst] else "under-estimates"
    set_alt_text(
        ax,
        f"Calibration plot of {label}: {len(table)} groups of people, predicted risk against "
        f"the observed proportion with the outcome, with 95% intervals. "
        f"Points below the diagonal mean the model over-estimates risk. "
        f"The largest difference is in group {int(table['bin'].iloc[worst])}, where the model "
        f"{direction} risk: predicted {x[worst]:.2f}, observed {y[worst]:.2f}."
        + (f" Calibration {summary} (ideal: slope 1, intercept 0)." if summary else ""),
    )
    return ax


def plot_frequency_tree(
    table: Any,
    *,
    people: str = "people",
    condition: str = "the condition",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw a natural-frequency tree: N people, split by the condition, then by the result.

    The picture a teacher draws on the board for the screening paradox: "1,000 women; 10 have
    cancer (9 test positive, 1 negative); 990 do not (89 test positive, 901 negative)". The
    counts come from :func:`healthlab.evaluate.natural_frequencies`; every box carries its
    count and its meaning in words, and positive results have a thick solid border while
    negative ones have a thin dashed border, so colour is never the only cue.

    Parameters
    ----------
    table : pandas.DataFrame
        The result of :func:`healthlab.evaluate.natural_frequencies`.
    people : str, default "people"
        What to call the people, e.g. ``"women"``.
    condition : str, default "the condition"
        The condition in words, e.g. ``"breast cancer"``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
        Title; by default "Natural frequencies: N people tested".

    Returns
    -------
    matplotlib.axes.Axes
        With a text alternative built from the counts attached (see :func:`alt_text`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from healthlab.evaluate import natural_frequencies
    >>> story = natural_frequencies(0.90, 0.91, 0.01, population=1000)
    >>> ax = plot_frequency_tree(story, people="women", condition="breast cancer")
    >>> print(alt_text(ax))  # doctest: +NORMALIZE_WHITESPACE
    Tree diagram of natural frequencies. 1000 women are tested. 10 have breast cancer: 9 test
    positive and 1 tests negative (missed). 990 do not have breast cancer: 89 test positive
    (false alarms) and 901 test negative. So 98 women test positive, and 9 of the 98 (9.2%)
    have breast cancer.
    >>> close(ax)
    """
    count = {name: int(table.loc[name, "count"]) for name in table.index}
    n, ill, well = count["population"], count["with_condition"], count["without_condition"]
    tp, fn = count["true_positives"], count["false_negatives"]
    fp, tn = count["false_positives"], count["true_negatives"]
    positives = tp + fp

    def verb(k: int, one: str, many: str) -> str:
        return f"{k} {one if k == 1 else many}"

    boxes = [  # (x, y, text, result: None / "positive" / "negative")
        (0.5, 0.86, f"{n} {people}\ntested", None),
        (0.25, 0.52, f"{ill} have\n{condition}", None),
        (0.75, 0.52, f"{well} do not have\n{condition}", None),
        (0.125, 0.14, f"{verb(tp, 'tests', 'test')}\npositive", "positive"),
        (0.375, 0.14, f"{verb(fn, 'tests', 'test')}\nnegative\n(missed)", "negative"),
        (0.625, 0.14, f"{verb(fp, 'tests', 'test')}\npositive\n(false alarms)", "positive"),
        (0.875, 0.14, f"{verb(tn, 'tests', 'test')}\nnegative", "negative"),
    ]
    edges = [(0, 1), (0, 2), (1, 3), (1, 4), (2, 5), (2, 6)]
    with _style_context():
        ax = _new_axes(ax, figsize=(9, 5))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        for parent, child in edges:
            (x0, y0, *_), (x1, y1, *_) = boxes[parent], boxes[child]
            ax.plot([x0, x1], [y0 - 0.06, y1 + 0.1], color="#595959", linestyle="-", lw=1.5)
        for x, y, text, result in boxes:
            style = {
                None: {"facecolor": "white", "edgecolor": "black", "linewidth": 1.5},
                "positive": {"facecolor": "#F6D2B8", "edgecolor": OKABE_ITO[1], "linewidth": 3},
                "negative": {
                    "facecolor": "#CCE3F0",
                    "edgecolor": OKABE_ITO[0],
                    "linewidth": 1.5,
                    "linestyle": "--",
                },
            }[result]
            ax.text(
                x,
                y,
                text,
                ha="center",
                va="center",
                fontsize=11,
                color="black",
                bbox={"boxstyle": "round,pad=0.5", **style},
            )
        share = f" ({100 * tp / positives:.1f}%)" if positives else ""
        ax.set_title(
            title
            or f"Natural frequencies: {n} {people} tested\n{tp} of the {positives} who test "
            f"positive{share} have {condition}"
        )
    set_alt_text(
        ax,
        f"Tree diagram of natural frequencies. {n} {people} are tested. {ill} have {condition}: "
        f"{verb(tp, 'tests', 'test')} positive and {verb(fn, 'tests', 'test')} negative "
        f"(missed). {well} do not have {condition}: {verb(fp, 'tests', 'test')} positive "
        f"(false alarms) and {verb(tn, 'tests', 'test')} negative. So {positives} {people} test "
        f"positive, and {tp} of the {positives}{share} have {condition}.",
    )
    return ax


def _ranges(thresholds: np.ndarray, mask: np.ndarray) -> str:
    """Describe where mask is True as 'from 5% to 30%' ranges."""
    parts = []
    start = None
    for i, flag in enumerate(mask):
        if flag and start is None:
            start = i
        if start is not None and (not flag or i == len(mask) - 1):
            end = i if flag else i - 1
            low, high = thresholds[start], thresholds[end]
            parts.append(f"{low:.0%}" if start == end else f"{low:.0%} to {high:.0%}")
            start = None
    return ", ".join(parts)


# Decision curves: models never share the vermillion dashes of "treat all" or the grey dots of
# "treat none".
_MODEL_COLOURS = (OKABE_ITO[0], OKABE_ITO[2], OKABE_ITO[3], OKABE_ITO[4], OKABE_ITO[6])
_MODEL_STYLES = ("-", "-.", (0, (6, 2, 1, 2, 1, 2)), (0, (8, 3)), (0, (4, 1, 4, 1, 1, 1)))


def plot_decision_curve(
    y_true: Any,
    y_prob: Any,
    thresholds: Any = None,
    *,
    label: str = "model",
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw the decision curve: net benefit of the model, of treating all and of treating none.

    The numbers come from :func:`healthlab.evaluate.net_benefit` (Vickers & Elkin 2006).
    The model is worth using at the thresholds where its line lies above both others.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        What happened.
    y_prob : array-like of float, or dict of name -> array-like
        Predicted probabilities; a dict draws one line per model.
    thresholds : array-like of float, optional
        Threshold probabilities strictly between 0 and 1; by default 0.01, 0.02, ..., 0.99.
    label : str, default "model"
        Legend name when ``y_prob`` is a single array.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
        Title; "Decision curve" by default.

    Returns
    -------
    matplotlib.axes.Axes
        With a text alternative attached (see :func:`alt_text`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> y_true = [1] * 100 + [0] * 900
    >>> y_prob = [0.9] * 80 + [0.0] * 20 + [0.9] * 270 + [0.0] * 630
    >>> ax = plot_decision_curve(y_true, y_prob)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['model', 'treat all', 'treat none']
    >>> close(ax)
    """
    from healthlab.evaluate import net_benefit

    if thresholds is None:
        thresholds = np.round(np.arange(1, 100) / 100, 2)
    models = dict(y_prob) if isinstance(y_prob, Mapping) else {label: y_prob}
    if not models:
        raise ValueError("y_prob is an empty dict; give at least one name -> probabilities entry.")
    tables = {str(name): net_benefit(y_true, prob, thresholds) for name, prob in models.items()}
    first = next(iter(tables.values()))
    cuts = first["threshold"].to_numpy()
    prevalence = first.attrs["prevalence"]
    described = []
    with _style_context():
        ax = _new_axes(ax, figsize=(6.8, 4.8))
        for i, (name, table) in enumerate(tables.items()):
            ax.plot(
                cuts,
                table["model"],
                label=name,
                color=_MODEL_COLOURS[i % len(_MODEL_COLOURS)],
                linestyle=_MODEL_STYLES[i % len(_MODEL_STYLES)],
            )
            better = (
                table["model"].to_numpy() > np.maximum(table["treat_all"].to_numpy(), 0) + 1e-12
            )
            where = _ranges(cuts, better)
            described.append(
                f"{name} beats both at thresholds {where}" if where else f"{name} never beats both"
            )
        ax.plot(cuts, first["treat_all"], label="treat all", color=OKABE_ITO[1], linestyle="--")
        ax.plot(cuts, first["treat_none"], label="treat none", **_REFERENCE_STYLE)
        top = max(prevalence, max(float(t["model"].max()) for t in tables.values()))
        top = top if top > 0 else 0.05
        ax.set_ylim(-0.3 * top, 1.15 * top)
        ax.set_xlim(float(cuts.min()), float(cuts.max()))
        ax.set_xlabel("Threshold probability (the risk at which you would act)")
        ax.set_ylabel("Net benefit (true positives per person)")
        ax.set_title(title or "Decision curve")
        ax.legend(loc="upper right")
    set_alt_text(
        ax,
        f"Decision curve: net benefit against threshold probability from {cuts.min():.0%} to "
        f"{cuts.max():.0%}, for {', '.join(tables)}, treat all (dashed) and treat none "
        f"(the zero line). Prevalence {prevalence:.1%}, so treat all starts near that value. "
        + "; ".join(described)
        + ".",
    )
    return ax


def plot_subgroups(
    table: Any,
    measure: str = "sensitivity",
    *,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw one measure for each group, with its interval and the counts behind it.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`healthlab.evaluate.subgroup_metrics`.
    measure : str, default "sensitivity"
        Which measure to draw, e.g. ``"specificity"``, ``"ppv"`` or ``"auroc"``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
        Title; "<Measure> by group" by default.

    Returns
    -------
    matplotlib.axes.Axes
        With a text alternative attached (see :func:`alt_text`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from healthlab.evaluate import subgroup_metrics
    >>> y_true = [1] * 20 + [0] * 20 + [1] * 20 + [0] * 20
    >>> y_pred = [1] * 18 + [0] * 22 + [1] * 12 + [0] * 28
    >>> table = subgroup_metrics(y_true, y_pred, ["female"] * 40 + ["male"] * 40)
    >>> ax = plot_subgroups(table, "sensitivity")
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['female', 'male']
    >>> close(ax)
    """
    import pandas as pd

    needed = {"group", "measure", "value", "ci_low", "ci_high", "numerator", "denominator"}
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns):
        raise TypeError(
            "table must be the DataFrame returned by healthlab.evaluate.subgroup_metrics(...); "
            f"got {type(table).__name__}."
        )
    available = list(pd.unique(table["measure"]))
    if measure not in available:
        raise ValueError(f"measure must be one of {available}; got {measure!r}.")
    part = table[table["measure"] == measure].reset_index(drop=True)
    name = _MEASURE_LABELS.get(measure, measure)
    proportion = not measure.startswith("lr_")
    positions = np.arange(len(part))[::-1]
    values = part["value"].to_numpy(dtype=float)
    low = part["ci_low"].to_numpy(dtype=float)
    high = part["ci_high"].to_numpy(dtype=float)
    errors = np.vstack([np.nan_to_num(values - low), np.nan_to_num(high - values)])
    confidence = table.attrs.get("confidence", 0.95)
    described = []
    with _style_context():
        ax = _new_axes(ax, figsize=(6.8, 1.2 + 0.6 * len(part)))
        ax.errorbar(
            values,
            positions,
            xerr=errors,
            fmt="o",
            color=OKABE_ITO[0],
            ecolor=OKABE_ITO[0],
            label=f"{measure} with {confidence:.0%} interval",
        )
        for pos, row in zip(positions, part.itertuples(index=False), strict=True):
            if pd.isna(row.value):
                text = "cannot be calculated"
                x = 0.02 if proportion else 0.0
            else:
                counts = (
                    f" ({row.numerator}/{row.denominator})" if not pd.isna(row.numerator) else ""
                )
                text = f"{row.value:.2f}{counts}"
                x = row.value if pd.isna(row.ci_high) else row.ci_high
            ax.annotate(
                text, (x, pos), xytext=(6, 6), textcoords="offset points", va="bottom", fontsize=10
            )
            interval = (
                f" ({row.ci_low:.2f} to {row.ci_high:.2f})" if not pd.isna(row.ci_low) else ""
            )
            described.append(
                f"{row.group}: "
                + ("cannot be calculated" if pd.isna(row.value) else f"{row.value:.2f}{interval}")
            )
        ax.set_yticks(positions, [str(group) for group in part["group"]])
        ax.set_ylim(-0.7, len(part) - 0.3)
        if proportion:
            ax.set_xlim(0, 1.1)
        ax.set_xlabel(f"{name} ({'proportion, ' if proportion else ''}{confidence:.0%} interval)")
        ax.set_ylabel("Group")
        ax.set_title(title or f"{name} by group")
        ax.legend(loc="lower right", fontsize=9)
    gap = ""
    gaps = table.attrs.get("gaps")
    if isinstance(gaps, pd.DataFrame) and measure in gaps.index:
        g = gaps.loc[measure]
        gap = (
            f" Largest gap {g['gap']:.2f}, between {g['highest_group']} (highest) and "
            f"{g['lowest_group']} (lowest)."
        )
    set_alt_text(
        ax,
        f"{name} by group with {confidence:.0%} intervals: " + "; ".join(described) + "." + gap,
    )
    return ax


def plot_threshold(
    y_true: Any,
    y_score: Any,
    thresholds: Any = None,
    *,
    show_ppv: bool = False,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw sensitivity and specificity (and optionally PPV) against the threshold.

    Raising the threshold flags fewer people: specificity rises and sensitivity falls. The
    numbers come from :func:`healthlab.evaluate.threshold_table`.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The truth.
    y_score : array-like of numbers
        Probabilities or scores (such as NEWS2 totals); a person is flagged at or above the
        threshold.
    thresholds : array-like of numbers, optional
        By default 0.01 to 0.99 for probabilities, otherwise every distinct score
        (or 100 evenly spaced values when there are more than 100).
    show_ppv : bool, default False
        Also draw the PPV.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
        Title; "Sensitivity and specificity by threshold" by default.

    Returns
    -------
    matplotlib.axes.Axes
        With a text alternative attached (see :func:`alt_text`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_threshold([0, 0, 1, 1, 0, 1], [0.1, 0.3, 0.35, 0.8, 0.5, 0.9])
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['sensitivity', 'specificity']
    >>> close(ax)
    """
    from healthlab.evaluate import _numeric, threshold_table

    scores = _numeric(y_score, "y_score")
    probabilities = scores.min() >= 0 and scores.max() <= 1
    if thresholds is None:
        if probabilities:
            thresholds = np.round(np.arange(1, 100) / 100, 2)
        else:
            distinct = np.unique(scores)
            thresholds = (
                distinct
                if len(distinct) <= 100
                else np.linspace(distinct.min(), distinct.max(), 100)
            )
    table = threshold_table(y_true, scores, thresholds)
    cuts = table["threshold"].to_numpy()
    few = len(cuts) <= 25
    with _style_context():
        ax = _new_axes(ax, figsize=(6.8, 4.8))
        ax.plot(
            cuts,
            table["sensitivity"],
            label="sensitivity",
            color=OKABE_ITO[0],
            linestyle="-",
            marker="o" if few else None,
        )
        ax.plot(
            cuts,
            table["specificity"],
            label="specificity",
            color=OKABE_ITO[1],
            linestyle="--",
            marker="s" if few else None,
        )
        if show_ppv:
            ax.plot(
                cuts,
                table["ppv"],
                label="PPV",
                color=OKABE_ITO[2],
                linestyle="-.",
                marker="^" if few else None,
            )
        ax.set_ylim(-0.02, 1.02)
        unit = "predicted probability" if probabilities else "score"
        ax.set_xlabel(f"Threshold ({unit}; flagged if at or above it)")
        ax.set_ylabel("Proportion (0 to 1)")
        ax.set_title(title or "Sensitivity and specificity by threshold")
        ax.legend(loc="center right")
    sens = table["sensitivity"].to_numpy(dtype=float)
    spec = table["specificity"].to_numpy(dtype=float)
    cross = int(np.nanargmin(np.abs(sens - spec)))
    set_alt_text(
        ax,
        f"Sensitivity and specificity against the threshold ({unit}) from {cuts[0]:g} to "
        f"{cuts[-1]:g}: sensitivity goes from {sens[0]:.2f} to {sens[-1]:.2f} and specificity "
        f"from {spec[0]:.2f} to {spec[-1]:.2f}. They are closest at a threshold of "
        f"{cuts[cross]:g} (sensitivity {sens[cross]:.2f}, specificity {spec[cross]:.2f})."
        + (" PPV is drawn as a dash-dot line." if show_ppv else ""),
    )
    return ax


# ---------------------------------------------------------------------------------------------
# Signals and images
# ---------------------------------------------------------------------------------------------

#: Standard ECG paper: 25 mm/s and 10 mm/mV, so a 1 mm small square is 0.04 s by 0.1 mV and a
#: 5 mm large square is 0.2 s by 0.5 mV.
ECG_PAPER = {
    "mm_per_s": 25.0,
    "mm_per_mV": 10.0,
    "small_s": 0.04,
    "small_mV": 0.1,
    "large_s": 0.2,
    "large_mV": 0.5,
}


def _ecg_signal(signal: Any, sampling_rate: Any, lead: str | None) -> tuple[np.ndarray, float, str]:
    import pandas as pd

    from healthlab.evaluate import _numeric

    name = str(lead) if lead is not None else ""
    if isinstance(signal, pd.DataFrame):
        time_columns = [c for c in signal.columns if str(c).lower() in ("time", "time_s", "t")]
        leads = [c for c in signal.columns if c not in time_columns]
        if lead is None:
            if len(leads) != 1:
                raise ValueError(
                    f"lead must name the column to draw, one of {[str(c) for c in leads]}; "
                    "e.g. lead='II'."
                )
            lead = leads[0]
        matches = [c for c in leads if str(c).lower() == str(lead).lower()]
        if not matches:
            loose = [
                c
                for c in leads
                if str(c).lower().replace("lead", "").strip()
                == str(lead).lower().replace("lead", "").strip()
            ]
            matches = loose
        if not matches:
            raise ValueError(
                f"lead must be one of the ECG columns {[str(c) for c in leads]}; got {lead!r}."
            )
        column = matches[0]
        name = str(column)
        if sampling_rate is None:
            for key in ("sampling_rate", "sampling_rate_hz", "fs"):
                if key in signal.attrs:
                    sampling_rate = signal.attrs[key]
                    break
        if sampling_rate is None and time_columns:
            times = _numeric(signal[time_columns[0]], time_columns[0])
            steps = np.diff(times)
            if len(steps) and steps.min() > 0:
                sampling_rate = 1.0 / float(np.median(steps))
        values = _numeric(signal[column], f"the {name} column")
    else:
        values = _numeric(signal, "signal")
    if sampling_rate is None:
        raise ValueError(
            "sampling_rate is needed: how many samples per second (Hz) the ECG holds, e.g. "
            "sampling_rate=500."
        )
    if (
        isinstance(sampling_rate, bool)
        or not isinstance(sampling_rate, (int, float, np.number))
        or not sampling_rate > 0
    ):
        raise ValueError(
            f"sampling_rate must be a positive number of samples per second (Hz); got {sampling_rate!r}."
        )
    if np.abs(values).max() > 20:
        raise ValueError(
            f"signal must be in millivolts (mV); its values reach {np.abs(values).max():g}, which "
            "looks like microvolts. Divide by 1000 to convert µV to mV."
        )
    return values, float(sampling_rate), name


def plot_ecg_strip(
    signal: Any,
    sampling_rate: float | None = None,
    *,
    lead: str | None = None,
    start: float = 0.0,
    duration: float | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Draw an ECG trace on standard ECG paper (25 mm/s, 10 mm/mV).

    The grid is the one on every ward's ECG paper: small 1 mm squares of 0.04 s by 0.1 mV and
    large 5 mm squares of 0.2 s by 0.5 mV, so five large squares are one second. The squares are
    drawn square; at the default figure size a printout is close to true scale.

    Parameters
    ----------
    signal : array-like of float or pandas.DataFrame
        The voltage in millivolts (mV), one value per sample; or a DataFrame with one column
        per lead (such as ``healthlab.datasets.load("ecg")``), optionally with a ``time`` or
        ``time_s`` column in seconds.
    sampling_rate : float, optional
        Samples per second (Hz). For a DataFrame it is taken from
        ``df.attrs["sampling_rate"]`` (or ``"sampling_rate_hz"``) or from the time column
        when omitted.
    lead : str, optional
        For a DataFrame: the lead to draw, e.g. ``"II"`` (matched ignoring case and the word
        "lead").
    start : float, default 0.0
        Where to start, in seconds.
    duration : float, optional
        How many seconds to draw; by default to the end of the signal.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized for the strip if omitted.
    title : str, optional
        Title; "ECG, lead <lead> (25 mm/s, 10 mm/mV)" by default.

    Returns
    -------
    matplotlib.axes.Axes
        With a text alternative attached (see :func:`alt_text`).

    Raises
    ------
    ValueError
        If the sampling rate is missing, the lead is unknown, the values look like microvolts,
        or ``start``/``duration`` fall outside the recording.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> t = np.arange(0, 2, 1 / 500)
    >>> beat = np.exp(-(((t % 0.8) - 0.4) ** 2) / 0.0002)  # one sharp "R wave" every 0.8 s
    >>> ax = plot_ecg_strip(beat, sampling_rate=500)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('Time (s)', 'Voltage (mV)')
    >>> close(ax)
    """
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    values, rate, name = _ecg_signal(signal, sampling_rate, lead)
    lead_words = name if name.lower().startswith("lead") else (f"lead {name}" if name else "")
    total = len(values) / rate
    if not 0 <= start < total:
        raise ValueError(
            f"start must be between 0 and {total:g} seconds (the length of the recording); "
            f"got {start!r}."
        )
    if duration is None:
        duration = total - start
    if not duration > 0:
        raise ValueError(f"duration must be a positive number of seconds; got {duration!r}.")
    first = int(round(start * rate))
    last = min(len(values), int(round((start + duration) * rate)))
    piece = values[first:last]
    times = start + np.arange(len(piece)) / rate
    low = np.floor(piece.min() / 0.5) * 0.5 - 0.5
    high = np.ceil(piece.max() / 0.5) * 0.5 + 0.5
    width_mm = (times[-1] - times[0]) * ECG_PAPER["mm_per_s"]
    height_mm = (high - low) * ECG_PAPER["mm_per_mV"]
    with _style_context():
        ax = _new_axes(ax, figsize=(width_mm / 25.4 + 1.2, height_mm / 25.4 + 1.0))
        ax.set_facecolor("#fff7f7")
        ax.xaxis.set_major_locator(MultipleLocator(ECG_PAPER["large_s"]))
        ax.xaxis.set_minor_locator(MultipleLocator(ECG_PAPER["small_s"]))
        ax.yaxis.set_major_locator(MultipleLocator(ECG_PAPER["large_mV"]))
        ax.yaxis.set_minor_locator(MultipleLocator(ECG_PAPER["small_mV"]))
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda x, _pos: f"{x:g}" if abs(x - round(x)) < 1e-6 else "")
        )
        ax.grid(True, which="major", color="#e06666", linewidth=0.8, alpha=1.0)
        ax.grid(True, which="minor", color="#f4c2c2", linewidth=0.4, alpha=1.0)
        ax.tick_params(which="minor", length=0)
        ax.set_axisbelow(True)
        ax.plot(
            times, piece, color="black", linewidth=1.1, linestyle="-", label=lead_words or "ECG"
        )
        ax.set_xlim(times[0], times[-1])
        ax.set_ylim(low, high)
        # 1 mV must be as long on screen as 10 mm, and 1 s as 25 mm.
        ax.set_aspect(ECG_PAPER["mm_per_mV"] / ECG_PAPER["mm_per_s"])
        ax.set_xlabel("Time (s)")
        ax.set_ylabel("Voltage (mV)")
        ax.set_title(title or f"ECG{', ' + lead_words if name else ''} (25 mm/s, 10 mm/mV)")
    set_alt_text(
        ax,
        f"ECG strip{' of ' + lead_words if name else ''}: {times[-1] - times[0]:.1f} seconds from {times[0]:g} s, "
        f"on standard ECG paper (25 mm/s, 10 mm/mV; small squares 0.04 s by 0.1 mV, large "
        f"squares 0.2 s by 0.5 mV). The voltage ranges from {piece.min():.2f} to "
        f"{piece.max():.2f} mV.",
    )
    return ax


#: Named CT windows as (width, level) in Hounsfield units. Values from Radiopaedia,
#: "Windowing (CT)" (Murphy A, Baba Y, et al., radiopaedia.org/articles/windowing-ct):
#: lungs W1500 L-600, mediastinum W350 L50, bone W1800 L400, brain W80 L40; soft tissue
#: W400 L40 (Radiopaedia gives W400 L50 for abdominal soft tissue; both are in use).
CT_WINDOWS = {
    "lung": (1500, -600),
    "soft tissue": (400, 40),
    "mediastinum": (350, 50),
    "bone": (1800, 400),
    "brain": (80, 40),
}


def _ct_window(window: Any) -> tuple[str, float, float]:
    if isinstance(window, str):
        key = window.strip().lower().replace("_", " ").replace("-", " ")
        key = {"lungs": "lung", "soft": "soft tissue", "soft tissues": "soft tissue"}.get(key, key)
        if key not in CT_WINDOWS:
            raise ValueError(
                f"window must be one of {list(CT_WINDOWS)} or a (width, level) pair in HU such as "
                f"(400, 40); got {window!r}."
            )
        width, level = CT_WINDOWS[key]
        return key, float(width), float(level)
    if (
        isinstance(window, Sequence)
        and len(window) == 2
        and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in window)
    ):
        width, level = float(window[0]), float(window[1])
        if not width > 0:
            raise ValueError(f"window width must be positive (in HU); got {window[0]!r}.")
        return "custom", width, level
    raise ValueError(
        f"window must be one of {list(CT_WINDOWS)} or a (width, level) pair in HU such as "
        f"(400, 40); got {window!r}."
    )


def show_ct(
    pixels: Any,
    window: Any = "soft tissue",
    *,
    ax: Any = None,
    title: str | None = None,
    colorbar: bool = True,
) -> Any:
    """Show a CT slice in Hounsfield units through a named window (lung, soft tissue, bone ...).

    A window maps a band of Hounsfield units (HU) onto the grey scale: values at or below
    ``level - width/2`` are black, at or above ``level + width/2`` white. The eye sees only
    about 50 greys, so each tissue needs its own window.

    Parameters
    ----------
    pixels : 2-D array-like of numbers
        The slice in Hounsfield units (air about -1000, water 0, bone several hundred and
        more), e.g. from ``healthlab.datasets.load_ct_slice()``. For a DICOM file use
        ``ds.pixel_array * ds.RescaleSlope + ds.RescaleIntercept``.
    window : str or (width, level), default "soft tissue"
        A name from :data:`CT_WINDOWS` (``"lung"`` W1500/L-600, ``"soft tissue"`` W400/L40,
        ``"mediastinum"`` W350/L50, ``"bone"`` W1800/L400, ``"brain"`` W80/L40; after
        Radiopaedia, "Windowing (CT)"), or your own ``(width, level)`` in HU.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    title : str, optional
        Title; e.g. "CT slice, lung window (W 1500, L -600 HU)" by default.
    colorbar : bool, default True
        Add a grey-scale bar labelled in HU.

    Returns
    -------
    matplotlib.axes.Axes
        With a text alternative attached (see :func:`alt_text`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> phantom = np.full((64, 64), -1000.0)          # air
    >>> phantom[16:48, 16:48] = 40                    # soft tissue
    >>> phantom[28:36, 28:36] = 700                   # bone
    >>> ax = show_ct(phantom, "lung")
    >>> ax.get_title()
    'CT slice, lung window (W 1500, L -600 HU)'
    >>> ax.images[0].get_clim()
    (-1350.0, 150.0)
    >>> close(ax)
    """
    if hasattr(pixels, "pixel_array"):
        raise TypeError(
            "pixels must be an array of Hounsfield units, not a DICOM dataset; use "
            "ds.pixel_array * ds.RescaleSlope + ds.RescaleIntercept."
        )
    image = np.asarray(pixels)
    if image.dtype.kind == "b" or image.dtype.kind not in "iuf":
        raise TypeError(
            f"pixels must be numbers (Hounsfield units); got values of type {image.dtype}."
        )
    if image.ndim != 2:
        raise ValueError(f"pixels must be a 2-D image (rows x columns); got shape {image.shape}.")
    name, width, level = _ct_window(window)
    vmin, vmax = level - width / 2, level + width / 2
    label = f"{name} window" if name != "custom" else "window"
    with _style_context():
        ax = _new_axes(ax, figsize=(6.0, 5.2))
        ax.grid(False)
        shown = ax.imshow(image, cmap="gray", vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_title(title or f"CT slice, {label} (W {width:g}, L {level:g} HU)")
        ax.set_xlabel("Column (pixels)")
        ax.set_ylabel("Row (pixels)")
        if colorbar:
            bar = _root_figure(ax).colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
            bar.set_label("Hounsfield units (HU)")
    set_alt_text(
        ax,
        f"CT slice of {image.shape[0]} by {image.shape[1]} pixels in the {label} "
        f"(width {width:g}, level {level:g} HU): {vmin:g} HU and below is black, {vmax:g} HU "
        f"and above is white, values between in shades of grey.",
    )
    return ax
