"""sp_xl: the Sundhedsplatformen status report as Excel functions, a ribbon and a headless engine.

Layers (each depends only on the ones before it; tests/test_layers.py enforces it):
    sp_xl.errors, sp_xl.i18n   error values and the Danish/English switch
    sp_xl.calc                 pure calculation on numbers (numpy/pandas, holidays); no Excel
    sp_xl.excel, sp_xl.udfs    the Excel adapter (coercion, registry, wire format) and the SP_ functions
    sp_xl.extracts, sp_xl.docs reading the source systems' exports; the function reference
    sp_xl.ooxml                the lossless package: read, patch, write atomically, safety checks
    sp_xl.engine               the formula engine: tokenise, parse, compile, evaluate
    sp_xl.master, sp_xl.importing, sp_xl.share, sp_xl.checks
                               building the master, writing extracts into it, the readers' copy,
                               the data and link checks
    sp_xl.actions              refresh, import, share, check: what the CLI and the ribbon run
    sp_xl.addin, sp_xl.cli     the .xlam add-in and its ribbon handlers; the `sp-xl` command
"""

__version__ = "0.1.0"

# The add-in's file name: the builder, the installers and the link checks agree on it.
ADDIN_NAME = "sp_xl.xlam"
