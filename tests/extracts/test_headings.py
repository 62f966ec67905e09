import pandas as pd

from sp_xl import i18n
from sp_xl.extracts.headings import heading


def test_labels_for_data_sheets():
    assert heading("usage_rate") == "Anvendelsesgrad"
    assert heading(pd.Timestamp("2018-03-01")) == "marts 2018"
    assert heading("closed", "weekly_level_3") == "Lukkede sager"
    assert heading("closed", "cases") == "Lukket"
    with i18n.use_language("en"):
        assert heading("open_at_end") == "Open cases at the end of the week"
