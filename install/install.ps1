<#
.SYNOPSIS
    Installerer SP Rapport (sp_xl) for den aktuelle bruger. Kræver ikke administratorrettigheder.

.DESCRIPTION
    Kør fra mappen med sp_xl (den mappe, der indeholder pyproject.toml og install\):
        powershell -ExecutionPolicy Bypass -File install\install.ps1
    Trin (hvert trin springes over, hvis det allerede er gjort; scriptet kan køres igen):
      1. Finder Python 3.11 eller nyere, eller installerer Python 3.12 for brugeren.
      2. Opretter et privat Python-miljø i %LOCALAPPDATA%\sp_xl\venv.
      3. Installerer sp_xl med de fastlåste versioner fra install\constraints.txt.
      4. Lægger sp_xl.xlam i brugerens XLSTART-mappe, så Excel indlæser det ved start.
      5. Skriver xlwings-opsætningen %USERPROFILE%\.sp_xl\sp_xl.conf.

.PARAMETER Wheelhouse
    Mappe med færdige wheel-filer (offline-installation uden PyPI).

.PARAMETER Recreate
    Opret Python-miljøet forfra.
#>
[CmdletBinding()]
param(
    [string]$Wheelhouse = "",
    [switch]$Recreate
)

$ErrorActionPreference = "Stop"
$MinPython = [version]"3.11"
$PythonInstallerUrl = "https://www.python.org/ftp/python/3.12.7/python-3.12.7-amd64.exe"

$Source = Split-Path -Parent $PSScriptRoot                      # the sp_xl folder (has pyproject.toml)
$AddinSource = Join-Path $PSScriptRoot "sp_xl.xlam"
$Constraints = Join-Path $PSScriptRoot "constraints.txt"
$Home_ = Join-Path $env:LOCALAPPDATA "sp_xl"
$Venv = Join-Path $Home_ "venv"
$VenvPython = Join-Path $Venv "Scripts\python.exe"
$XlStart = Join-Path $env:APPDATA "Microsoft\Excel\XLSTART"
$ConfDir = Join-Path $env:USERPROFILE ".sp_xl"
$ConfFile = Join-Path $ConfDir "sp_xl.conf"
# Written with %LOCALAPPDATA% unexpanded: the add-in expands it (GetConfig ->
# ExpandEnvironmentStrings), and the file stays ASCII whatever the user name is.
$Settings = [ordered]@{
    "INTERPRETER_WIN"            = "%LOCALAPPDATA%\sp_xl\venv\Scripts\pythonw.exe"
    "UDF MODULES"                = "sp_xl.udfs"
    "ADD_WORKBOOK_TO_PYTHONPATH" = "false"
}

function Say([string]$Text) { Write-Host "  $Text" }
function Step([string]$Text) { Write-Host ""; Write-Host "== $Text" -ForegroundColor Cyan }
function Fail([string]$Text) { Write-Host ""; Write-Host "FEJL: $Text" -ForegroundColor Red; exit 1 }

function Get-PythonVersion([string]$Exe, [string[]]$Pre = @()) {
    # The Microsoft Store alias (WindowsApps\python.exe) prints nothing useful: treat as missing.
    try {
        $out = & $Exe @Pre -c "import sys; print('%d.%d.%d' % sys.version_info[:3])" 2>$null
        if ($LASTEXITCODE -eq 0 -and $out -match '^\d+\.\d+\.\d+$') { return [version]$out }
    } catch { }
    return $null
}

function Find-Python {
    foreach ($minor in @("3.13", "3.12", "3.11")) {
        if (Get-Command py -ErrorAction SilentlyContinue) {
            $v = Get-PythonVersion "py" @("-$minor")
            if ($v -and $v -ge $MinPython) {
                return (& py "-$minor" -c "import sys; print(sys.executable)").Trim()
            }
        }
    }
    $candidates = @(
        (Join-Path $env:LOCALAPPDATA "Programs\Python\Python313\python.exe"),
        (Join-Path $env:LOCALAPPDATA "Programs\Python\Python312\python.exe"),
        (Join-Path $env:LOCALAPPDATA "Programs\Python\Python311\python.exe")
    )
    $onPath = Get-Command python -ErrorAction SilentlyContinue
    if ($onPath) { $candidates += $onPath.Source }
    foreach ($exe in $candidates) {
        if (Test-Path $exe) {
            $v = Get-PythonVersion $exe
            if ($v -and $v -ge $MinPython) { return $exe }
        }
    }
    return $null
}

Write-Host "SP Rapport (sp_xl) - installation for $env:USERNAME"

Step "1. Python"
if (-not (Test-Path (Join-Path $Source "pyproject.toml"))) { Fail "Kør scriptet fra sp_xl-mappen (pyproject.toml mangler i $Source)." }
if (-not (Test-Path $AddinSource)) { Fail "sp_xl.xlam mangler i $PSScriptRoot." }
$Python = Find-Python
if ($Python) {
    Say "Fundet: $Python ($(Get-PythonVersion $Python))"
} else {
    Say "Ingen Python $MinPython+ fundet. Installerer Python 3.12 for brugeren (uden administrator) ..."
    $installer = Join-Path $env:TEMP "python-3.12-installer.exe"
    Invoke-WebRequest -Uri $PythonInstallerUrl -OutFile $installer -UseBasicParsing
    $p = Start-Process -FilePath $installer -Wait -PassThru -ArgumentList @(
        "/quiet", "InstallAllUsers=0", "PrependPath=0", "Include_launcher=0", "Include_test=0", "Shortcuts=0")
    if ($p.ExitCode -ne 0) { Fail "Python-installationen fejlede (kode $($p.ExitCode))." }
    Remove-Item $installer -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $ConfDir | Out-Null
    Set-Content -Path (Join-Path $ConfDir "python-installed-by-sp_xl.txt") -Value $PythonInstallerUrl -Encoding ASCII
    $Python = Find-Python
    if (-not $Python) { Fail "Python blev installeret, men kan ikke findes. Log af og på, og kør scriptet igen." }
    Say "Installeret: $Python"
}

Step "2. Privat Python-miljø"
if ($Recreate -and (Test-Path $Venv)) { Remove-Item -Recurse -Force $Venv; Say "Fjernet det gamle miljø." }
if ((Test-Path $VenvPython) -and (Get-PythonVersion $VenvPython)) {
    Say "Findes allerede: $Venv"
} else {
    New-Item -ItemType Directory -Force -Path $Home_ | Out-Null
    & $Python -m venv $Venv
    if ($LASTEXITCODE -ne 0) { Fail "Kunne ikke oprette $Venv." }
    Say "Oprettet: $Venv"
}

Step "3. sp_xl og afhængigheder"
$pipArgs = @("-m", "pip", "install", "--disable-pip-version-check", "--upgrade", "-c", $Constraints)
if ($Wheelhouse) { $pipArgs += @("--no-index", "--find-links", $Wheelhouse) }
$pipArgs += $Source
& $VenvPython @pipArgs
if ($LASTEXITCODE -ne 0) { Fail "pip kunne ikke installere sp_xl (se meddelelserne ovenfor; bag en proxy: sæt HTTPS_PROXY)." }
$dll = Get-ChildItem -Path $Venv -Filter "xlwings64-*.dll" -ErrorAction SilentlyContinue | Select-Object -First 1
if (-not $dll) { Fail "xlwings64-*.dll mangler i $Venv; SP_-funktionerne kan ikke kalde Python." }
Say "Installeret: $(& $VenvPython -c "import sp_xl, xlwings; print('sp_xl', sp_xl.__version__, '/ xlwings', xlwings.__version__)")"

Step "4. Tilføjelsesprogrammet"
New-Item -ItemType Directory -Force -Path $XlStart | Out-Null
$target = Join-Path $XlStart "sp_xl.xlam"
if ((Test-Path $target) -and ((Get-FileHash $target).Hash -eq (Get-FileHash $AddinSource).Hash)) {
    Say "Findes allerede i samme version: $target"
} else {
    try {
        Copy-Item -Path $AddinSource -Destination $target -Force
    } catch {
        Fail "Kunne ikke skrive $target. Er Excel åben? Luk Excel og kør scriptet igen."
    }
    Say "Kopieret til: $target"
}
Unblock-File -Path $target   # a copy from a download or mail would otherwise have its macros blocked

Step "5. xlwings-opsætning"
New-Item -ItemType Directory -Force -Path $ConfDir | Out-Null
$lines = @()
if (Test-Path $ConfFile) {
    # Keep the user's other settings; ours are written anew below.
    foreach ($line in Get-Content $ConfFile) {
        $key = ($line -split '","', 2)[0].Trim('"')
        if (-not $Settings.Contains($key)) { $lines += $line }
    }
}
foreach ($key in $Settings.Keys) { $lines += ('"{0}","{1}"' -f $key, $Settings[$key]) }
Set-Content -Path $ConfFile -Value $lines -Encoding ASCII
Say "Skrevet: $ConfFile"
foreach ($key in $Settings.Keys) { Say ("  {0} = {1}" -f $key, $Settings[$key]) }

Write-Host ""
Write-Host "Færdig. Start Excel (igen): fanen 'SP Rapport' og funktionerne SP_... er klar." -ForegroundColor Green
if (Get-Process EXCEL -ErrorAction SilentlyContinue) { Write-Host "Excel kører: luk og start Excel, før tilføjelsesprogrammet indlæses." -ForegroundColor Yellow }
