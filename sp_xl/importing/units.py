"""Which hospital of the report a name in an extract means.

The master keeps a table of names (``tEnheder`` on D_Enheder: "Navn i udtræk" -> "Hospital i
rapporten") that the analyst extends when a source system spells a hospital in a new way; a
name is compared with case, spacing, dashes and "hospital"/"hospitaler" ignored. A name the
table does not know is never guessed: the import refuses its numbers and says how to map it.
"""

from __future__ import annotations

from sp_xl.importing.layout import TableSlots, norm

UNITS_TABLE = "tEnheder"
UNITS_SHEET = "D_Enheder"


def names_text(items: list[str], limit: int = 5) -> str:
    """"'A', 'B' (+3)": names for a message, the first few."""
    shown = ", ".join(f"'{h}'" for h in items[:limit])
    return shown + (f" (+{len(items) - limit})" if len(items) > limit else "")


def name_key(name: object) -> str:
    return norm(name).replace("hospitaler", "hospital")


class Units:
    """Names in extracts -> the hospital names the report uses."""

    def __init__(self, pairs: list[tuple[str, str]], from_table: bool, shown: list[str] | None = None):
        self.from_table = from_table
        # The hospitals the report's tables have rows for (those in the data); a name mapped to
        # any other hospital would be written where no report table shows it.
        self.shown = {name_key(h) for h in shown} if shown else None
        self._map = {}
        for alias, canonical in pairs:
            self._map.setdefault(name_key(alias), canonical)
            self._map.setdefault(name_key(canonical), canonical)

    def canonical(self, name: object) -> str | None:
        return self._map.get(name_key(name))

    def not_shown(self, canonical: str) -> bool:
        return self.shown is not None and name_key(canonical) not in self.shown

    def hospitals(self) -> list[str]:
        """The report's hospitals: every name the table maps to, in its order."""
        return list(dict.fromkeys(self._map.values()))

    @classmethod
    def of(cls, slots: dict[str, TableSlots], known: list[str]) -> Units:
        """From the workbook's name table; a workbook without one knows the names in its data
        (``known``: the hospitals its data tables hold, which are the ones its report shows)."""
        table = slots.get(UNITS_TABLE)
        if table is None or table.last_col - table.first_col < 1:
            return cls([(n, n) for n in known], from_table=False)
        pairs = []
        for r in range(table.first_row, table.last_row + 1):
            alias, canonical = table.value(r, table.first_col), table.value(r, table.first_col + 1)
            if isinstance(alias, str) and isinstance(canonical, str) and alias.strip() and canonical.strip():
                pairs.append((alias.strip(), canonical.strip()))
        return cls(pairs, from_table=True, shown=known)

    def unknown_message(self, table: str, names: list[str]):
        from sp_xl.extracts import Message
        shown = names_text(names)
        if self.from_table:
            return Message(
                f"{table}: {shown} kendes ikke som hospital i arbejdsbogen, så de tal er ikke importeret. Skriv "
                f"navnet i tabellen på arket {UNITS_SHEET} (kolonnen 'Navn i udtræk') ud for det hospital, det hører "
                "til, og importér udtrækket igen.",
                f"{table}: {shown} is not known as a hospital in the workbook, so those numbers were not imported. "
                f"Add the name to the table on the sheet {UNITS_SHEET} ('Navn i udtræk') next to the hospital it "
                "belongs to, and import the extract again.")
        return Message(f"{table}: ingen række til {shown}; de tal er ikke importeret.",
                       f"{table}: no row for {shown}; those numbers were not imported.")

    def not_shown_message(self, table: str, names: list[str]):
        from sp_xl.extracts import Message
        shown = names_text(names)
        return Message(
            f"{table}: {shown} er ikke et af rapportens hospitaler (rapporttabellerne har en række for hvert af "
            f"dem), så de tal er ikke importeret. Knyt navnet til et af rapportens hospitaler på arket {UNITS_SHEET}.",
            f"{table}: {shown} is not one of the report's hospitals (the report tables have a row for each of "
            f"them), so those numbers were not imported. Map the name to one of the report's hospitals on the sheet "
            f"{UNITS_SHEET}.")
