"""Tests for healthlab.images: Hounsfield units, windows, de-identification, vessel maps, patches.

De-identification is tested on the REAL header of the course's CT file (pydicom's
CT_small.dcm), element by element; the other numbers are recomputed directly with pydicom,
scikit-image and NumPy.
"""

from __future__ import annotations

import io

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.datadict import tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import UID

from healthlab import datasets, images, plots

CT_FILE = get_testdata_file("CT_small.dcm", download=False)
#: clinical-facts.md: "lung 1500/-600, soft tissue 400/40, bone 1800/400, brain 80/40".
FACT_WINDOWS = {
    "lung": (1500, -600),
    "soft tissue": (400, 40),
    "bone": (1800, 400),
    "brain": (80, 40),
}
#: clinical-facts.md, DICOM PS3.15 Annex E: the attributes a lesson must name, with their tags.
FACT_TAGS = {
    "PatientName": (0x0010, 0x0010),
    "PatientID": (0x0010, 0x0020),
    "PatientBirthDate": (0x0010, 0x0030),
    "PatientAddress": (0x0010, 0x1040),
    "ReferringPhysicianName": (0x0008, 0x0090),
    "InstitutionName": (0x0008, 0x0080),
    "AccessionNumber": (0x0008, 0x0050),
}


def fresh_header() -> Dataset:
    return pydicom.dcmread(CT_FILE)


def every_element(ds: Dataset) -> list:
    """Every element of a data set, its sequences and its file meta, read directly."""
    found = []
    ds.walk(lambda _ds, element: found.append(element))
    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        meta.walk(lambda _ds, element: found.append(element))
    return found


def uid_values(ds: Dataset) -> set[str]:
    return {str(e.value) for e in every_element(ds) if e.VR == "UI" and e.value}


# --- Hounsfield units ----------------------------------------------------------------------------


def test_to_hounsfield_is_the_rescale_of_the_real_file():
    header = fresh_header()
    expected = header.pixel_array.astype(float) * float(header.RescaleSlope) + float(
        header.RescaleIntercept
    )
    hu = images.to_hounsfield(header)
    assert hu.dtype == float and hu.shape == (128, 128)
    np.testing.assert_array_equal(hu, expected)
    np.testing.assert_array_equal(hu, datasets.load_ct_slice()[0])


def test_to_hounsfield_refuses_what_is_not_a_ct_image():
    with pytest.raises(TypeError, match="pydicom Dataset"):
        images.to_hounsfield(np.zeros((4, 4)))
    header = fresh_header()
    header.Modality = "MR"
    with pytest.raises(ValueError, match="Modality is 'MR'"):
        images.to_hounsfield(header)
    no_pixels = fresh_header()
    del no_pixels.PixelData
    with pytest.raises(ValueError, match="no pixel data"):
        images.to_hounsfield(no_pixels)


# --- windows --------------------------------------------------------------------------------------


def test_presets_are_the_clinical_facts_and_shared_with_show_ct():
    assert images.WINDOWS is plots.CT_WINDOWS
    for name, (width, level) in FACT_WINDOWS.items():
        assert images.WINDOWS[name] == (width, level)
        assert images.window_limits(name) == (level - width / 2, level + width / 2)


def test_window_limits_match_what_show_ct_draws():
    import matplotlib

    matplotlib.use("Agg")
    hu = datasets.load_ct_slice()[0]
    for name in images.WINDOWS:
        ax = plots.show_ct(hu, name)
        assert ax.images[0].get_clim() == images.window_limits(name)
        plots.close(ax)


def test_window_maps_the_band_onto_zero_to_one():
    values = np.array([-1000.0, -160, -60, 40, 140, 240, 3000])
    np.testing.assert_allclose(images.window(values, "soft tissue"), [0, 0, 0.25, 0.5, 0.75, 1, 1])
    np.testing.assert_allclose(images.window([0, 20, 80, 100], 80, 40), [0, 0.25, 1, 1])
    assert images.window(values, "Soft_Tissue").tolist() == images.window(values, 400, 40).tolist()
    assert images.window_limits("lungs") == images.window_limits("lung")


def test_window_errors_name_the_bad_value():
    with pytest.raises(ValueError) as error:
        images.window([0], "liver")
    message = str(error.value)
    assert "'liver'" in message
    for name in images.WINDOWS:
        assert repr(name) in message
    with pytest.raises(ValueError, match="positive"):
        images.window([0], 0, 40)
    with pytest.raises(ValueError, match="needs a level"):
        images.window([0], 400)
    with pytest.raises(ValueError, match="not both"):
        images.window([0], "bone", 400)
    with pytest.raises(ValueError, match="preset name"):
        images.window([0], [400, 40])
    with pytest.raises(ValueError, match="hold numbers"):
        images.window(["a"], "bone")
    with pytest.raises(TypeError, match="to_hounsfield"):
        images.window(fresh_header(), "bone")


# --- what identifies a person ---------------------------------------------------------------------


def test_identifying_elements_lists_real_keywords_and_the_clinical_facts_tags():
    for keyword in images.IDENTIFYING_ELEMENTS:
        assert tag_for_keyword(keyword) is not None, keyword
    assert set(images.IDENTIFYING_ELEMENTS.values()) <= {"empty", "remove", "new UID"}
    for keyword, (group, element) in FACT_TAGS.items():
        assert keyword in images.IDENTIFYING_ELEMENTS
        assert tag_for_keyword(keyword) == (group << 16) | element
    keywords = set(images.IDENTIFYING_ELEMENTS)
    assert {"StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate"} <= keywords
    assert {"StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"} <= keywords


def test_identifying_elements_of_the_real_header():
    header = fresh_header()
    found = images.identifying_elements(header).set_index("keyword")
    expected = {
        e.keyword: e
        for e in list(header.file_meta) + list(header)
        if e.keyword in images.IDENTIFYING_ELEMENTS and not e.is_empty
    }
    assert set(found.index) - {"private elements"} == set(expected)
    assert found.loc["PatientName", "value"] == "CompressedSamples^CT1"
    assert found.loc["InstitutionName", "value"] == "JFK IMAGING CENTER"
    assert found.loc["OtherPatientIDsSequence", "value"] == "2 item(s)"
    assert found.loc["PatientName", "tag"] == "(0010,0010)"
    # empty elements say nothing, so they are left out
    assert header.AccessionNumber == "" and "AccessionNumber" not in found.index
    private = sum(1 for e in header if e.tag.is_private)
    assert private > 100
    assert found.loc["private elements", "value"] == f"{private} elements"
    assert found.loc["private elements", "action"] == "remove"


def test_identifying_elements_finds_names_inside_sequences_and_any_person_name():
    ds = Dataset()
    item = Dataset()
    item.PatientName = "Test^Person"
    item.ReferencedSOPInstanceUID = "1.2.3.4"
    ds.ReferencedImageSequence = Sequence([item])
    ds.ContentCreatorName = "Doe^Jane"  # a person name (PN) not in the list
    found = images.identifying_elements(ds)
    assert set(found["keyword"]) == {
        "ReferencedImageSequence[0].PatientName",
        "ReferencedImageSequence[0].ReferencedSOPInstanceUID",
        "ContentCreatorName",
    }
    with pytest.raises(TypeError, match="pydicom Dataset"):
        images.identifying_elements({"PatientName": "x"})


# --- de-identification of the REAL header ----------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    header = fresh_header()
    clean = images.deidentify(header, uid_key="test key")
    return header, clean


@pytest.mark.parametrize("keyword", list(images.IDENTIFYING_ELEMENTS))
def test_no_identifying_element_remains(real, keyword):
    header, clean = real
    action = images.IDENTIFYING_ELEMENTS[keyword]
    old_uids = uid_values(header)
    for element in every_element(clean):
        if element.keyword != keyword:
            continue
        if action == "new UID":
            assert str(element.value) not in old_uids
            assert UID(str(element.value)).is_valid
        else:
            assert action == "empty" and element.is_empty, (keyword, element.value)


def test_deidentify_removes_private_elements_and_every_person_name(real):
    _header, clean = real
    elements = every_element(clean)
    assert not [e for e in elements if e.tag.is_private]
    assert not [e for e in elements if e.VR == "PN" and not e.is_empty]
    assert "OtherPatientIDsSequence" not in clean
    assert "1CT1" not in str(clean) and "JFK" not in str(clean)
    left = images.identifying_elements(clean)
    assert set(left["action"]) == {"new UID"}
    assert len(left) == sum(
        1
        for e in list(fresh_header().file_meta) + list(fresh_header())
        if images.IDENTIFYING_ELEMENTS.get(e.keyword) == "new UID"
    )


def test_deidentify_keeps_the_pixels_byte_for_byte(real):
    header, clean = real
    original = fresh_header()
    assert clean.PixelData == original.PixelData
    assert clean.pixel_array.dtype == original.pixel_array.dtype
    np.testing.assert_array_equal(clean.pixel_array, original.pixel_array)
    for keyword in (
        "Rows",
        "Columns",
        "PixelSpacing",
        "RescaleSlope",
        "RescaleIntercept",
        "Modality",
    ):
        assert clean[keyword].value == original[keyword].value, keyword
    np.testing.assert_array_equal(images.to_hounsfield(clean), images.to_hounsfield(original))


def test_deidentify_returns_a_new_data_set_and_leaves_the_original(real):
    header, clean = real
    original = fresh_header()
    assert clean is not header
    assert str(header.PatientName) == str(original.PatientName)
    assert len(header) == len(original)
    assert header.SOPInstanceUID == original.SOPInstanceUID


def test_deidentified_file_can_be_written_and_read_back(real):
    header, clean = real
    buffer = io.BytesIO()
    clean.save_as(buffer)
    buffer.seek(0)
    back = pydicom.dcmread(buffer)
    np.testing.assert_array_equal(back.pixel_array, header.pixel_array)
    assert set(images.identifying_elements(back)["action"]) == {"new UID"}
    assert back.DeidentificationMethod == images.DEIDENTIFICATION_METHOD


def test_new_uids_are_consistent_keyed_and_otherwise_random(real):
    header, clean = real
    assert clean.file_meta.MediaStorageSOPInstanceUID == clean.SOPInstanceUID
    assert clean.StudyInstanceUID != clean.SeriesInstanceUID
    again = images.deidentify(fresh_header(), uid_key="test key")
    assert again.SOPInstanceUID == clean.SOPInstanceUID
    other = images.deidentify(fresh_header(), uid_key="another key")
    assert other.SOPInstanceUID != clean.SOPInstanceUID
    first, second = images.deidentify(fresh_header()), images.deidentify(fresh_header())
    assert first.SOPInstanceUID != second.SOPInstanceUID


def test_deidentify_records_that_the_pixels_were_not_checked(real):
    _header, clean = real
    assert len(images.DEIDENTIFICATION_METHOD) <= 64  # VR LO
    assert "pixels unchecked" in clean.DeidentificationMethod
    assert "PatientIdentityRemoved" not in clean


def test_deidentify_works_inside_sequences():
    ds = Dataset()
    item = Dataset()
    item.PatientName = "Test^Person"
    item.InstitutionName = "Somewhere"
    item.ReferencedSOPInstanceUID = "1.2.3.4"
    ds.ReferencedImageSequence = Sequence([item])
    ds.SOPInstanceUID = "1.2.3.4"
    ds.ContentCreatorName = "Doe^Jane"
    clean = images.deidentify(ds, uid_key=1)
    inner = clean.ReferencedImageSequence[0]
    assert inner.PatientName == "" and "InstitutionName" not in inner
    assert inner.ReferencedSOPInstanceUID == clean.SOPInstanceUID != "1.2.3.4"
    assert clean.ContentCreatorName == ""
    assert ds.ReferencedImageSequence[0].PatientName == "Test^Person"
    with pytest.raises(TypeError, match="pydicom Dataset"):
        images.deidentify("CT_small.dcm")


# --- retina: field of view, vesselness, vessel map -------------------------------------------------


@pytest.fixture(scope="module")
def small():
    return datasets.load_retina()[::4, ::4]


def test_field_of_view_is_the_red_channel_above_20_shrunk_by_4(small):
    from scipy import ndimage
    from skimage.morphology import disk

    expected = ndimage.binary_erosion(small[:, :, 0] > 20, structure=disk(4))
    region = images.field_of_view(small)
    assert region.dtype == bool
    np.testing.assert_array_equal(region, expected)


def test_vesselness_is_frangi_on_the_green_channel(small):
    from skimage.filters import frangi

    region = images.field_of_view(small)
    raw = frangi(small[:, :, 1] / 255.0, sigmas=(1, 2, 3), black_ridges=True)
    raw[~region] = 0
    np.testing.assert_allclose(images.vesselness(small, region=region), raw / raw.max())
    mask = images.vessel_map(small, region=region)
    np.testing.assert_array_equal(mask, raw / raw.max() > 0.05)
    assert 0.05 < images.vessel_fraction(mask, region) < 0.15


def test_vessel_map_finds_a_drawn_line_only_in_the_green_channel():
    picture = np.full((31, 31, 3), 180, dtype=np.uint8)
    everywhere = np.ones((31, 31), dtype=bool)
    picture[:, 15, 1] = 100
    mask = images.vessel_map(picture, region=everywhere)
    assert mask[5:26, 15].all() and not mask[:, :8].any()
    red_only = np.full((31, 31, 3), 180, dtype=np.uint8)
    red_only[:, 15, 0] = 100
    assert not images.vessel_map(red_only, region=everywhere).any()
    as_decimals = picture / 255.0
    np.testing.assert_array_equal(images.vessel_map(as_decimals, region=everywhere), mask)


def test_image_errors_name_the_bad_value():
    with pytest.raises(ValueError, match=r"got shape \(8, 8\). A grey-scale image has no green"):
        images.vessel_map(np.zeros((8, 8)))
    with pytest.raises(ValueError, match=r"\(8, 8, 4\)"):
        images.vesselness(np.zeros((8, 8, 4)))
    with pytest.raises(ValueError, match="0 to 255"):
        images.field_of_view(np.full((8, 8, 3), 300))
    with pytest.raises(ValueError, match="0 to 1"):
        images.field_of_view(np.full((8, 8, 3), 2.5))
    with pytest.raises(ValueError, match="threshold"):
        images.vessel_map(np.zeros((8, 8, 3)), threshold=1.5)
    with pytest.raises(ValueError, match="threshold"):
        images.vessel_map(np.zeros((8, 8, 3)), threshold="0.1")
    with pytest.raises(ValueError, match="region must have"):
        images.vesselness(np.zeros((8, 8, 3)), region=np.ones((4, 4), dtype=bool))
    with pytest.raises(TypeError, match="DICOM"):
        images.vessel_map(fresh_header())


def test_vessel_fraction():
    mask = np.zeros((10, 10), dtype=bool)
    mask[2, :] = True
    assert images.vessel_fraction(mask) == 0.1
    assert images.vessel_fraction(mask.astype(int)) == 0.1
    region = np.zeros((10, 10), dtype=bool)
    region[:4, :] = True
    assert images.vessel_fraction(mask, region) == 0.25
    with pytest.raises(ValueError, match="True/False"):
        images.vessel_fraction(np.full((3, 3), 0.5))
    with pytest.raises(ValueError, match="2-D"):
        images.vessel_fraction(np.zeros(5, dtype=bool))
    with pytest.raises(ValueError, match="same shape"):
        images.vessel_fraction(mask, region[:5])
    with pytest.raises(ValueError, match="empty"):
        images.vessel_fraction(mask, np.zeros((10, 10), dtype=bool))


# --- synthetic patches -----------------------------------------------------------------------------


def test_patches_are_seeded_balanced_and_in_range():
    patches, labels = images.make_vessel_patches(200, seed=3)
    again, labels_again = images.make_vessel_patches(200, seed=3)
    np.testing.assert_array_equal(patches, again)
    np.testing.assert_array_equal(labels, labels_again)
    other, _ = images.make_vessel_patches(200, seed=4)
    assert not np.array_equal(patches, other)
    assert patches.shape == (200, 15, 15) and labels.shape == (200,)
    assert labels.sum() == 100 and set(labels.tolist()) == {0, 1}
    assert patches.min() >= 0 and patches.max() <= 1
    assert images.make_vessel_patches(7, size=9)[0].shape == (7, 9, 9)


def test_vessel_patches_are_darker_in_the_middle_than_at_the_corners():
    patches, labels = images.make_vessel_patches(400, seed=0)
    middle = patches[:, 6:9, 6:9].mean(axis=(1, 2))
    corners = patches[:, [0, 0, -1, -1], [0, -1, 0, -1]].mean(axis=1)
    dip = corners - middle
    assert dip[labels == 1].mean() > 0.05
    assert abs(dip[labels == 0].mean()) < 0.03


@pytest.mark.parametrize("bad", [{"n": 1}, {"n": 2.5}, {"n": True}, {"size": 8}, {"size": 5}])
def test_patch_errors(bad):
    with pytest.raises(ValueError):
        images.make_vessel_patches(**{"n": 10, **bad})
