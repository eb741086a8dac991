"""Loading and validating the catalogue data files."""

import shutil
from pathlib import Path

import pytest

from hjemme.catalogue import DEFAULT_DIRECTORY, load_catalogue
from hjemme.domain.catalogue import ProductCategory
from hjemme.domain.pathways import ServiceKind
from hjemme.errors import CatalogueError


def test_default_catalogue_covers_the_design_brief() -> None:
    """The shipped catalogue has every site, district, ≥40 products in all categories, ≥8 devices, ≥10 pathways."""
    catalogue = load_catalogue()
    assert {"rikshospitalet", "ullevaal", "radiumhospitalet", "aker", "livsvitenskapsbygget"} <= set(
        catalogue.sites
    )
    assert catalogue.lab.name.startswith("Livsvitenskapsbygget")
    assert len(catalogue.districts) == 15
    assert sum(d.population for d in catalogue.districts.values()) == 699_000
    assert len(catalogue.products) >= 40
    assert {p.category for p in catalogue.products.values()} == set(ProductCategory)
    assert len(catalogue.device_types) >= 8
    assert len(catalogue.pathways) >= 10
    assert {p.service_kind for p in catalogue.pathways.values()} == set(ServiceKind)


def test_every_skill_has_an_english_name() -> None:
    """The English pages name each skill in English, not by its code or its bokmål name."""
    catalogue = load_catalogue()
    assert catalogue.skills_en.keys() == catalogue.skills.keys()
    assert all(catalogue.skills_en[s] != catalogue.skills[s] for s in catalogue.skills)


def test_cytostatics_need_a_qualified_carrier_and_cold_chain() -> None:
    """Ready-mixed cytostatics are flagged so the planner never gives them to an unqualified carrier."""
    product = load_catalogue().products["cytostatic_infusion"]
    assert product.qualified_carrier and product.cold_chain and product.shelf_life_days == 2


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "pathways/ahs_blood.yaml",
            'window: ["08:00", "11:00"]',
            'window: ["11:00", "08:00"]',
            "ahs_blood.yaml: visits[0].window: Value error, window 11:00–08:00 ends before it starts",
        ),
        (
            "pathways/ahs_blood.yaml",
            "{skill: oncology,",
            "{skill: astrology,",
            "ahs_blood.yaml: visits[0].skill: unknown skill 'astrology'",
        ),
        (
            "pathways/wound_care.yaml",
            "dressing_foam: 10",
            "dressing_gold: 10",
            "wound_care.yaml: deliveries[0].lines.dressing_gold: unknown product 'dressing_gold'",
        ),
        (
            "products.yaml",
            "volume_l: 0.05, weight_kg: 0.02, shelf_life_days: 1825, pack_size: 10",
            "volume_l: -1, weight_kg: 0.02, shelf_life_days: 1825, pack_size: 10",
            "products.yaml: products[0].volume_l: Input should be greater than 0",
        ),
        (
            "districts.yaml",
            "zone: centre}",
            "zone: downtown}",
            "districts.yaml: districts[0].zone: Input should be 'centre', 'inner' or 'outer'",
        ),
        (
            "device_types.yaml",
            "product: oxygen_concentrator,",
            "product: gloves_box,",
            "device_types.yaml: device_types[2].product: 'gloves_box' is not an MTU product",
        ),
        (
            "skills.yaml",
            "  psychologist: Psychologist",
            "  astrologer: Astrologer",
            "skills.yaml: skills_en.astrologer: unknown skill 'astrologer'",
        ),
        (
            "pathways/palliative.yaml",
            "share_of_kind: 0.20",
            "share_of_kind: 0.50",
            "pathways/: share_of_kind: shares of the ahs pathways sum to 1.30, not 1",
        ),
    ],
)
def test_bad_file_names_file_key_path_and_problem(
    data_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    """Each kind of mistake is reported with the file, the key path and what is wrong."""
    _edit(data_copy / file, old, new)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(data_copy)
    assert str(info.value).startswith(expected)


def test_unknown_key_is_rejected(data_copy: Path) -> None:
    """A misspelt key is an error, not silently ignored."""
    _edit(data_copy / "pathways/ahs_lung.yaml", "duration_min: 50", "duraton_min: 50")
    with pytest.raises(CatalogueError, match=r"ahs_lung.yaml: visits\[0\]"):
        load_catalogue(data_copy)


def test_broken_yaml_names_the_file(data_copy: Path) -> None:
    """A file that is not YAML at all is reported as such, naming the file."""
    (data_copy / "skills.yaml").write_text("skills: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogueError, match="skills.yaml: not valid YAML"):
        load_catalogue(data_copy)


def test_missing_file_is_reported(data_copy: Path) -> None:
    """A missing data file is named in the error."""
    (data_copy / "sites.yaml").unlink()
    with pytest.raises(CatalogueError, match="sites.yaml: file not found"):
        load_catalogue(data_copy)
