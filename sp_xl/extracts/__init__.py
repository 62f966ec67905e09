"""Reading and aggregating the source extracts behind the status report.

``read_extract(path)`` recognises an export by its column headings (``detect``), reads it
(CSV in UTF-8 with or without BOM, UTF-16 or Windows-1252, separated by ; tab , or |; or an
xlsx/xlsm/xls workbook), parses Danish and ISO dates and numbers (``parsing``), and returns
an ``Extract`` with its type, source file name, extraction date (``provenance``), tables as
pandas DataFrames, warnings, and the text cells that start like a formula. A file it cannot
read is refused whole with an ``ExtractError`` naming file, row and column, in Danish
(English with SP_XL_LANG=en).

One module per type: ``cases`` (case system, Figur 3–4), ``indicators`` (SP reporting
module, Tabel 1, 2, 4, 6), ``messages`` (Min SP messages, Tabel 5), ``lpr`` (LPR error
register, Figur 1), ``key_persons`` (course portal), ``orders`` (order level, Tabel 1–3).
"""

from sp_xl.extracts.detect import Kind
from sp_xl.extracts.fields import FlaggedText
from sp_xl.extracts.model import Extract
from sp_xl.extracts.problems import ExtractError, Message
from sp_xl.extracts.reader import read_extract

__all__ = ["Extract", "ExtractError", "FlaggedText", "Kind", "Message", "read_extract"]
