"""Order-level extracts: Tabel 3 rebuilt from orders that reproduce the report's figures."""

import collections
import datetime as dt
import random

import pytest

from sp_xl.extracts import Kind, read_extract

# (department, hospital, order-set orders, all orders): the seed's Tabel 3 counts with
# totals chosen so that the rates round to the printed percentages.
TABEL_3 = [
    ("Klinisk onkologi", "Sjællands Universitetshospital, Roskilde", 686, 738, 93),
    ("Anæstesi/Operationsklinik", "Rigshospitalet", 38118, 44323, 86),
    ("Neurokirurgisk", "Rigshospitalet", 8871, 10688, 83),
    ("Hæmatologisk udredning", "Herlev og Gentofte hospital", 10494, 13118, 80),
    ("Anæstesiologisk afdeling", "Nordsjællands Hospitaler", 39177, 50227, 78),
]
OTHERS = [("Kardiologisk", "Rigshospitalet", 500, 1000), ("-Kirurgi", "Bornholms hospital", 3, 3)]
MONTHS = ["2018-01", "2018-02", "2018-03", "2018-04", "2018-05"]


def _write_orders(path):
    rng = random.Random(3)
    lines = ["Afdeling;Hospital;Måned;Fra ordinationssæt;Igangsat af;Godkendt af"]
    for dept, hosp, used, total, *_ in TABEL_3 + OTHERS:
        for i in range(total):
            user = f"u{rng.randrange(500)}"
            lines.append(f'"{dept}";"{hosp}";{rng.choice(MONTHS)};{"ja" if i < used else "nej"};{user};{user}')
    # Order-set orders approved by somebody else must not count anywhere (footnote).
    for _ in range(500):
        lines.append('"Klinisk onkologi";"Sjællands Universitetshospital, Roskilde";2018-02;ja;u1;u2')
    for _ in range(40):
        lines.append('"Neurokirurgisk";"Rigshospitalet";2018-03;nej;u7;')
    rng.shuffle(body := lines[1:])
    path.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    return [line.split(";") for line in body]


@pytest.fixture(scope="module")
def orders(tmp_path_factory):
    path = tmp_path_factory.mktemp("orders") / "ordinationer_2018-05-30.csv"
    rows = _write_orders(path)
    return read_extract(path, min_orders=100), rows


def test_top_5_reproduces_tabel_3(orders):
    e, _ = orders
    assert e.kind == Kind.ORDERS and e.extraction_date == dt.date(2018, 5, 30)
    top = e.tables["top_departments"]
    assert top.department.tolist() == [d for d, *_ in TABEL_3]
    assert top.from_order_set.tolist() == [u for _, _, u, _, _ in TABEL_3]
    assert [round(r * 100) for r in top.usage_rate] == [p for *_, p in TABEL_3]
    assert top.label.iloc[0] == "Klinisk onkologi, Sjællands Universitetshospital, Roskilde"


def test_orders_by_different_users_are_left_out(orders):
    e, _ = orders
    onko = e.tables["departments"].set_index("department").loc["Klinisk onkologi"]
    assert (onko.orders, onko.from_order_set) == (738, 686)
    assert any("540 ordinationer er udeladt" in str(w) for w in e.warnings)


def test_usage_per_hospital_and_month_matches_a_plain_count(orders):
    e, rows = orders
    total, used = collections.Counter(), collections.Counter()
    for dept, hosp, month, flag, init, appr in rows:
        if init and init == appr:
            total[(hosp.strip('"'), month)] += 1
            used[(hosp.strip('"'), month)] += flag == "ja"
    usage = e.tables["usage"]
    got = {(h, m.strftime("%Y-%m")): (o, u) for h, m, o, u in
           zip(usage.hospital, usage.month, usage.orders, usage.from_order_set)}
    assert got == {k: (total[k], used[k]) for k in total}
    wide = e.tables["usage_rates"].set_index("hospital")
    assert len(wide.columns) == 5


def test_small_departments_are_ranked_without_a_floor(orders, tmp_path):
    e, _ = orders
    from sp_xl.extracts.orders import top_departments
    assert top_departments(e.tables["departments"], n=1).department.tolist() == ["-Kirurgi"]
    [flag] = [f for f in e.flagged_text if f.column == "Afdeling"]
    assert flag.value == "-Kirurgi" and flag.count == 3


def test_workbook_with_order_dates(tmp_path, xlsx):
    path = xlsx(tmp_path / "orders_2018-05-30.xlsx", [
        ["Department", "Hospital", "Order date", "From order set", "Initiating user", "Approving user"],
        ["Neuro", "RH", dt.datetime(2018, 1, 5, 10), "Y", "abc", "abc"],
        ["Neuro", "RH", dt.datetime(2018, 1, 20, 10), "N", "abc", "abc"],
        ["Neuro", "RH", dt.datetime(2018, 2, 1, 10), "Y", "abc", "ABC"],  # another user id
    ])
    usage = read_extract(path).tables["usage"]
    assert usage.orders.tolist() == [2] and usage.usage_rate.tolist() == [0.5]


def test_unreadable_flag_names_row_and_column(refusal):
    error = refusal("ordinationer_2018-05-30.csv", "Afdeling;Hospital;Måned;Fra ordinationssæt;Igangsat af;Godkendt af\n"
                    "A;RH;2018-01;ja;u;u\nA;RH;2018-01;måske;u;u\n")
    assert (error.row, error.column) == (3, "Fra ordinationssæt")
