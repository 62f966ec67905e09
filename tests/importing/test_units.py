"""Hospital names in extracts are mapped through the workbook's name table, never guessed."""

from sp_xl.importing.layout import read_slots
from sp_xl.importing.units import Units, name_key
from sp_xl.master.build import workbook_bytes
from sp_xl.ooxml.package import XlsxPackage


def test_names_compare_without_case_spacing_dashes_or_plural():
    assert name_key("Bornholms Hospital") == name_key("bornholms  hospital")
    assert name_key("Bispebjerg og Frederiksberg Hospitaler") == name_key("Bispebjerg og Frederiksberg Hospital")
    assert name_key("Rigshospitalet – Glostrup") == name_key("Rigshospitalet - Glostrup")


def test_the_masters_name_table_maps_the_known_spellings():
    units = Units.of(read_slots(XlsxPackage(workbook_bytes())), [])
    assert units.from_table
    assert units.canonical("Nordsjællands Hospital") == "Hospitalerne i Nordsjælland"
    assert units.canonical("PSYKIATRIEN REGION HOVEDSTADEN") == "Region Hovedstadens Psykiatri"
    assert units.canonical("Rigshospitalet - Glostrup") == "Rigshospitalet"
    assert units.canonical("Rigshospitalet") == "Rigshospitalet"
    assert units.canonical("Sankt Hans Hospital") is None


def test_an_unknown_name_is_refused_with_how_to_map_it():
    units = Units([("Rigshospitalet", "Rigshospitalet")], from_table=True)
    message = units.unknown_message("tBestOrdSet", ["Sankt Hans Hospital"])
    assert "'Sankt Hans Hospital' kendes ikke" in message.da and "D_Enheder" in message.da
    assert "Navn i udtræk" in message.da and "importér udtrækket igen" in message.da


def test_a_name_mapped_to_a_hospital_the_report_has_no_row_for_is_refused_not_hidden():
    units = Units([("Sankt Hans", "Sankt Hans Hospital"), ("Rigshospitalet", "Rigshospitalet")], from_table=True,
                  shown=["Rigshospitalet"])
    assert units.canonical("Sankt Hans") == "Sankt Hans Hospital" and units.not_shown("Sankt Hans Hospital")
    assert not units.not_shown("Rigshospitalet")
    message = units.not_shown_message("tBestOrdSet", ["Sankt Hans"])
    assert "ikke et af rapportens hospitaler" in message.da and "D_Enheder" in message.da
