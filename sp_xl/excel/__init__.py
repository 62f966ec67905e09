"""The Excel adapter: Excel-shaped arguments in, Excel values (and error values) out."""
