"""sp_xl: the Sundhedsplatformen status report as Excel functions, a ribbon and a headless engine.

Layers (each depends only on the ones before it):
    sp_xl.calc      pure calculation on numbers (numpy/pandas, holidays); no Excel
    sp_xl.excel     the Excel adapter: coercion of Excel-shaped arguments, error values,
                    the function registry and the xlwings declarations (sp_xl.udfs)
    sp_xl.workbook  actions on workbook files (build, refresh, share, import)
    sp_xl.addin     the .xlam add-in built from the registry, and the ribbon handlers
    sp_xl.cli       the `sp-xl` command line
"""

__version__ = "0.1.0"
