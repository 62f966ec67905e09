"""What reading an extract gives: the type, where it came from, and tables ready for a sheet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sp_xl.extracts.detect import KIND_NAMES, Kind
from sp_xl.extracts.fields import FlaggedText
from sp_xl.extracts.problems import Message


@dataclass
class Extract:
    """A parsed source extract.

    ``tables`` maps a table name (documented per type) to a DataFrame with English
    snake_case columns; ``sp_xl.extracts.headings.heading`` gives the Danish/English labels a
    writer puts on a data sheet. Dates and months are ``datetime64`` (months as the first day).
    """

    kind: Kind
    source_file: str  # file name, as shown in "Kilde: ..."
    source_path: Path
    extraction_date: dt.date
    extraction_date_rule: Message  # where the date came from (header line, file name, ...)
    tables: dict[str, pd.DataFrame]
    warnings: list[Message] = field(default_factory=list)
    flagged_text: list[FlaggedText] = field(default_factory=list)
    rows_read: int = 0

    @property
    def kind_name(self) -> Message:
        da, en = KIND_NAMES[self.kind]
        return Message(da.split(" ", 1)[1], en.split(" ", 1)[1])  # without the article

    @property
    def kind_phrase(self) -> Message:
        """The type with its article, for sentences ("et sagsudtræk fra sagssystemet")."""
        return Message(*KIND_NAMES[self.kind])
