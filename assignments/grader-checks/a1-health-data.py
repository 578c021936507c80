"""Grader-side checks of assignment a1-health-data (see healthlab.grading.probes).

One list, ``CHECKS``: for every autograded test cell, the checks that award its mark. Each asks
the student's kernel for a value (often by calling the student's function on tables the
grader makes up for this run), and compares it here with the right answer, computed by the
reference functions below from the same inputs. None of this file reaches the student.

Messages say what is wrong, never what the right answer is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from healthlab import datasets
from healthlab.grading.probes import Check

# -- reference answers (the grader's own; never sent to the kernel) ------------------------------


def heart() -> pd.DataFrame:
    return datasets.load("heart-disease")


def clean_reference() -> pd.DataFrame:
    return datasets.load("heart-disease", zero_as_missing=True)


def count_missing(df: pd.DataFrame) -> dict:
    return {str(k): int(v) for k, v in df.isna().sum().items()}


def clean_cholesterol(df: pd.DataFrame) -> pd.DataFrame:
    cleaned = df.copy()
    cleaned.loc[cleaned["chol"] == 0, "chol"] = np.nan
    return cleaned


def disease_rate(df: pd.DataFrame) -> dict:
    return {str(k): float(v) for k, v in (df.groupby("site")["disease"].mean() * 100).items()}


def group_means(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return df.groupby("disease")[columns].mean()


# -- inputs made up for each run -----------------------------------------------------------------


def _names(rng, n: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return rng.sample([a + b for a in letters for b in letters], n)


def toy_with_gaps(rng) -> dict:
    """A small table with a random pattern of missing values in random columns."""
    rows, cols = rng.randint(4, 9), rng.randint(3, 5)
    data = {
        name: [np.nan if rng.random() < 0.4 else float(rng.randint(1, 99)) for _ in range(rows)]
        for name in _names(rng, cols)
    }
    return {"toy": pd.DataFrame(data)}


def heart_subset(rng) -> dict:
    """A random share of the real patients: a site, or a random sample."""
    table = heart()
    if rng.random() < 0.5:
        part = table[table["site"] == rng.choice(sorted(table["site"].unique()))]
    else:
        part = table.sample(n=rng.randint(60, 300), random_state=rng.randint(0, 10**6))
    return {"part": part}


def toy_cholesterol(rng) -> dict:
    rows = rng.randint(5, 9)
    chol = [rng.choice([0.0, 0.0, np.nan, float(rng.randint(150, 320))]) for _ in range(rows)]
    chol[0], chol[1] = 0.0, float(rng.randint(150, 320))
    return {
        "toy": pd.DataFrame(
            {
                "chol": chol,
                "fbs": [float(rng.randint(0, 1)) for _ in range(rows)],
                "age": [rng.randint(30, 80) for _ in range(rows)],
                "sex": [rng.randint(0, 1) for _ in range(rows)],
            }
        )
    }


def toy_sites(rng) -> dict:
    sites = rng.sample(["Leeds", "Bristol", "Derby", "Truro", "Hull"], rng.randint(2, 4))
    rows = rng.randint(6, 12)
    return {
        "toy": pd.DataFrame(
            {
                "site": [sites[i % len(sites)] for i in range(rows)],
                "disease": [rng.randint(0, 1) for _ in range(rows)],
                "age": [rng.randint(30, 80) for _ in range(rows)],
            }
        )
    }


def toy_groups(rng) -> dict:
    rows = rng.randint(6, 10)
    names = _names(rng, 3)
    data = {"disease": [i % 2 for i in range(rows)]}
    for name in names:
        data[name] = [float(rng.randint(1, 50)) for _ in range(rows)]
    data[names[0]][rng.randrange(rows)] = np.nan
    return {"toy": pd.DataFrame(data), "columns": names[: rng.randint(1, 3)]}


def heart_site_columns(rng) -> dict:
    table = clean_reference()
    part = table[table["site"] == rng.choice(["Cleveland", "Hungary", "VA Long Beach"])]
    columns = rng.sample(["age", "trestbps", "chol", "thalach", "oldpeak"], 2)
    return {"part": part, "columns": columns}


# -- comparing -----------------------------------------------------------------------------------


def _series(reply) -> dict | None:
    if not (isinstance(reply, dict) and reply.get("__type__") == "Series"):
        return None
    return dict(zip([str(i) for i in reply["index"]], reply["values"], strict=True))


def _frame(reply):
    if not (isinstance(reply, dict) and reply.get("__type__") == "DataFrame"):
        return None
    return reply


def _nan(x) -> bool:
    return isinstance(x, float) and x != x


def _same_value(a, b, tol: float) -> bool:
    if _nan(a) or _nan(b) or a is None or b is None:
        return (_nan(a) or a is None) and (_nan(b) or b is None)
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) <= tol
    return a == b


def counts_match(reply, expected: dict, *, sorted_desc: bool = True) -> bool:
    got = _series(reply)
    if got is None or set(got) != set(expected):
        return False
    if any(not _same_value(got[k], expected[k], 0) for k in expected):
        return False
    values = list(got.values())
    return not sorted_desc or values == sorted(values, reverse=True)


def rates_match(reply, expected: dict, tol: float, *, sorted_desc: bool = False) -> bool:
    got = _series(reply)
    if got is None or set(got) != set(expected):
        return False
    if any(not _same_value(got[k], expected[k], tol) for k in expected):
        return False
    values = list(got.values())
    return not sorted_desc or values == sorted(values, reverse=True)


def frame_equals(reply, expected: pd.DataFrame) -> bool:
    got = _frame(reply)
    if got is None or got["shape"] != list(expected.shape):
        return False
    if [str(c) for c in got["columns"]] != [str(c) for c in expected.columns]:
        return False
    want = expected.to_numpy(dtype=object).tolist()
    return all(
        _same_value(a, b, 1e-9) for ra, rb in zip(got["values"], want, strict=True)
        for a, b in zip(ra, rb, strict=True)
    )  # fmt: skip


def means_match(reply, expected: pd.DataFrame, tol: float) -> bool:
    got = _frame(reply)
    if got is None or [str(c) for c in got["columns"]] != [str(c) for c in expected.columns]:
        return False
    rows = dict(zip([str(i) for i in got["index"]], got["values"], strict=True))
    if set(rows) != {str(i) for i in expected.index}:
        return False
    return all(
        _same_value(rows[str(i)][j], float(expected.loc[i, c]), tol)
        for i in expected.index
        for j, c in enumerate(expected.columns)
    )


def _first_axes(reply) -> dict | None:
    if not (isinstance(reply, dict) and reply.get("__type__") == "Figure" and reply["axes"]):
        return None
    return reply["axes"][0]


def chart_labels(reply, _expected) -> bool:
    ax = _first_axes(reply)
    if ax is None or not ax["title"].strip() or not ax["ylabel"].strip():
        return False
    x = ax["xlabel"].lower()
    return bool(x.strip()) and ("beats" in x or "bpm" in x or "/min" in x)


def chart_legend(reply, _expected) -> bool:
    ax = _first_axes(reply)
    legend = (ax or {}).get("legend") or []
    return (
        ax is not None
        and len(legend) == 2
        and all(str(t).strip() for t in legend)
        and any(h for h in ax["hatches"])
    )


def chart_data(reply, expected: list[int]) -> bool:
    if not (isinstance(reply, list) and len(reply) == 2):
        return False
    ax, alt = _first_axes(reply[0]), reply[1]
    if ax is None or not isinstance(alt, str) or len(alt.split()) < 8:
        return False
    sums = sorted(round(sum(c)) for c in ax["containers"])
    return sums == sorted(expected)


def group_sizes(_given) -> list[int]:
    table = heart().dropna(subset=["thalach"])
    return [int(n) for n in table.groupby("disease").size()]


def _same_frame_and_unchanged(reply, expected) -> bool:
    if not (isinstance(reply, list) and len(reply) == 2):
        return False
    result, after = _frame(reply[0]), _frame(reply[1])
    return (
        result is not None
        and result["shape"][0] == expected[0]
        and frame_equals(after, expected[1])
    )


# -- the checks ----------------------------------------------------------------------------------

CHECKS = [
    # Task 1: count_missing
    Check(
        "a1_count_missing_type",
        ask="count_missing(given['toy'])",
        given=toy_with_gaps,
        expect=lambda g: count_missing(g["toy"]),
        compare=lambda reply, expected: (_series(reply) or {}).keys() == expected.keys(),
        message="count_missing(df) should return a pandas Series with one number for each "
        "column of the table it is given.",
    ),
    Check(
        "a1_count_missing_values",
        ask="missing",
        expect=lambda g: count_missing(heart()),
        compare=counts_match,
        message="missing does not hold the right number of missing values for every column, "
        "sorted from the most to the fewest.",
    ),
    Check(
        "a1_count_missing_others",
        ask="count_missing(given['toy'])",
        given=toy_with_gaps,
        expect=lambda g: count_missing(g["toy"]),
        compare=counts_match,
        message="count_missing gave the wrong counts (or order) for another small table.",
    ),
    Check(
        "a1_count_missing_others",
        ask="count_missing(given['part'])",
        given=heart_subset,
        expect=lambda g: count_missing(g["part"]),
        compare=counts_match,
        message="count_missing gave the wrong counts for another group of patients.",
    ),
    # Task 2: clean_cholesterol
    Check(
        "a1_clean_cholesterol_type",
        ask="[clean_cholesterol(given['toy']), given['toy']]",
        given=toy_cholesterol,
        expect=lambda g: [len(g["toy"]), g["toy"].copy()],
        compare=_same_frame_and_unchanged,
        message="clean_cholesterol(df) should return a table with every row of df, and leave "
        "the table it was given unchanged (work on df.copy()).",
    ),
    Check(
        "a1_clean_cholesterol_values",
        ask="heart_clean",
        expect=lambda g: clean_cholesterol(heart()),
        compare=frame_equals,
        message="heart_clean is not the heart table with only the cholesterol zeros made "
        "missing (check that no other column or value changed).",
    ),
    Check(
        "a1_clean_cholesterol_others",
        ask="clean_cholesterol(given['toy'])",
        given=toy_cholesterol,
        expect=lambda g: clean_cholesterol(g["toy"]),
        compare=frame_equals,
        message="on another small table, clean_cholesterol did not turn exactly the "
        "cholesterol zeros into NaN (and nothing else).",
    ),
    Check(
        "a1_clean_cholesterol_others",
        ask="clean_cholesterol(given['part'])",
        given=heart_subset,
        expect=lambda g: clean_cholesterol(g["part"]),
        compare=frame_equals,
        message="clean_cholesterol gave the wrong table for another group of patients.",
    ),
    # Task 3: disease_rate_by_site
    Check(
        "a1_disease_rate_type",
        ask="disease_rate_by_site(given['toy'])",
        given=toy_sites,
        expect=lambda g: disease_rate(g["toy"]),
        compare=lambda reply, expected: (_series(reply) or {}).keys() == expected.keys(),
        message="disease_rate_by_site(df) should return a Series with one value for each site "
        "in the table it is given.",
    ),
    Check(
        "a1_disease_rate_values",
        ask="rates",
        expect=lambda g: {k: round(v, 1) for k, v in disease_rate(heart()).items()},
        compare=lambda reply, expected: rates_match(reply, expected, 0.001, sorted_desc=True),
        message="rates does not hold each site's percentage with heart disease, rounded to 1 "
        "decimal place and sorted from the highest to the lowest.",
    ),
    Check(
        "a1_disease_rate_others",
        ask="disease_rate_by_site(given['toy'])",
        given=toy_sites,
        expect=lambda g: disease_rate(g["toy"]),
        compare=lambda reply, expected: rates_match(reply, expected, 0.051),
        message="on another small table, disease_rate_by_site gave the wrong percentages.",
    ),
    Check(
        "a1_disease_rate_others",
        ask="disease_rate_by_site(given['part'])",
        given=heart_subset,
        expect=lambda g: disease_rate(g["part"]),
        compare=lambda reply, expected: rates_match(reply, expected, 0.051),
        message="disease_rate_by_site gave the wrong percentages for another group of patients.",
    ),
    # Task 4: group_means
    Check(
        "a1_group_means_type",
        ask="group_means(given['toy'], given['columns'])",
        given=toy_groups,
        expect=lambda g: group_means(g["toy"], g["columns"]),
        compare=lambda reply, expected: means_match(reply, expected, float("inf")),
        message="group_means(df, columns) should return a DataFrame with one column for each "
        "name in columns (in order) and one row for each value of disease.",
    ),
    Check(
        "a1_group_means_values",
        ask="table_one",
        expect=lambda g: group_means(clean_reference(), ["age", "trestbps", "chol"]).round(1),
        compare=lambda reply, expected: means_match(reply, expected, 0.001),
        message="table_one does not hold the right means of age, trestbps and chol for "
        "clean_reference, rounded to 1 decimal place.",
    ),
    Check(
        "a1_group_means_others",
        ask="group_means(given['part'], given['columns'])",
        given=heart_site_columns,
        expect=lambda g: group_means(g["part"], g["columns"]),
        compare=lambda reply, expected: means_match(reply, expected, 0.051),
        message="group_means gave the wrong means for another hospital's patients and other "
        "columns.",
    ),
    Check(
        "a1_group_means_others",
        ask="group_means(given['toy'], given['columns'])",
        given=toy_groups,
        expect=lambda g: group_means(g["toy"], g["columns"]),
        compare=lambda reply, expected: means_match(reply, expected, 0.051),
        message="on a small table with a missing value, group_means gave the wrong means "
        "(a missing value should be left out of a mean).",
    ),
    # Task 5: the chart
    Check(
        "a1_chart_labels",
        ask="fig",
        expect=lambda g: None,
        compare=chart_labels,
        message="the chart (fig) needs a title and both axis labels, and the x-axis label "
        "should give the unit (beats/min).",
    ),
    Check(
        "a1_chart_legend",
        ask="fig",
        expect=lambda g: None,
        compare=chart_legend,
        message="the chart needs a legend naming the two groups, and a hatch on one group so "
        "that it does not rely on colour alone.",
    ),
    Check(
        "a1_chart_data",
        ask="[fig, alt_text]",
        expect=group_sizes,
        compare=chart_data,
        message="the chart should hold two histograms, one for each group, each counting every "
        "patient of its group with a thalach value, and alt_text should describe it (8 words "
        "or more).",
    ),
]
