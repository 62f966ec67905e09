"""Names the add-in's builder, checker and installers agree on. Nothing heavy is imported, so
that the command line's parser can read them without loading the function registry."""

from __future__ import annotations

from sp_xl import ADDIN_NAME  # noqa: F401  (one name for the product)

# xlwings' custom add-in runtime reads %USERPROFILE%\.sp_xl\sp_xl.conf, a "sp_xl.conf" file
# beside the workbook, and a sheet "sp_xl.conf" (see GetConfig in xlwings_custom_addin.bas).
PROJECT_NAME = "sp_xl"

RIBBON_PART = "customUI/customUI14.xml"
RIBBON_NS = "http://schemas.microsoft.com/office/2009/07/customui"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"

RUNTIME_MODULE = "xlwings"
# Modules generated from the Python registry (sp_xl.addin.vba_wrappers).
WRAPPER_MODULE = "SpUdfs"
REGISTER_MODULE = "SpRegister"
# Modules from sp_xl/addin/vba/ in the order they go into the project.
STATIC_MODULES = ("SpErrors", "SpFejltekst", "SpLinks", "SpMain", "SpRibbon")
# The standard modules whose Public Functions Excel may list and call from cells; every other
# standard module says Option Private Module (MS: its procedures stay callable inside the
# project, by the ribbon and by Application.Run, but not from a cell or Insert Function).
PUBLIC_MODULES = ("SpUdfs", "SpFejltekst")
PRIVATE_OPTION = "Option Private Module"
CLASS_MODULES = ("SpAppEvents",)
EXPECTED_MODULES = (
    "ThisWorkbook", RUNTIME_MODULE, "Dictionary", WRAPPER_MODULE, REGISTER_MODULE,
    *STATIC_MODULES, *CLASS_MODULES,
)
