"""Pure calculation: the report's arithmetic on numbers and dates, with no Excel in sight.

Per-item functions take and return ``Cells`` (values plus per-element error values), so
that one bad row gives one error cell and not a failed range. Series functions take a
``Series`` (numbers in order, blanks as NaN) and raise ``SpError`` when the whole result
is impossible.
"""
