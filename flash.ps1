<#
.SYNOPSIS
  Flashes a Warp firmware image and the router program to an ESP32 board over USB with nanoff.

.DESCRIPTION
  The board needs a nanoCLR image built by nanoFramework's own firmware build for the board's
  target with our interop component (hal/Esp32/native, NF_INTEROP_ASSEMBLIES "Warp.Native").
  That image is an input here; it cannot be produced by this repository or its CI machine.
  Before anything is written the script checks, and refuses on a mismatch:
    - the board profile exists (boards/<Board>.json) and names a nanoFramework target;
    - the image names that target (nanoCLR carries its target name as a string) and no other
      target of the stored list (boards/nanoframework-esp32-targets.txt);
    - the image carries the interop assembly "Warp.Native" (hal/Esp32/native/interop.json).
  Then: nanoff --update --target <target> --serialport <Port> --clrfile <Image>, and, with
  -Application, nanoff --deploy of the program's .bin.

.EXAMPLE
  ./flash.ps1 -Board esp32-devkitc -Image ./nanoCLR.bin -Port COM5 -Application ./Warp.Router.Esp32.bin
.EXAMPLE
  ./flash.ps1 -Board wt32-eth01 -Image ./nanoCLR.bin -Port /dev/ttyUSB0 -CheckOnly
#>
param(
    [Parameter(Mandatory = $true)][string]$Board,
    [Parameter(Mandatory = $true)][string]$Image,
    [string]$Port,
    [string]$Application,
    [switch]$CheckOnly,
    [switch]$MassErase
)
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot

$profilePath = Join-Path $root "boards/$Board.json"
if (-not (Test-Path $profilePath)) {
    $known = (Get-ChildItem (Join-Path $root 'boards') -Filter *.json | ForEach-Object { $_.BaseName }) -join ', '
    Write-Error "flash: no board profile '$Board' (known: $known)"
    exit 2
}
$boardProfile = Get-Content $profilePath -Raw | ConvertFrom-Json
$target = $boardProfile.target
if (-not (Test-Path $Image)) { Write-Error "flash: image not found: $Image"; exit 2 }

$targets = Get-Content (Join-Path $root 'boards/nanoframework-esp32-targets.txt') | Where-Object { $_ -and -not $_.StartsWith('#') }
if ($targets -notcontains $target) { Write-Error "flash: $Board names '$target', which is not a nanoFramework ESP32 target"; exit 2 }

# The image's strings: NUL-terminated ASCII runs, as nanoCLR stores its target name and the interop table's assembly name.
$bytes = [System.IO.File]::ReadAllBytes((Resolve-Path $Image))
$text = [System.Text.Encoding]::ASCII.GetString($bytes)
$strings = $text -split "[^\x20-\x7E]+" | Where-Object { $_.Length -ge 4 }
$named = @($targets | Where-Object { $strings -contains $_ })
if ($named -notcontains $target) {
    $found = if ($named.Count -gt 0) { $named -join ', ' } else { 'no known target' }
    Write-Error "flash: refused: $Board needs an image for $target, but $Image names $found. Nothing was written."
    exit 3
}
$others = @($named | Where-Object { $_ -ne $target })
if ($others.Count -gt 0) {
    Write-Error "flash: refused: $Image names $target and also $($others -join ', '); it is not clearly built for $Board. Nothing was written."
    exit 3
}
$identity = Get-Content (Join-Path $root 'hal/Esp32/native/interop.json') -Raw | ConvertFrom-Json
if ($strings -notcontains $identity.assembly) {
    Write-Error "flash: refused: $Image has no $($identity.assembly) interop (stock firmware?). The router needs an image with hal/Esp32/native built in (checksum $($identity.checksum)). Nothing was written."
    exit 3
}
Write-Output "flash: $Image is a $target image with $($identity.assembly) $($identity.nativeVersion) (checksum $($identity.checksum) is checked by the runtime at boot)"
if ($CheckOnly) { exit 0 }
if (-not $Port) { Write-Error "flash: -Port is required to write"; exit 2 }
if (-not (Get-Command nanoff -ErrorAction SilentlyContinue)) { Write-Error "flash: nanoff not found (dotnet tool install -g nanoff)"; exit 2 }

$update = @('--update', '--target', $target, '--serialport', $Port, '--clrfile', $Image)
if ($MassErase) { $update += '--masserase' }
& nanoff @update
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
if ($Application) {
    & nanoff --target $target --serialport $Port --deploy --image $Application
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}
Write-Output "flash: done. Connect to the console (COM2 on pins TX $($boardProfile.pins.consoleTx) / RX $($boardProfile.pins.consoleRx), 115200 8N1)."
