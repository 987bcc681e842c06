import pytest

from jianfu.registry.importing import import_paths
from tests import builders
from tests.cast import COUNTY
from tests.elements.catalog import ELEMENT_ROWS, import_catalog


@pytest.fixture
def catalog(cast, tmp_path):
    """The cast plus the installation's catalog, values held for 清波街道, form F3, and one element of 上城区's own."""
    import_catalog(tmp_path)
    own = tmp_path / "county"
    own.mkdir()
    builders.write_xlsx(
        own / "区数据元.xlsx", [ELEMENT_ROWS[0], ["DEC1", "网格员人数", "专职网格员数", "", "数值", "人", "上城区"]]
    )
    report = import_paths([own], actor="county", scope=cast.county.unit)
    assert report.ok, [e.message() for f in report.files for e in f.errors]
    assert COUNTY
    return cast
