"""plots.plot_confusion: every cell's text is readable on its own fill (WCAG 1.4.3, 4.5:1)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pytest
from matplotlib.colors import to_rgb

from healthlab import plots

WCAG_TEXT = 4.5


def luminance(colour) -> float:
    """WCAG 2.2 relative luminance, written out here independently of plots.py."""
    channels = []
    for c in to_rgb(colour):
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_wcag_formula_known_values() -> None:
    assert contrast("black", "white") == pytest.approx(21.0)
    assert contrast("#777777", "white") == pytest.approx(4.48, abs=0.01)
    assert plots._contrast_ratio("#0072B2", "white") == pytest.approx(contrast("#0072B2", "white"))
    assert plots._contrast_ratio("#0072B2", "white") == pytest.approx(5.2, abs=0.05)


def _cells(ax):
    """(count, text colour, fill colour) of each of the four cells."""
    image = ax.images[0]
    grid = image.get_array()
    out = []
    for text in ax.texts:
        col, row = (round(v) for v in text.get_position())
        value = grid[row, col]
        out.append((int(value), text.get_color(), image.cmap(image.norm(value))))
    return out


def _plot(tp, fn, fp, tn):
    y_true = [1] * (tp + fn) + [0] * (fp + tn)
    y_pred = [1] * tp + [0] * fn + [1] * fp + [0] * tn
    return plots.plot_confusion(y_true, y_pred, labels=("benign", "malignant"))


@pytest.mark.parametrize(
    "counts",
    [
        (49, 4, 1, 89),  # lesson 04's test set: the 49 true positives were white on light blue
        (52, 1, 6, 84),
        (2, 1, 1, 1),
        (0, 0, 0, 5),
        (10, 10, 10, 10),
        *[(k, 100 - k, 3, 100) for k in range(0, 101, 7)],  # every shade of the colour map
    ],
)
def test_every_cell_text_has_enough_contrast(counts) -> None:
    ax = _plot(*counts)
    cells = _cells(ax)
    assert len(cells) == 4
    for count, text_colour, fill in cells:
        ratio = contrast(text_colour, fill)
        assert ratio >= WCAG_TEXT, f"count {count}: {text_colour} on {fill} is {ratio:.2f}:1"
    plots.close(ax)


def test_colour_follows_the_fill_not_the_count() -> None:
    ax = _plot(49, 4, 1, 89)
    by_count = {count: colour for count, colour, _ in _cells(ax)}
    # 49 of a maximum of 89 gives a mid blue: black text has the higher contrast there
    fill_49 = next(fill for count, _, fill in _cells(ax) if count == 49)
    best = max(("black", "white"), key=lambda c: contrast(c, fill_49))
    assert by_count[49] == best
    assert by_count[89] == "white" and by_count[1] == "black"
    plots.close(ax)
