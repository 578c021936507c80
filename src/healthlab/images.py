"""Medical images as numbers: CT in Hounsfield units, DICOM headers, retinal vessels.

The tools of lesson 08 ("Medical images"). Each function is a thin layer over pydicom,
scikit-image or NumPy, with plain-English errors; none of them draws (figures are
:func:`healthlab.plots.show_ct` and matplotlib's ``imshow``).

- :func:`to_hounsfield`: a CT file's stored pixel values in Hounsfield units (pydicom's
  ``apply_modality_lut``: stored value x RescaleSlope + RescaleIntercept).
- :func:`window_limits`, :func:`window`: a named window (lung, soft tissue, bone, brain ...) or
  your own width and level, as the band of HU it shows and as grey levels from 0 to 1.
- :func:`identifying_elements`: the header elements that could identify a person, from
  :data:`IDENTIFYING_ELEMENTS` (after DICOM PS3.15 Annex E, the Basic Application Level
  Confidentiality Profile), plus person names anywhere and private elements.
- :func:`deidentify`: a NEW data set with those elements removed, emptied or given new UIDs;
  the pixels are untouched (so text burned into the pixels stays: look at the image too).
- :func:`field_of_view`, :func:`vesselness`, :func:`vessel_map`, :func:`vessel_fraction`: blood
  vessels in a colour retina photograph, with scikit-image's Frangi ridge filter on the green
  channel and a threshold.
- :func:`make_vessel_patches`: small SYNTHETIC image patches with and without a vessel,
  labelled by construction, for a first image classifier.

Sources: Hounsfield units and window presets as in ``clinical-facts.md`` (the presets are
:data:`healthlab.plots.CT_WINDOWS`, shared with ``show_ct``); DICOM PS3.15 Annex E, Table
E.1-1 (https://dicom.nema.org/medical/dicom/current/output/html/part15.html); Frangi AF et al.
(1998) "Multiscale vessel enhancement filtering", MICCAI, LNCS 1496:130-137.

Examples
--------
>>> from healthlab import datasets, images
>>> hu, header = datasets.load_ct_slice()
>>> images.window_limits("soft tissue")
(-160.0, 240.0)
>>> "PatientName" in set(images.identifying_elements(header)["keyword"])
True
>>> clean = images.deidentify(header, uid_key="demo")
>>> str(clean.PatientName), bool((clean.pixel_array == header.pixel_array).all())
('', True)
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from healthlab.plots import CT_WINDOWS

if TYPE_CHECKING:  # pragma: no cover - for type hints only
    import pandas as pd
    import pydicom

__all__ = [
    "WINDOWS",
    "IDENTIFYING_ELEMENTS",
    "to_hounsfield",
    "window_limits",
    "window",
    "identifying_elements",
    "deidentify",
    "field_of_view",
    "vesselness",
    "vessel_map",
    "vessel_fraction",
    "make_vessel_patches",
]

#: Named CT windows as (width, level) in HU: the same dictionary that
#: :func:`healthlab.plots.show_ct` draws with (lung 1500/-600, soft tissue 400/40,
#: mediastinum 350/50, bone 1800/400, brain 80/40).
WINDOWS = CT_WINDOWS

_WINDOW_ALIASES = {"lungs": "lung", "soft": "soft tissue", "soft tissues": "soft tissue"}

#: The header elements checked for identifying information, by pydicom keyword, with what
#: :func:`deidentify` does to each: "empty" (keep the element with no value; PS3.15 action Z),
#: "remove" (X; also used where PS3.15 allows removing or replacing) or "new UID" (U).
#: A subset of DICOM PS3.15 Annex E, Table E.1-1 (Basic Application Level Confidentiality
#: Profile). Besides these, every person name (value representation PN) is emptied and every
#: private element (odd group number) is removed.
IDENTIFYING_ELEMENTS = {
    # the patient
    "PatientName": "empty",
    "PatientID": "empty",
    "PatientBirthDate": "empty",
    "PatientSex": "empty",
    "PatientBirthTime": "remove",
    "PatientAge": "remove",
    "PatientSize": "remove",
    "PatientWeight": "remove",
    "PatientAddress": "remove",
    "PatientTelephoneNumbers": "remove",
    "PatientBirthName": "remove",
    "PatientMotherBirthName": "remove",
    "OtherPatientIDs": "remove",
    "OtherPatientIDsSequence": "remove",
    "OtherPatientNames": "remove",
    "IssuerOfPatientID": "remove",
    "MedicalRecordLocator": "remove",
    "EthnicGroup": "remove",
    "Occupation": "remove",
    "AdditionalPatientHistory": "remove",
    "PatientComments": "remove",
    "ReferencedPatientSequence": "remove",
    # the people and places of care
    "ReferringPhysicianName": "empty",
    "ReferringPhysicianAddress": "remove",
    "ReferringPhysicianTelephoneNumbers": "remove",
    "PerformingPhysicianName": "remove",
    "NameOfPhysiciansReadingStudy": "remove",
    "PhysiciansOfRecord": "remove",
    "OperatorsName": "remove",
    "InstitutionName": "remove",
    "InstitutionAddress": "remove",
    "InstitutionalDepartmentName": "remove",
    "StationName": "remove",
    "DeviceSerialNumber": "remove",
    # the visit: numbers, dates, times and free text
    "AccessionNumber": "empty",
    "StudyID": "empty",
    "StudyDate": "empty",
    "StudyTime": "empty",
    "ContentDate": "empty",
    "ContentTime": "empty",
    "SeriesDate": "remove",
    "SeriesTime": "remove",
    "AcquisitionDate": "remove",
    "AcquisitionTime": "remove",
    "AcquisitionDateTime": "remove",
    "InstanceCreationDate": "remove",
    "InstanceCreationTime": "remove",
    "TimezoneOffsetFromUTC": "remove",
    "StudyDescription": "remove",
    "SeriesDescription": "remove",
    "ImageComments": "remove",
    "RequestAttributesSequence": "remove",
    "DataSetTrailingPadding": "remove",
    # unique identifiers (UIDs) that link the file to the hospital's records
    "StudyInstanceUID": "new UID",
    "SeriesInstanceUID": "new UID",
    "SOPInstanceUID": "new UID",
    "MediaStorageSOPInstanceUID": "new UID",
    "FrameOfReferenceUID": "new UID",
    "InstanceCreatorUID": "new UID",
    "ReferencedSOPInstanceUID": "new UID",
}

#: Written into (0012,0063) De-identification Method by :func:`deidentify`.
#: (At most 64 characters: the element's value representation is LO, "long string".)
DEIDENTIFICATION_METHOD = "healthlab: PS3.15 Annex E subset; pixels unchecked"


# ---------------------------------------------------------------------------------------------
# CT: Hounsfield units and windows
# ---------------------------------------------------------------------------------------------


def _check_dataset(dataset: Any, name: str = "dataset") -> None:
    from pydicom.dataset import Dataset

    if not isinstance(dataset, Dataset):
        raise TypeError(
            f"{name} must be a DICOM data set (a pydicom Dataset, e.g. the header from "
            f"datasets.load_ct_slice()); got {type(dataset).__name__}."
        )


def to_hounsfield(dataset: pydicom.Dataset) -> np.ndarray:
    """A CT image's pixels in Hounsfield units (HU).

    A CT file stores whole numbers; the header says how to turn them into HU:
    ``HU = stored value x RescaleSlope + RescaleIntercept``. This is pydicom's
    :func:`pydicom.pixels.apply_modality_lut`, which also handles the rarer lookup tables.

    Parameters
    ----------
    dataset : pydicom.Dataset
        A CT image with pixel data, e.g. the header from
        :func:`healthlab.datasets.load_ct_slice`.

    Returns
    -------
    numpy.ndarray of float
        The image in HU (air about -1000, water 0, bone from about +300).

    Raises
    ------
    TypeError
        If ``dataset`` is not a pydicom Dataset.
    ValueError
        If it has no pixel data, or is not a CT image (Hounsfield units are CT's scale).

    Examples
    --------
    >>> from healthlab import datasets
    >>> _hu, header = datasets.load_ct_slice()
    >>> print(header.pixel_array[0, 0], header.RescaleSlope, header.RescaleIntercept)
    175 1 -1024
    >>> float(to_hounsfield(header)[0, 0])    # 175 x 1 + (-1024)
    -849.0
    """
    _check_dataset(dataset)
    if "PixelData" not in dataset:
        raise ValueError("dataset has no pixel data (no (7FE0,0010) Pixel Data element).")
    modality = str(dataset.get("Modality", "CT"))
    if modality != "CT":
        raise ValueError(
            f"Hounsfield units are the scale of CT images; this file's Modality is {modality!r}."
        )
    from pydicom.pixels import apply_modality_lut

    return np.asarray(apply_modality_lut(dataset.pixel_array, dataset), dtype=float)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def window_limits(preset_or_width: str | float = "soft tissue", level: float | None = None):
    """The band of Hounsfield units a window shows, as (lowest, highest).

    A **window** maps a band of HU onto the grey scale: at or below ``level - width / 2`` is
    black, at or above ``level + width / 2`` white.

    Parameters
    ----------
    preset_or_width : str or number, default "soft tissue"
        A name from :data:`WINDOWS` (``"lung"``, ``"soft tissue"``, ``"mediastinum"``,
        ``"bone"``, ``"brain"``), or the window's width in HU.
    level : number, optional
        The window's level (its centre) in HU; needed with a width, not with a name.

    Returns
    -------
    tuple of (float, float)
        The lowest and highest HU of the band.

    Raises
    ------
    ValueError
        For an unknown name (the message lists the known ones), a width that is not positive,
        a width without a level, or a name with a level.

    Examples
    --------
    >>> window_limits("bone")
    (-500.0, 1300.0)
    >>> window_limits(80, 40)          # the brain window
    (0.0, 80.0)
    """
    if isinstance(preset_or_width, str):
        key = preset_or_width.strip().lower().replace("_", " ").replace("-", " ")
        key = _WINDOW_ALIASES.get(key, key)
        if key not in WINDOWS:
            raise ValueError(
                f"window preset must be one of {list(WINDOWS)}, or a width and level in HU "
                f"such as window(hu, 400, 40); got {preset_or_width!r}."
            )
        if level is not None:
            raise ValueError(
                f"the {key!r} preset sets its own level ({WINDOWS[key][1]} HU); give either a "
                "preset name or a width and a level, not both."
            )
        width, centre = (float(v) for v in WINDOWS[key])
    elif _is_number(preset_or_width):
        width = float(preset_or_width)
        if not width > 0:
            raise ValueError(f"window width must be a positive number of HU; got {width:g}.")
        if level is None or not _is_number(level):
            raise ValueError(
                f"a window of width {width:g} HU needs a level (its centre, in HU) as a number, "
                f"e.g. window(hu, {width:g}, 40); got level={level!r}."
            )
        centre = float(level)
    else:
        raise ValueError(
            f"preset_or_width must be a preset name from {list(WINDOWS)} or a width in HU; "
            f"got {preset_or_width!r}."
        )
    return centre - width / 2, centre + width / 2


def window(
    hu: Any, preset_or_width: str | float = "soft tissue", level: float | None = None
) -> np.ndarray:
    """Apply a CT window: Hounsfield units to grey levels from 0 (black) to 1 (white).

    Parameters
    ----------
    hu : array-like of numbers
        The image in Hounsfield units (e.g. from :func:`to_hounsfield`).
    preset_or_width : str or number, default "soft tissue"
        A preset name from :data:`WINDOWS`, or the width in HU (then give ``level`` too).
    level : number, optional
        The window's centre in HU, with a width.

    Returns
    -------
    numpy.ndarray of float
        Same shape as ``hu``: 0 at or below the window, 1 at or above it, in between a
        straight line.

    Raises
    ------
    ValueError
        As :func:`window_limits`, or if ``hu`` holds no numbers.

    Examples
    --------
    >>> window([-1000, -160, 40, 240, 1000], "soft tissue").tolist()
    [0.0, 0.0, 0.5, 1.0, 1.0]
    >>> window([0, 40, 80], 80, 40).tolist()
    [0.0, 0.5, 1.0]
    """
    if hasattr(hu, "pixel_array"):
        raise TypeError(
            "hu must be an array of Hounsfield units, not a DICOM data set; use "
            "images.to_hounsfield(dataset) first."
        )
    values = np.asarray(hu)
    if values.dtype.kind not in "iuf":
        raise ValueError(
            f"hu must hold numbers (Hounsfield units); got values of type {values.dtype}."
        )
    low, high = window_limits(preset_or_width, level)
    return np.clip((values.astype(float) - low) / (high - low), 0.0, 1.0)


# ---------------------------------------------------------------------------------------------
# DICOM headers: what identifies a person, and de-identification
# ---------------------------------------------------------------------------------------------


def _is_empty(element: Any) -> bool:
    """No value at all, or only spaces (pydicom's ``DataElement.is_empty``, plus blanks)."""
    if element.is_empty:
        return True
    value = element.value
    return isinstance(value, str) and not value.strip()


def _shown(element: Any) -> str:
    value = element.value
    if element.VR == "SQ":
        return f"{len(value)} item(s)"
    if isinstance(value, bytes):
        return f"{len(value)} bytes"
    text = str(value)
    return text if len(text) <= 48 else text[:45] + "..."


def _action(element: Any) -> str | None:
    if element.keyword in IDENTIFYING_ELEMENTS:
        return IDENTIFYING_ELEMENTS[element.keyword]
    if element.VR == "PN":
        return "empty"
    return None


def _rows(dataset: Any, prefix: str = "") -> list[dict]:
    rows = []
    for element in dataset:
        if element.tag.is_private:
            continue
        action = _action(element)
        if action is not None:
            if not _is_empty(element):
                rows.append(
                    {
                        "tag": f"({element.tag.group:04X},{element.tag.element:04X})",
                        "keyword": prefix + element.keyword,
                        "name": element.name,
                        "value": _shown(element),
                        "action": action,
                    }
                )
        elif element.VR == "SQ":
            for i, item in enumerate(element.value):
                rows.extend(_rows(item, f"{prefix}{element.keyword}[{i}]."))
    return rows


def _count_private(dataset: Any) -> int:
    found = []
    dataset.walk(lambda _ds, element: found.append(1) if element.tag.is_private else None)
    return len(found)


def identifying_elements(dataset: pydicom.Dataset) -> pd.DataFrame:
    """The header elements that could identify a person, with what de-identification does.

    Looks at every element of the data set and its file meta information (and inside
    sequences) for the keywords of :data:`IDENTIFYING_ELEMENTS`, and for any person name
    (value representation PN). Elements that are present but empty are left out: they say
    nothing. All private elements (a manufacturer's own, in odd-numbered groups; they can hold
    anything) are counted in one last row.

    Parameters
    ----------
    dataset : pydicom.Dataset
        A DICOM header, e.g. from :func:`healthlab.datasets.load_ct_slice`.

    Returns
    -------
    pandas.DataFrame
        One row per element found: ``tag`` (group, element), ``keyword`` (pydicom's name;
        ``Sequence[0].Keyword`` inside a sequence), ``name`` (the standard's name),
        ``value`` (shortened) and ``action`` ("empty", "remove" or "new UID").

    Raises
    ------
    TypeError
        If ``dataset`` is not a pydicom Dataset.

    Examples
    --------
    >>> from healthlab import datasets
    >>> _hu, header = datasets.load_ct_slice()
    >>> found = identifying_elements(header).set_index("keyword")
    >>> found.loc["InstitutionName", "value"], found.loc["InstitutionName", "action"]
    ('JFK IMAGING CENTER', 'remove')
    """
    import pandas as pd

    _check_dataset(dataset)
    rows = []
    meta = getattr(dataset, "file_meta", None)
    if meta is not None:
        rows.extend(_rows(meta))
    rows.extend(_rows(dataset))
    private = _count_private(dataset)
    if private:
        rows.append(
            {
                "tag": "(odd groups)",
                "keyword": "private elements",
                "name": "Private elements (the manufacturer's own)",
                "value": f"{private} elements",
                "action": "remove",
            }
        )
    return pd.DataFrame(rows, columns=["tag", "keyword", "name", "value", "action"])


def _new_uid(old: str, key: Any, made: dict[str, str]) -> str:
    from pydicom.uid import generate_uid

    if old not in made:
        if key is None:
            made[old] = generate_uid()
        else:
            made[old] = generate_uid(entropy_srcs=[str(key), old])
    return made[old]


def deidentify(dataset: pydicom.Dataset, *, uid_key: Any = None) -> pydicom.Dataset:
    """A de-identified COPY of a DICOM data set; the original is not changed.

    Follows :data:`IDENTIFYING_ELEMENTS` everywhere in the data set, including inside
    sequences and the file meta information: "empty" elements keep their place with no value,
    "remove" elements are deleted and "new UID" elements get a new unique identifier (the same
    old UID always gets the same new one, so references inside the file still match). Every
    other person name (PN) is emptied, every private element is removed
    (:meth:`pydicom.dataset.Dataset.remove_private_tags`), and (0012,0063) De-identification
    Method records what was done. The pixel data is copied unchanged.

    Text burned into the pixels (a name or date drawn on the image itself) is NOT removed:
    someone must look at the image. That is why this function does not set (0012,0062)
    Patient Identity Removed to "YES".

    Parameters
    ----------
    dataset : pydicom.Dataset
        The header to de-identify.
    uid_key : str or int, optional
        A secret mixed into the new UIDs, so the same key always turns the same old UID into
        the same new one (all the files of one scan stay linked, and a lesson's output is the
        same each run). Without it the new UIDs are random.

    Returns
    -------
    pydicom.Dataset
        A new data set: :func:`identifying_elements` of it lists only the new UIDs.

    Raises
    ------
    TypeError
        If ``dataset`` is not a pydicom Dataset.

    Examples
    --------
    >>> from healthlab import datasets
    >>> _hu, header = datasets.load_ct_slice()
    >>> clean = deidentify(header, uid_key="course")
    >>> "InstitutionName" in clean, str(header.InstitutionName)   # the original is unchanged
    (False, 'JFK IMAGING CENTER')
    >>> clean.SOPInstanceUID != header.SOPInstanceUID
    True
    >>> clean.PixelData == header.PixelData
    True
    """
    _check_dataset(dataset)
    clean = copy.deepcopy(dataset)
    made: dict[str, str] = {}

    def tidy(ds: Any, element: Any) -> None:
        action = _action(element)
        if action == "remove":
            del ds[element.tag]
        elif action == "empty":
            element.value = [] if element.VR == "SQ" else ""
        elif action == "new UID" and not _is_empty(element):
            if element.VM > 1:
                element.value = [_new_uid(str(uid), uid_key, made) for uid in element.value]
            else:
                element.value = _new_uid(str(element.value), uid_key, made)

    clean.remove_private_tags()
    clean.walk(tidy)
    meta = getattr(clean, "file_meta", None)
    if meta is not None:
        meta.walk(tidy)
    clean.DeidentificationMethod = DEIDENTIFICATION_METHOD
    return clean


# ---------------------------------------------------------------------------------------------
# Retina photographs: the green channel and a vessel map
# ---------------------------------------------------------------------------------------------


def _check_rgb(rgb: Any) -> np.ndarray:
    if hasattr(rgb, "pixel_array"):
        raise TypeError("rgb must be a colour photograph (an array), not a DICOM data set.")
    image = np.asarray(rgb)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(
            "rgb must be a colour image of shape (rows, columns, 3) with red, green and blue; "
            f"got shape {image.shape}."
            + (" A grey-scale image has no green channel." if image.ndim == 2 else "")
        )
    if image.dtype.kind not in "iuf":
        raise ValueError(f"rgb must hold numbers; got values of type {image.dtype}.")
    if image.dtype.kind in "iu":
        if image.size and (image.min() < 0 or image.max() > 255):
            raise ValueError(
                "rgb with whole numbers must hold values from 0 to 255; got "
                f"{image.min()} to {image.max()}."
            )
        return image.astype(float) / 255.0
    if image.size and (image.min() < 0 or image.max() > 1):
        raise ValueError(
            "rgb with decimal numbers must hold values from 0 to 1; got "
            f"{image.min():g} to {image.max():g}."
        )
    return image.astype(float)


def _check_mask(mask: Any, name: str) -> np.ndarray:
    values = np.asarray(mask)
    if values.ndim != 2:
        raise ValueError(f"{name} must be a 2-D True/False image; got shape {values.shape}.")
    if values.dtype != bool:
        if values.dtype.kind not in "iuf" or not np.isin(values, (0, 1)).all():
            raise ValueError(
                f"{name} must hold only True/False (or 1/0) values, like the output of vessel_map."
            )
        values = values.astype(bool)
    return values


def field_of_view(rgb: Any, *, min_red: int = 20, margin: int = 4) -> np.ndarray:
    """The part of a retina photograph that shows the retina (not the black surround).

    A fundus camera photographs a round area; outside it the picture is black. A pixel counts
    as retina when its red value is above ``min_red`` (of 255); the area is then shrunk by
    ``margin`` pixels (:func:`skimage.morphology.erosion`), because the sharp rim of the circle
    would otherwise look like a vessel to a ridge filter.

    Parameters
    ----------
    rgb : array of shape (rows, columns, 3)
        The colour photograph: whole numbers 0-255 or decimals 0-1.
    min_red : int, default 20
        Red values above this (on the 0-255 scale) count as retina.
    margin : int, default 4
        Pixels to trim from the edge of the circle.

    Returns
    -------
    numpy.ndarray of bool
        True inside the retina, shape (rows, columns).

    Examples
    --------
    >>> from healthlab import datasets
    >>> small = datasets.load_retina()[::4, ::4]
    >>> region = field_of_view(small)
    >>> region.shape, round(float(region.mean()), 2)
    ((353, 353), 0.74)
    """
    from skimage.morphology import disk, erosion

    image = _check_rgb(rgb)
    inside = image[..., 0] > min_red / 255.0
    if margin > 0:
        inside = erosion(inside, footprint=disk(int(margin)))
    return inside.astype(bool)


def vesselness(rgb: Any, *, sigmas: Sequence[float] = (1, 2, 3), region: Any = None) -> np.ndarray:
    """How much each pixel looks like part of a blood vessel, from 0 (not at all) to 1.

    Runs scikit-image's Frangi ridge filter (:func:`skimage.filters.frangi`) on the GREEN
    channel, looking for dark lines (``black_ridges=True``): blood absorbs green light, so
    vessels are darkest and clearest there. Outside ``region`` the answer is 0, and the result
    is divided by its largest value so that it runs from 0 to 1.

    Parameters
    ----------
    rgb : array of shape (rows, columns, 3)
        A colour retina photograph (0-255 or 0-1). A large photo is slow: shrink it first,
        e.g. ``rgb[::4, ::4]`` (every 4th row and column).
    sigmas : sequence of float, default (1, 2, 3)
        The vessel widths to look for, in pixels (the filter's scales).
    region : array of bool, optional
        Where to look; by default :func:`field_of_view`.

    Returns
    -------
    numpy.ndarray of float
        Values from 0 to 1, shape (rows, columns).

    Examples
    --------
    >>> import numpy as np
    >>> picture = np.full((21, 21, 3), 200, dtype=np.uint8)
    >>> picture[:, 10, 1] = 120                     # a dark vertical line in the green channel
    >>> v = vesselness(picture, region=np.ones((21, 21), dtype=bool))
    >>> float(v[10, 10]), bool(v[10, 10] > 10 * v[10, 3])
    (1.0, True)
    """
    from skimage.filters import frangi

    image = _check_rgb(rgb)
    inside = field_of_view(image) if region is None else _check_mask(region, "region")
    if inside.shape != image.shape[:2]:
        raise ValueError(
            f"region must have the image's shape {image.shape[:2]}; got {inside.shape}."
        )
    response = frangi(image[..., 1], sigmas=tuple(sigmas), black_ridges=True)
    response = np.where(inside, response, 0.0)
    top = response.max()
    return response / top if top > 0 else response


def vessel_map(
    rgb: Any,
    threshold: float = 0.05,
    *,
    sigmas: Sequence[float] = (1, 2, 3),
    region: Any = None,
) -> np.ndarray:
    """A map of the blood vessels: True where :func:`vesselness` is above a threshold.

    Parameters
    ----------
    rgb : array of shape (rows, columns, 3)
        A colour retina photograph (shrink a large one first, e.g. ``rgb[::4, ::4]``).
    threshold : float, default 0.05
        Vesselness (0 to 1) above which a pixel counts as vessel. Lower finds more (and
        fainter) vessels, and more noise; higher finds only the clearest.
    sigmas : sequence of float, default (1, 2, 3)
        Vessel widths to look for, in pixels.
    region : array of bool, optional
        Where to look; by default :func:`field_of_view`.

    Returns
    -------
    numpy.ndarray of bool
        True for vessel pixels.

    Raises
    ------
    ValueError
        If ``threshold`` is not a number between 0 and 1, or the image is not RGB.

    Examples
    --------
    >>> import numpy as np
    >>> picture = np.full((21, 21, 3), 200, dtype=np.uint8)
    >>> picture[:, 10, 1] = 120
    >>> mask = vessel_map(picture, region=np.ones((21, 21), dtype=bool))
    >>> bool(mask[10, 10]), bool(mask[10, 3])
    (True, False)
    """
    if not _is_number(threshold) or not 0 <= float(threshold) < 1:
        raise ValueError(
            f"threshold must be a number from 0 to 1 (a share of the strongest vesselness), "
            f"e.g. 0.05; got {threshold!r}."
        )
    return vesselness(rgb, sigmas=sigmas, region=region) > float(threshold)


def vessel_fraction(mask: Any, region: Any = None) -> float:
    """The share of an image (or of a region of it) that the vessel map marks as vessel.

    Parameters
    ----------
    mask : 2-D array of bool
        A vessel map, e.g. from :func:`vessel_map`.
    region : 2-D array of bool, optional
        Count only inside this region (e.g. :func:`field_of_view`); by default the whole image.

    Returns
    -------
    float
        Vessel pixels divided by all pixels counted, from 0 to 1.

    Raises
    ------
    ValueError
        If a mask is not 2-D True/False, the shapes differ, or the region is empty.

    Examples
    --------
    >>> import numpy as np
    >>> mask = np.zeros((10, 10), dtype=bool)
    >>> mask[4, :] = True                           # one row of 10 vessel pixels
    >>> vessel_fraction(mask)
    0.1
    >>> region = np.zeros((10, 10), dtype=bool)
    >>> region[:5, :] = True                        # the top half only
    >>> vessel_fraction(mask, region)
    0.2
    """
    vessels = _check_mask(mask, "mask")
    if region is None:
        return float(vessels.mean()) if vessels.size else 0.0
    inside = _check_mask(region, "region")
    if inside.shape != vessels.shape:
        raise ValueError(
            f"region must have the same shape as mask {vessels.shape}; got {inside.shape}."
        )
    if not inside.any():
        raise ValueError("region is empty (all False): there is nothing to count in.")
    return float(vessels[inside].mean())


# ---------------------------------------------------------------------------------------------
# Synthetic patches for a first image classifier
# ---------------------------------------------------------------------------------------------


def make_vessel_patches(
    n: int = 600, *, size: int = 15, seed: int = 42
) -> tuple[np.ndarray, np.ndarray]:
    """SYNTHETIC grey image patches, half with a vessel through the middle, labelled by construction.

    These are made-up pictures, not cut from any real photograph: the label is right because
    the program drew (or did not draw) the vessel. The generating model, for each patch:

    - background: brightness drawn uniformly from 0.30 to 0.60, plus a gentle slope in a
      random direction (up to 0.008 per pixel, like uneven lighting);
    - label 1 (vessel, half the patches, in random order): a straight dark line at a random
      angle, passing within 1.5 pixels of the centre, with a bell-shaped cross-section
      (standard deviation 0.8 to 2.0 pixels) and depth 0.05 to 0.20 (how much darker);
    - label 0 (no vessel): half of them get a dark round spot of the same depth (radius 1.5 to
      3.5 pixels) anywhere in the patch, so that "darker" alone does not mean "vessel";
    - every patch: Gaussian noise (standard deviation 0.03), then clipped to 0-1.

    Parameters
    ----------
    n : int, default 600
        Number of patches (at least 2); ``n // 2`` have a vessel.
    size : int, default 15
        Width and height in pixels (odd, at least 7).
    seed : int, default 42
        Seed of the random generator: the same seed gives the same patches.

    Returns
    -------
    patches : numpy.ndarray of float, shape (n, size, size)
        Brightness from 0 (black) to 1 (white).
    labels : numpy.ndarray of int, shape (n,)
        1 = a vessel was drawn, 0 = no vessel.

    Examples
    --------
    >>> patches, labels = make_vessel_patches(10, seed=1)
    >>> patches.shape, int(labels.sum())
    ((10, 15, 15), 5)
    >>> bool(((patches >= 0) & (patches <= 1)).all())
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be a whole number of patches, at least 2; got {n!r}.")
    if (
        isinstance(size, bool)
        or not isinstance(size, (int, np.integer))
        or size < 7
        or size % 2 == 0
    ):
        raise ValueError(f"size must be an odd whole number of pixels, at least 7; got {size!r}.")
    rng = np.random.default_rng(seed)
    labels = np.zeros(int(n), dtype=int)
    labels[: int(n) // 2] = 1
    rng.shuffle(labels)
    rows, cols = np.mgrid[0:size, 0:size].astype(float)
    centre = (size - 1) / 2
    patches = np.empty((int(n), size, size))
    for i, label in enumerate(labels):
        slope_rows, slope_cols = rng.uniform(-0.008, 0.008, 2)
        image = (
            rng.uniform(0.30, 0.60) + slope_rows * (rows - centre) + slope_cols * (cols - centre)
        )
        if label == 1:
            angle = rng.uniform(0, np.pi)
            offset = rng.uniform(-1.5, 1.5)
            width = rng.uniform(0.8, 2.0)
            depth = rng.uniform(0.05, 0.20)
            distance = (cols - centre) * np.sin(angle) - (rows - centre) * np.cos(angle) - offset
            image = image - depth * np.exp(-(distance**2) / (2 * width**2))
        elif rng.random() < 0.5:
            spot_row, spot_col = rng.uniform(0, size - 1, 2)
            radius = rng.uniform(1.5, 3.5)
            depth = rng.uniform(0.05, 0.20)
            squared = (rows - spot_row) ** 2 + (cols - spot_col) ** 2
            image = image - depth * np.exp(-squared / (2 * radius**2))
        image = image + rng.normal(0, 0.03, image.shape)
        patches[i] = np.clip(image, 0.0, 1.0)
    return patches, labels
