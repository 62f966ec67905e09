"""The command-line summary: one block per file, exit code 1 when a file is refused."""

import io

from sp_xl import i18n
from sp_xl.extracts.check import check_sources


def test_summary_in_danish_and_english(fixture_path):
    out = io.StringIO()
    code = check_sources([str(fixture_path("sager_niveau.csv"))], out)
    assert code == 0
    assert out.getvalue().startswith("OK: 'sager_niveau.csv' er et sagsudtræk fra sagssystemet med 8 rækker, "
                                     "trukket 19-05-2018")
    out = io.StringIO()
    with i18n.use_language("en"):
        code = check_sources([str(fixture_path("sager_niveau.csv")), str(fixture_path("ukendt.csv"))], out)
    assert code == 1
    assert "is a case system export with 8 rows" in out.getvalue()
    assert "REFUSED: File 'ukendt.csv', row 1, column 'Patient'" in out.getvalue()
