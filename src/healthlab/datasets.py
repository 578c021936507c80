"""Real and synthetic health data sets, each with a data card.

Every table comes back as a pandas DataFrame that carries its documentation with it:

- ``df.attrs["data_card"]``: the data card as a dictionary (``source``, ``citation``,
  ``licence``, ``collection``, ``population``, ``known_problems``, ``suitable_uses``, the
  ``columns`` and the full markdown ``text``);
- ``df.attrs["columns"]``: the data dictionary, ``{column: {"description": ..., "unit": ...}}``.

Two data sets are images, not tables: ``load_ct_slice()`` returns a CT slice in Hounsfield
units with its DICOM header, and ``load_retina()`` a colour photograph of the retina;
``load("ct-slice")`` and ``load("retina")`` raise a ValueError that names these functions.
The ECG is a table: ``load("ecg")`` gives time and twelve leads in millivolts.

The cards are the markdown files ``datasets/<name>.md`` in the repository; the code reads them,
so what you read on GitHub and what ``describe`` prints are the same text. Nothing here ever
uses the network: real data sets are committed CSV files or files bundled inside scikit-learn,
pydicom and scikit-image, and the synthetic ones are committed CSV files that the ``make_*``
functions regenerate exactly.

Examples
--------
>>> from healthlab import datasets
>>> heart = datasets.load("heart-disease")
>>> heart.shape
(920, 16)
>>> heart.attrs["columns"]["chol"]["unit"]
'mg/dL'
>>> datasets.list_datasets()["name"].tolist()[:3]
['heart-disease', 'breast-cancer', 'diabetes']
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from healthlab._cards import data_dir, read_card
from healthlab._synthetic import (
    make_patient_cohort,
    make_triage_notes,
    make_ward_observations,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pydicom

__all__ = [
    "describe",
    "list_datasets",
    "load",
    "load_ct_slice",
    "load_retina",
    "make_patient_cohort",
    "make_triage_notes",
    "make_ward_observations",
]

# ---------------------------------------------------------------------------------------------
# Real tables
# ---------------------------------------------------------------------------------------------

# Words for UCI's codes (UCI heart-disease.names), used by load("heart-disease", decode=True).
_HEART_CODES = {
    "sex": {1: "male", 0: "female"},
    "cp": {1: "typical angina", 2: "atypical angina", 3: "non-anginal pain", 4: "asymptomatic"},
    "restecg": {0: "normal", 1: "ST-T abnormality", 2: "left ventricular hypertrophy"},
    "slope": {1: "upsloping", 2: "flat", 3: "downsloping"},
    "thal": {3: "normal", 6: "fixed defect", 7: "reversible defect"},
}


def _load_heart_disease(*, zero_as_missing: bool = False, decode: bool = False) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    _check_bool(zero_as_missing, "zero_as_missing")
    _check_bool(decode, "decode")
    df = pd.read_csv(data_dir() / "heart-disease.csv")
    if zero_as_missing:
        for column in ("chol", "trestbps"):
            df[column] = df[column].mask(df[column] == 0, np.nan)
    if decode:
        for column, words in _HEART_CODES.items():
            df[column] = df[column].map(words)
    return df


def _load_breast_cancer() -> pd.DataFrame:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    df = bunch.data.copy()
    df.columns = [column.replace(" ", "_") for column in df.columns]
    # scikit-learn: 0 = malignant, 1 = benign. Clinics call cancer "positive".
    df["malignant"] = (bunch.target == 0).astype(int)
    return df


_DIABETES_NAMES = {
    "s1": "total_cholesterol",
    "s2": "ldl",
    "s3": "hdl",
    "s4": "total_hdl_ratio",
    "s5": "log_triglycerides",
    "s6": "glucose",
    "target": "progression",
}


def _load_diabetes() -> pd.DataFrame:
    from sklearn.datasets import load_diabetes

    df = load_diabetes(scaled=False, as_frame=True).frame.rename(columns=_DIABETES_NAMES)
    for column in ("age", "sex"):
        df[column] = df[column].astype(int)
    return df


def _testdata_file(filename: str) -> str:
    """Path of a file bundled inside pydicom's wheel (never downloaded)."""
    from pydicom.data import get_testdata_file

    path = get_testdata_file(filename, download=False)
    if path is None:  # pragma: no cover - only if pydicom stops shipping the file
        raise FileNotFoundError(
            f"pydicom no longer ships {filename}; healthlab needs pydicom >= 3.0 with its test files."
        )
    return str(path)


def _load_ecg() -> pd.DataFrame:
    import numpy as np
    import pandas as pd
    import pydicom

    ds = pydicom.dcmread(_testdata_file("waveform_ecg.dcm"))
    group = ds.WaveformSequence[0]  # 0 = the 10 s rhythm strip; 1 = a 1.2 s median beat
    leads = []
    for channel in group.ChannelDefinitionSequence:
        units = channel.ChannelSensitivityUnitsSequence[0].CodeValue
        if units != "uV":  # pragma: no cover - the bundled file is in microvolts
            raise ValueError(f"expected ECG sensitivity in microvolts (uV), found {units!r}")
        meaning = channel.ChannelSourceSequence[0].CodeMeaning  # e.g. "Lead I (Einthoven)"
        leads.append(meaning.removeprefix("Lead ").split(" (")[0])
    # waveform_array applies the channel sensitivity, correction factor and baseline: microvolts.
    millivolts = ds.waveform_array(0) / 1000.0
    rate = float(group.SamplingFrequency)
    df = pd.DataFrame(millivolts, columns=leads)
    df.insert(0, "time_s", np.arange(len(df)) / rate)
    df.attrs["sampling_rate_hz"] = rate
    return df


# Synthetic tables: committed CSV files (the generators' output with their default arguments).
_TEXT_COLUMNS = {
    "ward-observations": ("patient_id", "sex", "consciousness"),
    "triage-notes": ("note_id", "sex", "presenting_complaint", "note"),
    "patient-cohort": (
        "nhs_number", "first_name", "last_name", "date_of_birth", "sex", "ethnic_group",
        "postcode_district",
    ),
}  # fmt: skip


def _read_synthetic(name: str) -> pd.DataFrame:
    import pandas as pd

    dtypes = dict.fromkeys(_TEXT_COLUMNS[name], "str")
    return pd.read_csv(data_dir() / f"{name}.csv", dtype=dtypes, keep_default_na=False)


def _load_ward_observations() -> pd.DataFrame:
    return _read_synthetic("ward-observations")


def _load_triage_notes() -> pd.DataFrame:
    return _read_synthetic("triage-notes")


def _load_patient_cohort() -> pd.DataFrame:
    return _read_synthetic("patient-cohort")


# ---------------------------------------------------------------------------------------------
# Images (not tables)
# ---------------------------------------------------------------------------------------------


def load_ct_slice() -> tuple[np.ndarray, pydicom.Dataset]:
    """Load a real CT slice in Hounsfield units, with its DICOM header.

    The image is pydicom's bundled ``CT_small.dcm``: a 128 x 128 axial slice through the spine
    (see ``describe("ct-slice")``). Pixel values are converted to Hounsfield units (HU) with
    the header's rescale: ``HU = stored value x RescaleSlope + RescaleIntercept``
    (air is about -1000 HU, water 0 HU, bone several hundred HU or more).

    Returns
    -------
    hu : numpy.ndarray of float, shape (128, 128)
        The image in Hounsfield units.
    header : pydicom.Dataset
        The DICOM data set: patient, study and scanner fields (``header.PatientName``,
        ``header.InstitutionName``, ...) and the raw pixels. Change it freely: every call
        reads the file again.

    See Also
    --------
    describe : ``describe("ct-slice")`` prints the data card.

    Examples
    --------
    >>> hu, header = load_ct_slice()
    >>> hu.shape, header.Modality
    ((128, 128), 'CT')
    >>> float(hu.min()), float(hu.max())
    (-896.0, 1167.0)
    >>> str(header.PatientName)
    'CompressedSamples^CT1'
    """
    import pydicom

    header = pydicom.dcmread(_testdata_file("CT_small.dcm"))
    slope = float(header.get("RescaleSlope", 1.0))
    intercept = float(header.get("RescaleIntercept", 0.0))
    hu = header.pixel_array.astype(float) * slope + intercept
    return hu, header


def load_retina() -> np.ndarray:
    """Load a colour photograph of a healthy retina (a fundus photograph).

    The image is scikit-image's bundled ``data.retina()`` (CC0): the back of a normal left eye,
    as taken in diabetic eye screening. See ``describe("retina")``.

    Returns
    -------
    numpy.ndarray of uint8, shape (1411, 1411, 3)
        Red, green and blue values from 0 to 255 for each pixel.

    Examples
    --------
    >>> image = load_retina()
    >>> image.shape, image.dtype.name
    ((1411, 1411, 3), 'uint8')
    """
    from skimage import data

    return data.retina()


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------

_LOADERS: dict[str, Callable[..., pd.DataFrame]] = {
    "heart-disease": _load_heart_disease,
    "breast-cancer": _load_breast_cancer,
    "diabetes": _load_diabetes,
    "ecg": _load_ecg,
    "ward-observations": _load_ward_observations,
    "triage-notes": _load_triage_notes,
    "patient-cohort": _load_patient_cohort,
}
# Not tables: load() points to the function that returns them.
_NOT_TABLES = {
    "ct-slice": "load_ct_slice()",
    "retina": "load_retina()",
}
# The order of list_datasets(): real sets, then synthetic ones.
_NAMES = (
    "heart-disease", "breast-cancer", "diabetes", "ecg", "ct-slice", "retina",
    "ward-observations", "triage-notes", "patient-cohort",
)  # fmt: skip


class _Card(dict):
    """A dict that pandas shares, rather than deep-copies, between a DataFrame and its results.

    pandas deep-copies ``df.attrs`` on almost every operation (``df[df.age > 50]``, ``df.copy()``
    ...). A card is a few kilobytes of nested text, which would double the cost of small
    operations; every frame derived from a loaded data set describes the same data set, so they
    can share one card. ``load`` makes a fresh card each time it is called.
    """

    def __deepcopy__(self, memo: dict) -> _Card:
        return self


def _check_bool(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, not {value!r}.")


def _check_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a data set name in quotes, such as 'heart-disease', not {name!r}."
        )
    if name not in _NAMES:
        valid = ", ".join(repr(n) for n in _NAMES)
        raise ValueError(f"There is no data set called {name!r}. Choose one of: {valid}.")
    return name


def _valid_options(name: str) -> list[str]:
    return list(inspect.signature(_LOADERS[name]).parameters)


def load(name: str, **options: Any) -> pd.DataFrame:
    """Load a data set as a DataFrame that carries its data card.

    Parameters
    ----------
    name : str
        The data set, for example ``"heart-disease"``. :func:`list_datasets` lists them all.
    **options
        Options that only some data sets have, each documented in that set's card under
        "Loading options". ``"heart-disease"``: ``zero_as_missing`` (bool, default False)
        turns cholesterol and blood pressure recorded as 0 into NaN; ``decode`` (bool, default
        False) gives ``sex``, ``cp``, ``restecg``, ``slope`` and ``thal`` as words instead of
        UCI's codes.

    Returns
    -------
    pandas.DataFrame
        One row per patient (or per observation, note or sample). ``df.attrs["data_card"]``
        holds the card and ``df.attrs["columns"]`` the description and unit of every column.

    Raises
    ------
    ValueError
        If ``name`` is not a data set, or it is an image (``"ct-slice"``, ``"retina"``): the
        message names the function to use instead.
    TypeError
        If an option is not one that this data set accepts.

    Examples
    --------
    >>> heart = load("heart-disease")
    >>> heart["site"].value_counts().to_dict()
    {'Cleveland': 303, 'Hungary': 294, 'VA Long Beach': 200, 'Switzerland': 123}
    >>> int(load("heart-disease", zero_as_missing=True)["chol"].isna().sum())
    202
    >>> load("heart-disease", decode=True)["cp"].iloc[0]
    'typical angina'
    >>> cancer = load("breast-cancer")
    >>> int(cancer["malignant"].sum()), len(cancer)
    (212, 569)
    >>> load("diabetes").attrs["columns"]["glucose"]["unit"]
    'mg/dL'
    >>> load("ecg").attrs["sampling_rate_hz"]
    1000.0
    >>> load("ward-observations")["patient_id"].nunique()
    800
    """
    _check_name(name)
    if name in _NOT_TABLES:
        raise ValueError(
            f"{name!r} is an image, not a table, so load() cannot return it as a DataFrame. "
            f"Use healthlab.datasets.{_NOT_TABLES[name]} instead; "
            f"describe({name!r}) shows its data card."
        )
    valid = _valid_options(name)
    unknown = sorted(set(options) - set(valid))
    if unknown:
        allowed = ", ".join(valid) if valid else "none"
        raise TypeError(
            f"load({name!r}) does not accept the option(s) {', '.join(unknown)}. "
            f"Options for {name!r}: {allowed}."
        )
    df = _LOADERS[name](**options)
    card = _Card(read_card(name))
    card["columns"] = _Card(card["columns"])
    df.attrs["data_card"] = card
    df.attrs["columns"] = card["columns"]
    return df


def describe(name: str, *, show: bool = True) -> dict[str, Any]:
    """Print a data set's card and return it as a dictionary.

    Parameters
    ----------
    name : str
        The data set, for example ``"heart-disease"``.
    show : bool, default True
        Print the card (the markdown text). Use ``show=False`` to only get the dictionary.

    Returns
    -------
    dict
        ``title``, ``summary`` (name, kind, format, topic, rows, licence, description),
        ``source``, ``citation``, ``licence``, ``collection``, ``population``, ``columns``
        (``{column: {"description": ..., "unit": ...}}``), ``known_problems``,
        ``suitable_uses``, any other sections of the card, and ``text`` (the whole card).

    Examples
    --------
    >>> card = describe("heart-disease", show=False)
    >>> card["summary"]["licence"]
    'CC BY 4.0'
    >>> card["columns"]["trestbps"]["unit"]
    'mmHg'
    >>> "Switzerland" in card["known_problems"]
    True
    """
    _check_name(name)
    _check_bool(show, "show")
    card = read_card(name)
    if show:
        print(card["text"])
    return card


def list_datasets() -> pd.DataFrame:
    """List every data set with its kind, size, topic and licence.

    Returns
    -------
    pandas.DataFrame
        One row per data set: ``name`` (what to pass to :func:`load`), ``kind`` ("real" or
        "synthetic"), ``format`` ("table", "signal" or "image"), ``rows`` (rows of the table;
        empty for images), ``topic``, ``licence`` and ``description``.

    Examples
    --------
    >>> table = list_datasets()
    >>> table.set_index("name").loc["breast-cancer", "rows"]
    np.int64(569)
    >>> sorted(table["kind"].unique())
    ['real', 'synthetic']
    """
    import pandas as pd

    rows = []
    for name in _NAMES:
        summary = read_card(name)["summary"]
        rows.append({field: summary.get(field) for field in _SUMMARY_COLUMNS})
    table = pd.DataFrame(rows, columns=list(_SUMMARY_COLUMNS))
    table["rows"] = table["rows"].astype("Int64")
    return table


_SUMMARY_COLUMNS = ("name", "kind", "format", "rows", "topic", "licence", "description")
