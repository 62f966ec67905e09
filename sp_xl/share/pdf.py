"""The copy as PDF, through headless LibreOffice when it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sp_xl import i18n
from sp_xl.ooxml import safety
from sp_xl.ooxml.safety import WorkbookRefused


def libreoffice() -> str | None:
    """The LibreOffice program, when it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def export_pdf(xlsx: Path) -> Path:
    """The copy as PDF via headless LibreOffice (a private profile; the PDF beside the copy)."""
    soffice = libreoffice()
    if soffice is None:
        raise WorkbookRefused("PDF kræver LibreOffice, som ikke er installeret på denne pc. Kopien (.xlsx) er skrevet; "
                              "lav PDF'en fra Excel med Filer > Eksportér.",
                              "PDF needs LibreOffice, which is not installed on this PC. The copy (.xlsx) was written; "
                              "make the PDF from Excel with File > Export.")
    with tempfile.TemporaryDirectory(prefix="sp-xl-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        env["SAL_USE_VCLPLUGIN"] = "svp"
        # Number formats are shown in the renderer's locale: a Danish report prints 1.807 and 82 %.
        if i18n.language() == "da":
            env["LC_ALL"] = env["LANG"] = "da_DK.UTF-8"
        try:
            proc = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                                   "--convert-to", "pdf", "--outdir", tmp, str(xlsx)],
                                  capture_output=True, text=True, timeout=180, env=env)
        except subprocess.TimeoutExpired:
            raise WorkbookRefused("LibreOffice svarede ikke inden for 3 minutter; PDF'en er ikke lavet.",
                                  "LibreOffice did not answer within 3 minutes; no PDF was made.") from None
        made = Path(tmp) / (xlsx.stem + ".pdf")
        if proc.returncode != 0 or not made.exists():
            raise WorkbookRefused(f"LibreOffice kunne ikke lave PDF'en (afslutningskode {proc.returncode}). "
                                  "Lav PDF'en fra Excel med Filer > Eksportér.",
                                  f"LibreOffice could not make the PDF (exit code {proc.returncode}). "
                                  "Make the PDF from Excel with File > Export.")
        target = xlsx.with_suffix(".pdf")
        safety.write_atomically(target, made.read_bytes())
    return target
