"""plots.plot_frequency_tree: the 1,000-women tree of lesson 04, drawn from the counts."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")

from healthlab import evaluate, plots


@pytest.mark.parametrize(
    ("sens", "spec", "prev", "n"),
    [(0.90, 0.91, 0.01, 1000), (0.80, 1 - 0.096, 0.01, 1000), (0.5, 0.5, 0.5, 10)],
)
def test_boxes_and_alt_text_quote_the_counts(sens, spec, prev, n):
    story = evaluate.natural_frequencies(sens, spec, prev, population=n)
    count = story["count"]
    ax = plots.plot_frequency_tree(story, people="women", condition="cancer")
    try:
        texts = [t.get_text() for t in ax.texts]
        tp, fn = count["true_positives"], count["false_negatives"]
        fp, tn = count["false_positives"], count["true_negatives"]
        assert texts[0] == f"{n} women\ntested"
        assert texts[1].startswith(f"{count['with_condition']} have")
        assert texts[2].startswith(f"{count['without_condition']} do not have")
        for text, k in zip(texts[3:], (tp, fn, fp, tn), strict=True):
            assert text.startswith(f"{k} test")
        alt = plots.alt_text(ax)
        assert f"{n} women are tested" in alt
        assert f"So {tp + fp} women test positive, and {tp} of the {tp + fp}" in alt
        assert f"({100 * tp / (tp + fp):.1f}%)" in alt
        # never colour alone: positives have thick solid borders, negatives dashed ones
        patches = [t.get_bbox_patch() for t in ax.texts]
        assert {p.get_linewidth() for p in (patches[3], patches[5])} == {3}
        assert all(p.get_linestyle() == "--" for p in (patches[4], patches[6]))
    finally:
        plots.close(ax)


def test_the_lesson_04_story_matches_clinical_facts():
    # clinical-facts.md: 10 of 1,000 have cancer, 9 test positive; 89 of 990 also test
    # positive; PPV 9/98.
    story = evaluate.natural_frequencies(0.90, 0.91, 0.01, population=1000)
    ax = plots.plot_frequency_tree(story, people="women", condition="breast cancer")
    try:
        alt = plots.alt_text(ax)
        assert "10 have breast cancer: 9 test positive and 1 tests negative (missed)" in alt
        assert "990 do not have breast cancer: 89 test positive (false alarms)" in alt
        assert "9 of the 98 (9.2%) have breast cancer" in alt
    finally:
        plots.close(ax)
