<#
.SYNOPSIS
    Installerer SP Rapport (sp_xl) for den aktuelle bruger. Kræver ikke administratorrettigheder.

.DESCRIPTION
    Kør fra mappen med sp_xl (den mappe, der indeholder pyproject.toml og install\):
        powershell -ExecutionPolicy Bypass -File install\install.ps1
    eller fra en offline-pakke (bygget med sp-xl bundle), uden netværk:
        powershell -ExecutionPolicy Bypass -File install\install.ps1 -Bundle C:\sti\sp_xl-bundle
    Trin (hvert trin springes over, hvis det allerede er gjort; scriptet kan køres igen):
      0. Stopper, hvis Excel kører (filerne er låst, mens Excel er åben).
      1. Finder Python 3.11 eller nyere, eller installerer Python 3.12 for brugeren
         (fra offline-pakken, ellers fra python.org).
      2. Opretter et privat Python-miljø i %LOCALAPPDATA%\sp_xl\venv (et beskadiget miljø ryddes og oprettes igen).
      3. Installerer sp_xl med de fastlåste versioner fra constraints.txt og tjekker xlwings' DLL.
      4. Lægger sp_xl.xlam i brugerens XLSTART-mappe, så Excel indlæser det ved start.
      5. Skriver xlwings-opsætningen %USERPROFILE%\.sp_xl\sp_xl.conf.
      6. Kører sp-xl doctor: hvad der mangler, og hvad IT skal tillade.
    Scriptet skriver aldrig i kildemappen eller i offline-pakken.

.PARAMETER Bundle
    Offline-pakken (mappen eller zip-filen fra sp-xl bundle). Intet hentes fra netværket.

.PARAMETER Wheelhouse
    Mappe med færdige wheel-filer (offline-installation uden PyPI) til en installation fra kildemappen.

.PARAMETER Recreate
    Opret Python-miljøet forfra.
#>
[CmdletBinding()]
param(
    [string]$Bundle = "",
    [string]$Wheelhouse = "",
    [switch]$Recreate
)

$ErrorActionPreference = "Stop"
$MinPython = [version]"3.11"
$PythonVersion = "3.12.7"
$PythonInstallerName = "python-$PythonVersion-amd64.exe"                # 64-bit; 32-bit Office: python-$PythonVersion.exe

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

function Get-PythonBits([string]$Exe) {
    try {
        $out = & $Exe -c "import struct; print(struct.calcsize('P') * 8)" 2>$null
        if ($LASTEXITCODE -eq 0) { return [int]$out }
    } catch { }
    return 0
}

function Get-OfficeBits {
    # Click-to-Run (Microsoft 365) records the platform; every Office 2010+ (MSI too) the
    # Outlook key's Bitness, under WOW6432Node for a 32-bit MSI Office on 64-bit Windows.
    # 64-bit is the default since Office 2019. (sp_xl/checks/environment.py reads the same keys.)
    $keys = @(
        @("HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration", "Platform"),
        @("HKLM:\SOFTWARE\Microsoft\Office\16.0\Outlook", "Bitness"),
        @("HKLM:\SOFTWARE\WOW6432Node\Microsoft\Office\16.0\Outlook", "Bitness")
    )
    foreach ($key in $keys) {
        try {
            $value = (Get-ItemProperty -Path $key[0] -Name $key[1] -ErrorAction Stop).($key[1])
            if ($value -eq "x86") { return 32 }
            if ($value -eq "x64") { return 64 }
        } catch { }
    }
    return 64
}

function Find-Python([int]$Bits) {
    # A Python 3.11+ with the bitness of Office (xlwings' DLL must match Excel's).
    $suffix = if ($Bits -eq 32) { "-32" } else { "" }
    foreach ($minor in @("3.13", "3.12", "3.11")) {
        if (Get-Command py -ErrorAction SilentlyContinue) {
            $v = Get-PythonVersion "py" @("-$minor$suffix")
            if ($v -and $v -ge $MinPython) {
                $exe = (& py "-$minor$suffix" -c "import sys; print(sys.executable)").Trim()
                if ((Get-PythonBits $exe) -eq $Bits) { return $exe }
            }
        }
    }
    $candidates = @()
    foreach ($folder in @("Python313", "Python312", "Python311")) {
        $candidates += Join-Path $env:LOCALAPPDATA "Programs\Python\$folder$suffix\python.exe"
    }
    $onPath = Get-Command python -ErrorAction SilentlyContinue
    if ($onPath) { $candidates += $onPath.Source }
    foreach ($exe in $candidates) {
        if (Test-Path $exe) {
            $v = Get-PythonVersion $exe
            if ($v -and $v -ge $MinPython -and (Get-PythonBits $exe) -eq $Bits) { return $exe }
        }
    }
    return $null
}

function Open-Bundle([string]$Path) {
    # The bundle's root (the folder with manifest.json). A zip is unpacked into %TEMP%:
    # nothing is ever written into the bundle itself, which may lie on a read-only share.
    if (-not (Test-Path $Path)) { Fail "Offline-pakken findes ikke: $Path" }
    $item = Get-Item $Path
    if (-not $item.PSIsContainer) {
        $unpacked = Join-Path $env:TEMP ("sp_xl-bundle-" + [guid]::NewGuid().ToString("N"))
        try { Expand-Archive -Path $item.FullName -DestinationPath $unpacked -Force }
        catch { Fail "Offline-pakken $Path kunne ikke pakkes ud til $unpacked ($($_.Exception.Message))." }
        $item = Get-Item $unpacked
    }
    foreach ($candidate in @($item.FullName, (Join-Path $item.FullName "sp_xl-bundle"))) {
        if (Test-Path (Join-Path $candidate "manifest.json")) { return $candidate }
    }
    Fail "$Path er ikke en offline-pakke fra sp-xl bundle (manifest.json mangler)."
}

function Test-Bundle([string]$Root) {
    # Every file against the SHA-256 in manifest.json: a copied or partly downloaded bundle fails here.
    try { $manifest = Get-Content -Raw -Encoding UTF8 (Join-Path $Root "manifest.json") | ConvertFrom-Json }
    catch { Fail "manifest.json i offline-pakken kan ikke læses ($($_.Exception.Message))." }
    foreach ($entry in $manifest.sha256.PSObject.Properties) {
        $file = Join-Path $Root ($entry.Name -replace "/", "\")
        if (-not (Test-Path $file)) { Fail "Offline-pakken er ufuldstændig: $($entry.Name) mangler. Hent pakken igen." }
        if ((Get-FileHash -Algorithm SHA256 $file).Hash.ToLower() -ne $entry.Value) {
            Fail "Offline-pakken er beskadiget: $($entry.Name) har en anden kontrolsum end manifest.json. Hent pakken igen."
        }
    }
    return $manifest
}

function Copy-Source([string]$From) {
    # pip builds a source folder in place (build\, *.egg-info): build from a copy in %TEMP%
    # instead, so that a read-only share or a checkout stays untouched.
    $to = Join-Path $env:TEMP ("sp_xl-src-" + [guid]::NewGuid().ToString("N"))
    New-Item -ItemType Directory -Force -Path $to | Out-Null
    foreach ($name in @("pyproject.toml", "README.md")) { Copy-Item -Path (Join-Path $From $name) -Destination $to }
    Copy-Item -Path (Join-Path $From "sp_xl") -Destination $to -Recurse
    Get-ChildItem -Path $to -Recurse -Directory -Filter "__pycache__" | Remove-Item -Recurse -Force
    return $to
}

Write-Host "SP Rapport (sp_xl) - installation for $env:USERNAME"

Step "0. Excel og sp_xl må ikke køre"
if (Get-Process -Name EXCEL -ErrorAction SilentlyContinue) {
    Fail "Excel kører. Luk Excel (alle vinduer; se også Jobliste efter EXCEL.EXE), og kør scriptet igen. Mens Excel er åben, er tilføjelsesprogrammet og Python-miljøet låst."
}
# Left over from a closed Excel: sp_xl's function server (pythonw from our venv) holds the venv's files.
$running = Get-Process -Name @("pythonw", "python") -ErrorAction SilentlyContinue
$leftover = @($running | Where-Object { $_.Path -and $_.Path.StartsWith($Venv, [System.StringComparison]::OrdinalIgnoreCase) })
foreach ($p in $leftover) {
    try { Stop-Process -Id $p.Id -Force; Say "Stoppede sp_xl's funktionsserver (proces $($p.Id))." }
    catch { Fail "sp_xl's funktionsserver (proces $($p.Id), $($p.Path)) kører stadig og kan ikke stoppes. Log af og på, og kør scriptet igen." }
}
Say "Excel kører ikke."

if (-not $Bundle -and (Test-Path (Join-Path (Split-Path -Parent $PSScriptRoot) "manifest.json"))) {
    $Bundle = Split-Path -Parent $PSScriptRoot          # run from inside an unpacked bundle
}
if ($Bundle) {
    $BundleRoot = Open-Bundle $Bundle
    $Manifest = Test-Bundle $BundleRoot
    $Constraints = Join-Path $BundleRoot "install\constraints.txt"
    $AddinSource = Join-Path $BundleRoot "install\sp_xl.xlam"
    $Wheels = Join-Path $BundleRoot "wheels"
    $PackageSpec = Join-Path $BundleRoot ($Manifest.sp_xl_wheel -replace "/", "\")
    $BundledPython = Join-Path $BundleRoot ($Manifest.python_installer -replace "/", "\")
    Say "Offline-pakke: $BundleRoot (sp_xl $($Manifest.sp_xl), Python $($Manifest.python), kontrolsummer i orden)"
} else {
    $Source = Split-Path -Parent $PSScriptRoot                      # the sp_xl folder (has pyproject.toml)
    if (-not (Test-Path (Join-Path $Source "pyproject.toml"))) { Fail "Kør scriptet fra sp_xl-mappen (pyproject.toml mangler i $Source), eller brug -Bundle." }
    $Constraints = Join-Path $PSScriptRoot "constraints.txt"
    $AddinSource = Join-Path $PSScriptRoot "sp_xl.xlam"
    $Wheels = $Wheelhouse
    $PackageSpec = ""
    $BundledPython = ""
}
if (-not (Test-Path $AddinSource)) { Fail "sp_xl.xlam mangler: $AddinSource" }
$XlwingsVersion = ((Get-Content $Constraints) | Where-Object { $_ -match '^xlwings==' } | Select-Object -First 1) -replace '^xlwings==', ''
if (-not $XlwingsVersion) { Fail "constraints.txt låser ikke xlwings' version ($Constraints)." }
$OfficeBits = Get-OfficeBits
if ($OfficeBits -eq 32) {
    if ($Bundle) { Fail "Office er 32-bit; offline-pakken indeholder kun 64-bit Python og wheels. Installér med netværk (uden -Bundle), eller brug 64-bit Office." }
    $PythonInstallerName = "python-$PythonVersion.exe"
}
$PythonInstallerUrl = "https://www.python.org/ftp/python/$PythonVersion/$PythonInstallerName"

Step "1. Python"
$Python = Find-Python $OfficeBits
if ($Python) {
    Say "Fundet: $Python ($(Get-PythonVersion $Python), $(Get-PythonBits $Python)-bit)"
} else {
    Say "Ingen $OfficeBits-bit Python $MinPython+ fundet (samme bitness som Office). Installerer Python $PythonVersion ($OfficeBits-bit) for brugeren (uden administrator) ..."
    if ($BundledPython) {
        $installer = $BundledPython
    } else {
        $installer = Join-Path $env:TEMP $PythonInstallerName
        # Windows PowerShell 5.1 offers TLS 1.0 by default, which python.org refuses.
        [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
        try {
            Invoke-WebRequest -Uri $PythonInstallerUrl -OutFile $installer -UseBasicParsing
        } catch {
            Fail "Python kunne ikke hentes fra $PythonInstallerUrl ($($_.Exception.Message)). Uden netværk: brug offline-pakken (install.ps1 -Bundle STI). Bag en proxy: bed IT om adgang til www.python.org."
        }
    }
    $p = Start-Process -FilePath $installer -Wait -PassThru -ArgumentList @(
        "/quiet", "InstallAllUsers=0", "PrependPath=0", "Include_launcher=0", "Include_test=0", "Shortcuts=0")
    if ($p.ExitCode -ne 0) { Fail "Python-installationen fejlede (kode $($p.ExitCode)). Er installation af programmer blokeret (AppLocker)? Kør sp-xl doctor eller spørg IT." }
    if (-not $BundledPython) { Remove-Item $installer -Force -ErrorAction SilentlyContinue }
    New-Item -ItemType Directory -Force -Path $ConfDir | Out-Null
    Set-Content -Path (Join-Path $ConfDir "python-installed-by-sp_xl.txt") -Value $PythonInstallerName -Encoding ASCII
    $Python = Find-Python $OfficeBits
    if (-not $Python) { Fail "Python blev installeret, men kan ikke findes. Log af og på, og kør scriptet igen." }
    Say "Installeret: $Python"
}
$PythonBits = Get-PythonBits $Python
if ($PythonBits -ne $OfficeBits) {
    Fail "Office er $OfficeBits-bit, men $Python er $PythonBits-bit. SP_-funktionerne kræver Python med samme bitness som Office."
}

Step "2. Privat Python-miljø"
$venvWorks = (Test-Path $VenvPython) -and (Get-PythonVersion $VenvPython)
if ($venvWorks -and -not $Recreate) {
    Say "Findes allerede: $Venv"
} else {
    New-Item -ItemType Directory -Force -Path $Home_ | Out-Null
    # --clear empties a broken or old environment first instead of building on its remains.
    & $Python -m venv --clear $Venv
    if ($LASTEXITCODE -ne 0) { Fail "Kunne ikke oprette $Venv (er filer låst? Luk Excel, og kør scriptet igen)." }
    if (Test-Path $VenvPython) { Say "Oprettet: $Venv" } else { Fail "Python-miljøet $Venv blev ikke oprettet korrekt." }
}

Step "3. sp_xl og afhængigheder"
$pipArgs = @("-m", "pip", "install", "--disable-pip-version-check", "--no-cache-dir", "--upgrade", "-c", $Constraints)
$build = ""
if ($Wheels) { $pipArgs += @("--no-index", "--find-links", $Wheels) }
if ($PackageSpec) {
    $pipArgs += $PackageSpec
} else {
    $build = Copy-Source $Source
    $pipArgs += $build
}
& $VenvPython @pipArgs
$pipCode = $LASTEXITCODE
if ($build) { Remove-Item -Recurse -Force $build -ErrorAction SilentlyContinue }
if ($pipCode -ne 0) {
    if ($Wheels) { Fail "pip kunne ikke installere sp_xl fra $Wheels uden netværk (se meddelelserne ovenfor: mangler en wheel-fil?)." }
    Fail "pip kunne ikke installere sp_xl (se meddelelserne ovenfor). Uden netværk: brug offline-pakken (-Bundle). Bag en proxy: sæt HTTPS_PROXY, eller bed IT om adgang til pypi.org."
}
$dllName = "xlwings$OfficeBits-$XlwingsVersion.dll"
$dll = @((Join-Path $Venv $dllName), (Join-Path $Venv "Scripts\$dllName")) | Where-Object { Test-Path $_ } | Select-Object -First 1
if (-not $dll) {
    $other = (Get-ChildItem -Path $Venv -Recurse -Filter "xlwings*.dll" -ErrorAction SilentlyContinue | ForEach-Object { $_.Name }) -join ", "
    Fail "$dllName (præcis den version, sp_xl.xlam kræver) mangler i $Venv$(if ($other) { "; fundet: $other" }). Kør scriptet igen med -Recreate."
}
Say "xlwings' DLL: $dll"
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
        Fail "Kunne ikke skrive $target ($($_.Exception.Message)). Er Excel åben? Luk Excel og kør scriptet igen."
    }
    Say "Kopieret til: $target"
}
Unblock-File -Path $target   # a copy from a download or mail would otherwise have its macros blocked
if ($XlStart.StartsWith("\\")) {
    Write-Host "  ADVARSEL: XLSTART ligger på et netværksdrev ($XlStart). Excel stoler kun på den, hvis IT tillader betroede placeringer på netværket; se sp-xl doctor nedenfor." -ForegroundColor Yellow
}

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

Step "6. Diagnose (sp-xl doctor)"
& (Join-Path $Venv "Scripts\sp-xl.exe") doctor
if ($LASTEXITCODE -ne 0) {
    Write-Host "  ADVARSEL: Mindst ét krav er ikke opfyldt (se linjerne med FEJL ovenfor og hvad IT skal tillade)." -ForegroundColor Yellow
}

Write-Host ""
Write-Host "Færdig. Start Excel: fanen 'SP Rapport' og funktionerne SP_... er klar." -ForegroundColor Green
