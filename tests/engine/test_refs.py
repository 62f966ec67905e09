"""Formula shapes (sp_xl.engine.refs): filled-down formulas share one shape, others do not."""

import pytest

from sp_xl.engine import refs
from sp_xl.engine.refs import shape_groups, shape_key

FORMULAS = [  # (formula, row, col)
    ("C2*1.25", 2, 6), ("C3*1.25", 3, 6), ("C9*1.25", 9, 6), ("C10*1.25", 10, 6), ("C11*1.25", 11, 6),
    ("C3*1.25", 2, 6),                       # reads the next row: another shape
    ("C2*1.25", 2, 7),                       # same text one column right: another shape (relative C)
    ("$C$2*1.25", 2, 6), ("$C$2*1.25", 3, 6),    # absolute: the same cell from every row
    ("SUM(B$2:B2)", 2, 4), ("SUM(B$2:B3)", 3, 4), ("SUM(B$2:B3)", 2, 4),
    ('"C2"&C2', 2, 5), ('"C3"&C3', 3, 5),    # a quoted "C2" is text, not a reference
    ("'Ark 2'!A1+A1", 1, 2), ("'Ark 2'!A2+A2", 2, 2), ("LOG10(A1)", 1, 3), ("LOG10(A2)", 2, 3),
    ("A1+123456789012", 1, 1), ("A2+123456789012", 2, 1), ("A2+123456789013", 2, 1),
]


@pytest.mark.parametrize("chunk", [1 << 16, 3])
def test_groups_are_the_shape_keys(monkeypatch, chunk):
    monkeypatch.setattr(refs, "_CHUNK", chunk)
    formulas, rows, cols = zip(*FORMULAS)
    groups = shape_groups(list(formulas), list(rows), list(cols))
    keys = [(shape_key(f, r, c), c) for f, r, c in FORMULAS]
    for i in range(len(FORMULAS)):
        for j in range(len(FORMULAS)):
            # one group: one shape (the engine compiles a group once). The converse holds for
            # formulas of equal length: C9 and C10 differ in their masked text ("C#" / "C##"),
            # and the engine joins such groups by their shape key afterwards.
            if groups[i] == groups[j]:
                assert keys[i] == keys[j], (FORMULAS[i], FORMULAS[j])
            elif len(FORMULAS[i][0]) == len(FORMULAS[j][0]):
                assert keys[i] != keys[j], (FORMULAS[i], FORMULAS[j])
    assert groups[0] == groups[1] == groups[2] and groups[3] == groups[4] and groups[7] == groups[8]


def test_a_constant_beyond_64_bits_still_groups(monkeypatch):
    formulas = ["A1+123456789012345678901234567890", "A2+123456789012345678901234567890"]
    assert shape_groups(formulas, [1, 2], [2, 2]) == [0, 0]
