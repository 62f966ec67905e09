<#
.SYNOPSIS
    Fjerner SP Rapport (sp_xl) for den aktuelle bruger: tilføjelsesprogrammet, Python-miljøet og opsætningen.

.DESCRIPTION
        powershell -ExecutionPolicy Bypass -File install\uninstall.ps1 [-RemovePython]
    Kan køres flere gange: hvad der allerede er væk, springes over.
    Python selv bliver, medmindre -RemovePython er givet OG install.ps1 selv installerede det.
#>
[CmdletBinding()]
param([switch]$RemovePython)

$ErrorActionPreference = "Stop"
$Home_ = Join-Path $env:LOCALAPPDATA "sp_xl"
$Addin = Join-Path $env:APPDATA "Microsoft\Excel\XLSTART\sp_xl.xlam"
$ConfDir = Join-Path $env:USERPROFILE ".sp_xl"
$PythonMarker = Join-Path $ConfDir "python-installed-by-sp_xl.txt"

function Say([string]$Text) { Write-Host "  $Text" }
function Fail([string]$Text) { Write-Host "FEJL: $Text" -ForegroundColor Red; exit 1 }

Write-Host "SP Rapport (sp_xl) - afinstallation for $env:USERNAME"

if (Test-Path $Addin) {
    try { Remove-Item -Force $Addin } catch { Fail "Kunne ikke slette $Addin. Luk Excel og kør scriptet igen." }
    Say "Slettet: $Addin"
} else { Say "Findes ikke (allerede fjernet): $Addin" }

if (Test-Path $Home_) {
    try { Remove-Item -Recurse -Force $Home_ } catch { Fail "Kunne ikke slette $Home_. Luk Excel og kør scriptet igen." }
    Say "Slettet: $Home_"
} else { Say "Findes ikke (allerede fjernet): $Home_" }

$removePythonNow = $RemovePython -and (Test-Path $PythonMarker)
if ($RemovePython -and -not $removePythonNow) { Say "Python blev ikke installeret af sp_xl og bliver derfor." }
if ($removePythonNow) {
    $exe = Join-Path $env:LOCALAPPDATA "Programs\Python\Python312\python.exe"
    $uninstaller = Get-ChildItem (Join-Path $env:LOCALAPPDATA "Package Cache") -Recurse -Filter "python-3.12*.exe" -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($uninstaller) {
        Start-Process -FilePath $uninstaller.FullName -Wait -ArgumentList @("/quiet", "/uninstall")
        Say "Python 3.12 (installeret af sp_xl) er afinstalleret."
    } elseif (Test-Path $exe) {
        Say "Python 3.12 fjernes under Indstillinger > Apps (afinstallationsprogrammet blev ikke fundet)."
    }
}

if (Test-Path $ConfDir) {
    Remove-Item -Recurse -Force $ConfDir
    Say "Slettet: $ConfDir"
} else { Say "Findes ikke (allerede fjernet): $ConfDir" }

Write-Host "Færdig. Genstart Excel, så fanen 'SP Rapport' forsvinder." -ForegroundColor Green
