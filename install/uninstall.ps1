<#
.SYNOPSIS
    Fjerner SP Rapport (sp_xl) for den aktuelle bruger: tilføjelsesprogrammet, Python-miljøet og opsætningen.

.DESCRIPTION
        powershell -ExecutionPolicy Bypass -File install\uninstall.ps1 [-RemovePython]
    Kan køres flere gange: hvad der allerede er væk, springes over.
    Python selv bliver, medmindre -RemovePython er givet OG install.ps1 selv installerede det.
    Mærket om, at install.ps1 installerede Python, bliver liggende, indtil Python er fjernet,
    så -RemovePython også virker i en senere kørsel.
#>
[CmdletBinding()]
param([switch]$RemovePython)

$ErrorActionPreference = "Stop"
$Home_ = Join-Path $env:LOCALAPPDATA "sp_xl"
$Venv = Join-Path $Home_ "venv"
$Addin = Join-Path $env:APPDATA "Microsoft\Excel\XLSTART\sp_xl.xlam"
$ConfDir = Join-Path $env:USERPROFILE ".sp_xl"
$PythonMarker = Join-Path $ConfDir "python-installed-by-sp_xl.txt"

function Say([string]$Text) { Write-Host "  $Text" }
function Fail([string]$Text) { Write-Host "FEJL: $Text" -ForegroundColor Red; exit 1 }

Write-Host "SP Rapport (sp_xl) - afinstallation for $env:USERNAME"

if (Get-Process -Name EXCEL -ErrorAction SilentlyContinue) {
    Fail "Excel kører. Luk Excel (alle vinduer; se også Jobliste efter EXCEL.EXE), og kør scriptet igen."
}
$running = Get-Process -Name @("pythonw", "python") -ErrorAction SilentlyContinue
$leftover = @($running | Where-Object { $_.Path -and $_.Path.StartsWith($Venv, [System.StringComparison]::OrdinalIgnoreCase) })
foreach ($p in $leftover) {
    try { Stop-Process -Id $p.Id -Force; Say "Stoppede sp_xl's funktionsserver (proces $($p.Id))." }
    catch { Fail "sp_xl's funktionsserver (proces $($p.Id)) kører stadig og kan ikke stoppes. Log af og på, og kør scriptet igen." }
}

if (Test-Path $Addin) {
    try { Remove-Item -Force $Addin } catch { Fail "Kunne ikke slette $Addin. Luk Excel og kør scriptet igen." }
    Say "Slettet: $Addin"
} else { Say "Findes ikke (allerede fjernet): $Addin" }

if (Test-Path $Home_) {
    try { Remove-Item -Recurse -Force $Home_ } catch { Fail "Kunne ikke slette $Home_. Luk Excel og kør scriptet igen." }
    Say "Slettet: $Home_"
} else { Say "Findes ikke (allerede fjernet): $Home_" }

$pythonRemoved = $false
if ($RemovePython -and -not (Test-Path $PythonMarker)) { Say "Python blev ikke installeret af sp_xl og bliver derfor." }
if ($RemovePython -and (Test-Path $PythonMarker)) {
    $exe = Join-Path $env:LOCALAPPDATA "Programs\Python\Python312\python.exe"
    $uninstaller = Get-ChildItem (Join-Path $env:LOCALAPPDATA "Package Cache") -Recurse -Filter "python-3.12*.exe" -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($uninstaller) {
        $p = Start-Process -FilePath $uninstaller.FullName -Wait -PassThru -ArgumentList @("/quiet", "/uninstall")
        if ($p.ExitCode -ne 0) { Fail "Python 3.12 kunne ikke afinstalleres (kode $($p.ExitCode)). Fjern det under Indstillinger > Apps." }
        $pythonRemoved = $true
        Say "Python 3.12 (installeret af sp_xl) er afinstalleret."
    } elseif (Test-Path $exe) {
        Say "Python 3.12 fjernes under Indstillinger > Apps (afinstallationsprogrammet blev ikke fundet)."
    } else {
        $pythonRemoved = $true
        Say "Python 3.12 er allerede fjernet."
    }
}

if (Test-Path $ConfDir) {
    # The marker stays while the Python it names is still installed.
    Get-ChildItem -Path $ConfDir -Force | Where-Object { $pythonRemoved -or $_.FullName -ne $PythonMarker } |
        Remove-Item -Recurse -Force
    if (-not (Get-ChildItem -Path $ConfDir -Force)) { Remove-Item -Force $ConfDir; Say "Slettet: $ConfDir" }
    else { Say "Slettet: opsætningen i $ConfDir (mærket for Python bliver til -RemovePython)" }
} else { Say "Findes ikke (allerede fjernet): $ConfDir" }

Write-Host "Færdig. Start Excel igen: fanen 'SP Rapport' er væk." -ForegroundColor Green
