from pathlib import Path

import openpyxl
import pytest

from sp_xl.extracts import ExtractError, read_extract

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixture_path():
    return lambda name: FIXTURES / name


@pytest.fixture
def written(tmp_path):
    """``written(name, content)``: tmp_path/name holding ``content`` (text or bytes)."""
    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path
    return write


@pytest.fixture
def extract_of(written):
    """``extract_of(name, content, **options)``: the extract read from a file holding ``content``."""
    return lambda name, content, **options: read_extract(written(name, content), **options)


@pytest.fixture
def refusal(written):
    """``refusal(name, content, match=None)``: the ExtractError that reading such a file must raise."""
    def check(name: str, content: str | bytes, match: str | None = None) -> ExtractError:
        path = written(name, content)
        with pytest.raises(ExtractError, match=match) as info:
            read_extract(path)
        return info.value
    return check


@pytest.fixture
def xlsx():
    """``xlsx(path, rows)``: a one-sheet workbook of ``rows`` saved at ``path`` (returned)."""
    def save(path: Path, rows) -> Path:
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(path)
        return path
    return save
