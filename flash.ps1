<#
.SYNOPSIS
  Flashes a Warp travel router over USB, provisions it over its serial console, and can register
  a new WARP account for it. PowerShell 7 on Windows, macOS or Linux.

.DESCRIPTION
  ./flash.ps1 -Board <profile> [-Port <serial port>] (-Config <wg-quick file> | -Register)
              [-ApSsid <name> -ApPassword <SecureString>] [-Wifi <ssid> [-WifiPassword <SecureString>]]
              [-Image nanoCLR.bin] [-Application Warp.Router.Esp32.bin] [-WhatIf] [-Verbose]

  Before anything is written it checks, and refuses with a clear message on a mismatch:
    - the board profile (boards/<Board>.json; an unknown board lists the known ones);
    - the config, with the firmware's own parser (warp-router config check), errors by line;
    - the nanoCLR image: built for the board's nanoFramework target, with the Warp.Native interop;
    - the port: the one ESP32 USB bridge connected (CP210x, CH340/CH9102, FTDI, ESP32-S3/C3 native
      USB by VID:PID), not held by another program;
    - nanoff: when it is missing, the exact `dotnet tool install` command is printed; nothing is
      installed silently.
  Then, a plain line and a progress bar per step:
    1. nanoff --update: the custom nanoCLR for the board's target;
    2. nanoff --deploy: the router program;
  and, over the USB cable alone (every board profile: the cable carries nanoFramework's wire
  protocol, the router's console is on UART pins):
    3. nanoff --filedeployment: the provisioning file (wifi add, ap set, config begin / the lines /
       config end LINES CRC32, provision end LINES CRC32) to the board's I:\warp-provision.txt,
       from an owner-only temp directory removed afterwards; the router imports it, applies it
       only when clean, then overwrites and removes it;
    4. says what to do next (the AP to join, http://<router address>/, the light);
  or, with -ConsolePort (a UART adapter on the console pins):
    3. waits for the router's console on that port (status -m answers);
    4. provisions it: wifi add, config begin / the lines / config end LINES CRC32, ap set;
    5. reads status back and says what to do next.
  Every external command goes through one function (Invoke-External): -WhatIf prints each exact
  command and changes nothing; -Verbose shows the device's console. The passwords are
  SecureStrings and the config is read from its file: no secret is on a child's command line or
  in the transcript.

.EXAMPLE
  ./flash.ps1 -Board esp32-devkitc -Config ./warp.conf -ApSsid Warp-Home -ApPassword (Read-Host -AsSecureString)
.EXAMPLE
  ./flash.ps1 -Board esp32-s3 -Register -Wifi "Hotel Guest" -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory = $true)][string]$Board,
    [string]$Port,
    [string]$ConsolePort,
    [string]$Config,
    [switch]$Register,
    [string]$RegisterApi,
    [string]$RegisterDirectory,
    [string]$ApSsid,
    [securestring]$ApPassword,
    [string]$Wifi,
    [securestring]$WifiPassword,
    [string]$Image,
    [string]$Application,
    [switch]$MassErase,
    [string]$WarpRouter,
    [int]$ConsoleTimeoutSeconds = 60,
    [int]$BootWaitSeconds = 8
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'tools/flash/WarpFlash.psm1') -Verbose:$false
exit (Invoke-WarpFlash @PSBoundParameters)
