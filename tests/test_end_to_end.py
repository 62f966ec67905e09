"""The analyst's whole round, on the command line: new master, import, refresh, check, share."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from sp_xl import cli

FIXTURE = Path(__file__).resolve().parent / "extracts" / "fixtures" / "minsp_brugere_cp1252.csv"


def test_new_import_refresh_check_share(tmp_path, capsys):
    book = tmp_path / "sp_status.xlsx"
    assert cli.main(["new", str(book)]) == 0
    extract = tmp_path / "minsp_brugere.csv"
    extract.write_bytes(FIXTURE.read_bytes().replace(b"Trukket: 19-05-2018", b"Trukket: 2018-05-19"))
    assert cli.main(["import", str(book), str(extract), "--no-refresh"]) == 0
    assert cli.main(["share", str(book)]) == 2            # not computed yet: refused
    assert "endnu ikke opdateret" in capsys.readouterr().err
    assert cli.main(["check", str(book)]) == 1            # and the check says so
    assert "Ikke beregnet" in capsys.readouterr().out
    assert cli.main(["refresh", "--quiet", str(book)]) == 0
    assert cli.main(["check", str(book)]) == 0
    copy = tmp_path / "delt.xlsx"
    assert cli.main(["share", str(book), "-o", str(copy)]) == 0
    with zipfile.ZipFile(copy) as z:
        names = z.namelist()
        sheets = b"".join(z.read(n) for n in names if n.startswith("xl/worksheets/"))
    assert not any("vbaProject" in n or "externalLink" in n for n in names)
    formulas = re.findall(rb"<f\b[^>]*>([^<]*)</f>", sheets)
    assert len(formulas) > 1000 and not [f for f in formulas if b"SP_" in f]


def test_an_import_computes_the_report_so_the_copy_can_be_shared_at_once(tmp_path, capsys):
    book = tmp_path / "sp_status.xlsx"
    assert cli.main(["new", str(book)]) == 0
    extract = tmp_path / "minsp_brugere.csv"
    extract.write_bytes(FIXTURE.read_bytes().replace(b"Trukket: 19-05-2018", b"Trukket: 2018-05-19"))
    assert cli.main(["import", str(book), str(extract)]) == 0
    assert "Rapportarkene er beregnet igen med de nye tal" in capsys.readouterr().out
    assert cli.main(["check", str(book)]) == 0
    assert cli.main(["share", str(book), "-o", str(tmp_path / "delt.xlsx")]) == 0
