"""Which Excel language a refresh computes in (sp_xl.engine.recalc.excel_locale)."""

from pathlib import Path

from sp_xl.engine.evaluate import evaluate
from sp_xl.engine.recalc import excel_locale
from sp_xl.ooxml.package import XlsxPackage
from tests.engine.excel_corpus import CORPUS

MASTER = Path(__file__).resolve().parents[2] / "workbooks" / "sp_status.xlsx"


def test_the_master_is_computed_as_danish_excel_and_gives_the_same_values_as_english(monkeypatch):
    monkeypatch.delenv("SP_XL_EXCEL_LOCALE", raising=False)
    pkg = XlsxPackage(MASTER.read_bytes(), MASTER.name)
    assert excel_locale(pkg) == "da-DK"
    danish, english = evaluate(pkg, locale="da-DK"), evaluate(pkg, locale="en-US")
    assert danish.problems == [] and danish.values == english.values   # its sentences use no TEXT


def test_other_workbooks_are_english_unless_the_environment_says(monkeypatch):
    monkeypatch.delenv("SP_XL_EXCEL_LOCALE", raising=False)
    path = next(iter(sorted(CORPUS.glob("*.xlsx"))))
    pkg = XlsxPackage(path.read_bytes(), path.name)
    assert excel_locale(pkg) == "en-US"
    monkeypatch.setenv("SP_XL_EXCEL_LOCALE", "da-DK")
    assert excel_locale(pkg) == "da-DK"
