"""Min SP messages: Tabel 5's share answered within 3 Danish working days."""

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from sp_xl.extracts import read_extract
from sp_xl.extracts.messages import deadline

LO_ORACLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "tools" / "lo_oracle.py"


def test_hand_worked_shares_around_easter_and_great_prayer_day(fixture_path):
    e = read_extract(fixture_path("minsp_beskeder_2018-05-25.csv"))
    assert e.extraction_date == dt.date(2018, 5, 25)
    t = e.tables["by_month"]
    rh = t[t.hospital == "Rigshospitalet"]
    # March: 28/3 answered 5/4 (Maundy Thursday..Easter Monday skipped) is within, 6/4 is not;
    # 26/3 answered 3/4 is within. April: sent on Great Prayer Day 27/4, due 2/5.
    assert rh.messages.tolist() == [3, 2]
    assert rh.answered_within.tolist() == [2, 1]
    bh = t[t.hospital == "Bornholms hospital"].iloc[0]
    # May: 18/5 -> 24/5 within (Whit Monday 21/5); 7/5 -> 11/5 within (Ascension 10/5);
    # two unanswered past their deadline count as late; 24/5 unanswered is still pending.
    assert (bh.messages, bh.answered_within, bh.pending) == (4, 2, 1)
    assert bh.share == 0.5
    wide = e.tables["tabel_5"].set_index("hospital")
    assert wide.loc["Rigshospitalet"].iloc[0] == pytest.approx(2 / 3)


def test_answered_before_sent_is_refused(refusal):
    error = refusal("beskeder_2018-05-25.csv", "Hospital;Sendt;Besvaret\nRigshospitalet;2018-03-28 10:00;2018-03-27 09:00\n")
    assert (error.row, error.column) == (2, "Besvaret")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_deadlines_agree_with_libreoffice_workday(tmp_path):
    """LibreOffice's WORKDAY with the 2018 Danish holidays typed in by hand is the oracle."""
    holidays_2018 = ["2018-01-01", "2018-03-29", "2018-03-30", "2018-04-02", "2018-04-27", "2018-05-10",
                     "2018-05-21", "2018-12-25", "2018-12-26"]
    sent = np.arange(np.datetime64("2018-03-20"), np.datetime64("2018-06-01"))
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, h in enumerate(holidays_2018, start=1):
        ws.cell(i, 3, dt.date.fromisoformat(h))
    for i, s in enumerate(sent, start=1):
        ws.cell(i, 1, s.astype(dt.date))
        ws.cell(i, 2, f"=WORKDAY(A{i},3,$C$1:$C${len(holidays_2018)})")
    xlsx = tmp_path / "workday.xlsx"
    wb.save(xlsx)
    out = tmp_path / "out.json"
    proc = subprocess.run(["python3", str(LO_ORACLE), "recalc", str(xlsx), str(out)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    import json
    cells = json.loads(out.read_text())["Sheet"]
    lo = np.array([np.datetime64("1899-12-30") + int(cells[f"B{i}"]["value"]) for i in range(1, len(sent) + 1)])
    assert (deadline(sent, 3) == lo).all()
