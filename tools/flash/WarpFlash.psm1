# WarpFlash: what flash.ps1 does, as functions Pester can test one by one.
# Every external command goes through Invoke-External; -WhatIf prints each one and changes nothing.
# Secrets (the AP and Wi-Fi passwords, the config's private key) are SecureStrings or read from the
# config file, written only to the device's console, never to a child's command line or the transcript.

Set-StrictMode -Version 3.0

$script:Root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
$script:NanoffVersion = '2.5.126'
$script:ExitUsage = 2
$script:ExitRefused = 3
$script:ExitDevice = 4

# USB serial bridges found on ESP32 boards (REFERENCES.md, "USB serial bridges").
$script:KnownBridges = @(
    [pscustomobject]@{ Vid = '10C4'; Pid = 'EA60'; Name = 'Silicon Labs CP210x' }
    [pscustomobject]@{ Vid = '1A86'; Pid = '7523'; Name = 'WCH CH340' }
    [pscustomobject]@{ Vid = '1A86'; Pid = '55D4'; Name = 'WCH CH9102' }
    [pscustomobject]@{ Vid = '0403'; Pid = '6001'; Name = 'FTDI FT232R' }
    [pscustomobject]@{ Vid = '0403'; Pid = '6015'; Name = 'FTDI FT231X' }
    [pscustomobject]@{ Vid = '303A'; Pid = '1001'; Name = 'Espressif USB-Serial/JTAG (ESP32-S3/C3/C6 native USB)' }
)

function Write-Step {
    param([string]$Text)
    Write-Host "flash: $Text"
}

function Write-Refusal {
    param([string]$Text)
    if (-not $Text.EndsWith('.') -and -not $Text.EndsWith(':')) { $Text += '.' }
    Write-Host "flash: refused: $Text Nothing was changed on the board."
}

function Format-CommandLine {
    param([string]$FilePath, [string[]]$ArgumentList)
    $parts = @($FilePath) + @($ArgumentList | ForEach-Object { if ($_ -match '[\s"]') { '"' + ($_ -replace '"', '\"') + '"' } else { $_ } })
    return ($parts -join ' ')
}

<#
.SYNOPSIS
  The one function through which every external command runs (nanoff, warp-router).
  -WhatIf prints the exact command and runs nothing, unless -ReadOnly says the command changes
  nothing (a config check); its line is printed then too. No secret is ever an argument.
#>
function Invoke-External {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)][string]$FilePath,
        [string[]]$ArgumentList = @(),
        [switch]$ReadOnly
    )
    $line = Format-CommandLine $FilePath $ArgumentList
    if ($WhatIfPreference) {
        Write-Host "What if: $line"
        if (-not $ReadOnly) {
            return [pscustomobject]@{ ExitCode = 0; Output = @(); Skipped = $true }
        }
    }
    Write-Verbose "run: $line"
    return Invoke-ExternalProcess -FilePath $FilePath -ArgumentList $ArgumentList
}

<# Runs a program and waits: ExitCode and Output (stdout and stderr lines). Only Invoke-External calls it. #>
function Invoke-ExternalProcess {
    param([Parameter(Mandatory)][string]$FilePath, [string[]]$ArgumentList = @())
    $output = @(& $FilePath @ArgumentList 2>&1 | ForEach-Object { "$_" })
    return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output; Skipped = $false }
}

<#
.SYNOPSIS
  The USB serial devices present: Port, Vid, Pid (hex, upper case), Description. Windows from
  Win32_PnPEntity, Linux from /sys/class/tty, macOS from the /dev/cu.* names (no VID:PID there).
#>
function Get-UsbSerialDevice {
    $found = @()
    if ($IsWindows) {
        foreach ($d in @(Get-CimInstance -ClassName Win32_PnPEntity -Filter "Name LIKE '%(COM%'" -ErrorAction SilentlyContinue)) {
            if ($d.PNPDeviceID -match 'VID_([0-9A-F]{4})&PID_([0-9A-F]{4})') {
                $vid = $Matches[1].ToUpperInvariant(); $prod = $Matches[2].ToUpperInvariant()
                if ($d.Name -match '\((COM\d+)\)') { $found += [pscustomobject]@{ Port = $Matches[1]; Vid = $vid; Pid = $prod; Description = $d.Name } }
            }
        }
    }
    elseif ($IsLinux) {
        foreach ($tty in @(Get-ChildItem /sys/class/tty -ErrorAction SilentlyContinue | Where-Object { $_.Name -match '^tty(USB|ACM)\d+$' })) {
            $dir = (Resolve-Path (Join-Path $tty.FullName 'device') -ErrorAction SilentlyContinue)
            $vid = $null; $prod = $null
            for ($p = "$dir"; $p -and $p -ne '/'; $p = Split-Path -Parent $p) {
                if (Test-Path (Join-Path $p 'idVendor')) {
                    $vid = (Get-Content (Join-Path $p 'idVendor') -Raw).Trim().ToUpperInvariant()
                    $prod = (Get-Content (Join-Path $p 'idProduct') -Raw).Trim().ToUpperInvariant()
                    break
                }
            }
            if ($vid) { $found += [pscustomobject]@{ Port = "/dev/$($tty.Name)"; Vid = $vid; Pid = $prod; Description = $tty.Name } }
        }
    }
    elseif ($IsMacOS) {
        $byName = @{ 'SLAB_USBtoUART' = '10C4:EA60'; 'usbserial' = '0403:6001'; 'wchusbserial' = '1A86:7523'; 'usbmodem' = '303A:1001' }
        foreach ($f in @(Get-ChildItem /dev -Filter 'cu.*' -ErrorAction SilentlyContinue)) {
            foreach ($k in $byName.Keys) {
                if ($f.Name -like "cu.$k*") {
                    $vp = $byName[$k].Split(':')
                    $found += [pscustomobject]@{ Port = $f.FullName; Vid = $vp[0]; Pid = $vp[1]; Description = "$($f.Name) (guessed from its name)" }
                    break
                }
            }
        }
    }
    return $found
}

<# The known ESP32 bridge a device is, or $null. #>
function Get-BridgeName {
    param([string]$Vid, [string]$ProductId)
    $b = $script:KnownBridges | Where-Object { $_.Vid -eq $Vid.ToUpperInvariant() -and $_.Pid -eq $ProductId.ToUpperInvariant() } | Select-Object -First 1
    if ($b) { return $b.Name }
    return $null
}

<#
.SYNOPSIS
  The serial port of the one ESP32 board connected, from the USB device list. Returns an object
  with Port and Bridge, or with Error (none found, or several: then -Port decides).
#>
function Select-BoardPort {
    param([string]$Port)
    if ($Port) { return [pscustomobject]@{ Port = $Port; Bridge = 'given with -Port'; Error = $null } }
    $candidates = @(Get-UsbSerialDevice | ForEach-Object {
            $name = Get-BridgeName $_.Vid $_.Pid
            if ($name) { [pscustomobject]@{ Port = $_.Port; Bridge = $name; Vid = $_.Vid; Pid = $_.Pid } }
        })
    if ($candidates.Count -eq 0) {
        return [pscustomobject]@{ Port = $null; Bridge = $null; Error = "no ESP32 board found on USB. Check the cable (a data cable, not a charge-only one), that the board is powered, and the USB serial driver (CP210x, CH340/CH9102 or FTDI; none is needed for ESP32-S3/C3 native USB). Then run again, or name the port with -Port." }
    }
    if ($candidates.Count -gt 1) {
        $list = ($candidates | ForEach-Object { "  $($_.Port)  $($_.Vid):$($_.Pid) $($_.Bridge)" }) -join "`n"
        return [pscustomobject]@{ Port = $null; Bridge = $null; Error = "several ESP32 boards are connected; choose one with -Port:`n$list" }
    }
    return [pscustomobject]@{ Port = $candidates[0].Port; Bridge = "$($candidates[0].Bridge) ($($candidates[0].Vid):$($candidates[0].Pid))"; Error = $null }
}

<#
.SYNOPSIS
  Why the port cannot be used now (another program holds it), or $null. Opening it is the test on
  Windows (a held COM port refuses); on Linux and macOS a port can be opened twice, so the
  processes that hold the device open are looked up as well.
#>
function Get-PortBusyReason {
    param([Parameter(Mandatory)][string]$Port)
    if (-not $IsWindows -and -not (Test-Path $Port)) { return "$Port does not exist" }
    if (-not $IsWindows) {
        $target = (Get-Item $Port).ResolvedTarget
        if (-not $target) { $target = $Port }
        if (-not [System.IO.Path]::IsPathRooted($target)) { $target = Join-Path (Split-Path -Parent $Port) $target }
        $target = [System.IO.Path]::GetFullPath($target)
        if ($IsLinux) {
            foreach ($proc in @(Get-ChildItem /proc -Directory -ErrorAction SilentlyContinue | Where-Object { $_.Name -match '^\d+$' -and $_.Name -ne "$PID" })) {
                $links = @(Get-ChildItem (Join-Path $proc.FullName 'fd') -ErrorAction SilentlyContinue | ForEach-Object { $_.LinkTarget })
                if ($links -notcontains $target) { continue }
                # A pseudo-terminal's provider (socat, a terminal) holds its master and its slave: not a competing reader.
                if ($target -like '/dev/pts/*' -and $links -contains '/dev/ptmx') { continue }
                $name = (Get-Content (Join-Path $proc.FullName 'comm') -ErrorAction SilentlyContinue)
                return "$Port is open in another program ($name, pid $($proc.Name)); close it (a serial monitor, an IDE) and run again"
            }
        }
    }
    $p = [System.IO.Ports.SerialPort]::new($Port, 115200)
    try { $p.Open(); return $null }
    catch [System.UnauthorizedAccessException] { return "$Port is in use by another program; close it (a serial monitor, an IDE) and run again" }
    catch { return "$Port cannot be opened: $($_.Exception.Message)" }
    finally { $p.Dispose() }
}

<# nanoff's path, or $null. #>
function Find-Nanoff {
    $c = Get-Command nanoff -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($c) { return $c.Source }
    return $null
}

<# The board profile object, or $null with the known names written. #>
function Get-BoardProfile {
    param([string]$Board)
    $path = Join-Path $script:Root "boards/$Board.json"
    if (-not $Board -or -not (Test-Path $path)) {
        $known = (Get-ChildItem (Join-Path $script:Root 'boards') -Filter *.json | ForEach-Object { $_.BaseName } | Sort-Object) -join ', '
        Write-Refusal "no board profile '$Board'. Known boards: $known."
        return $null
    }
    return Get-Content $path -Raw | ConvertFrom-Json
}

<#
.SYNOPSIS
  Checks a nanoCLR image against the board's target (the image names its target as a string and
  no other known target) and for the Warp.Native interop. Returns $null when it fits, else why not.
#>
function Test-FirmwareImage {
    param([string]$Image, [string]$Target, [string]$Board)
    if (-not $Image -or -not (Test-Path $Image)) { return "the nanoCLR image was not found: $Image. It is built by nanoFramework's firmware build for $Target with hal/Esp32/native (README, 'Flash a board')." }
    $targets = Get-Content (Join-Path $script:Root 'boards/nanoframework-esp32-targets.txt') | Where-Object { $_ -and -not $_.StartsWith('#') }
    if ($targets -notcontains $Target) { return "$Board names '$Target', which is not a nanoFramework ESP32 target." }
    $bytes = [System.IO.File]::ReadAllBytes((Resolve-Path $Image))
    $text = [System.Text.Encoding]::Latin1.GetString($bytes) # bytes above 0x7E stay outside the printable range (ASCII would make them '?')
    $strings = $text -split "[^\x20-\x7E]+" | Where-Object { $_.Length -ge 4 }
    $named = @($targets | Where-Object { $strings -contains $_ })
    if ($named -notcontains $Target) {
        $found = if ($named.Count -gt 0) { $named -join ', ' } else { 'no known target' }
        return "$Board needs an image for $Target, but $Image is for $found."
    }
    $others = @($named | Where-Object { $_ -ne $Target })
    if ($others.Count -gt 0) { return "$Image names $Target and also $($others -join ', '); it is not clearly built for $Board." }
    $identity = Get-Content (Join-Path $script:Root 'hal/Esp32/native/interop.json') -Raw | ConvertFrom-Json
    if ($strings -notcontains $identity.assembly) { return "$Image has no $($identity.assembly) interop (stock firmware?); the router needs an image with hal/Esp32/native built in." }
    return $null
}

<# How warp-router is run: a path to warp-router(.dll), else the desktop build, else warp-router on PATH. #>
function Get-WarpRouterCommand {
    param([string]$WarpRouter)
    if (-not $WarpRouter) { $WarpRouter = $env:WARP_ROUTER }
    if (-not $WarpRouter) {
        $built = Join-Path $script:Root 'firmware/Linux/bin/Release/net10.0/warp-router.dll'
        $WarpRouter = if (Test-Path $built) { $built } else { 'warp-router' }
    }
    if ($WarpRouter.EndsWith('.dll')) { return @{ File = 'dotnet'; Prefix = @($WarpRouter) } }
    return @{ File = $WarpRouter; Prefix = @() }
}

<# Checks a config with the firmware's parser (warp-router config check); $null when clean, else the errors with their lines. #>
function Test-RouterConfig {
    param([string]$Config, [hashtable]$Router)
    if (-not (Test-Path $Config)) { return "the config file was not found: $Config" }
    $r = Invoke-External -FilePath $Router.File -ArgumentList ($Router.Prefix + @('config', 'check', (Resolve-Path $Config).Path)) -ReadOnly
    $lines = @($r.Output)
    foreach ($l in $lines) { if ($l -match ': (warning: )?line \d+: ') { Write-Host "  $l" } }
    if ($r.ExitCode -eq 0 -and ($lines | Where-Object { $_ -like 'ok config*' })) { return $null }
    $errors = @($lines | Where-Object { $_ -match ': line \d+: ' -and $_ -notmatch ': warning: ' })
    if ($errors.Count -gt 0) { return "the config has errors: $($errors -join '; ')" }
    return "the config could not be checked: $($lines -join ' ')"
}

# ---------------------------------------------------------------------------- the device's console

function Open-DeviceConsole {
    param([string]$Port, [int]$Baud = 115200)
    $p = [System.IO.Ports.SerialPort]::new($Port, $Baud)
    $p.NewLine = "`n"
    $p.ReadTimeout = 250
    $p.WriteTimeout = 5000
    $p.Encoding = [System.Text.UTF8Encoding]::new($false)
    $p.Open()
    $p.DiscardInBuffer()
    return $p
}

<# Writes one line to the console; -Secret keeps it out of -Verbose. #>
function Send-ConsoleLine {
    param($Console, [string]$Line, [switch]$Secret, [int]$DelayMs = 5)
    if ($Secret) { Write-Verbose 'device <- (hidden)' } else { Write-Verbose "device <- $Line" }
    $Console.Write($Line + "`n")
    if ($DelayMs -gt 0) { Start-Sleep -Milliseconds $DelayMs }
}

<# Reads console lines until one matches -Until (a regex) or the timeout; returns the lines, or $null on a timeout. #>
function Receive-ConsoleAnswer {
    param($Console, [string]$Until = '^(ok|error)( |$)', [int]$TimeoutSeconds = 20)
    $lines = [System.Collections.Generic.List[string]]::new()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        try { $l = $Console.ReadLine().TrimEnd("`r") }
        catch [System.TimeoutException] { continue }
        Write-Verbose "device -> $l"
        $lines.Add($l)
        if ($l -match $Until) { return , $lines.ToArray() }
    }
    return $null
}

<# Waits until the console answers `status -m` (after a flash or a reboot). #>
function Wait-DeviceConsole {
    param($Console, [int]$TimeoutSeconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        Send-ConsoleLine $Console 'status -m'
        $a = Receive-ConsoleAnswer $Console -Until '^end records=' -TimeoutSeconds 3
        if ($a) { return , $a }
    }
    return $null
}

<# The CRC-32 (IEEE, as zlib) the console wants in `config end`: over each line followed by "\n". #>
function Get-TransferCrc {
    param([string[]]$Lines)
    $poly = [uint32]3988292384 # 0xEDB88320, the reflected IEEE polynomial (a hex literal would be a negative Int32)
    $table = [uint32[]]::new(256)
    for ($i = 0; $i -lt 256; $i++) {
        $c = [uint32]$i
        for ($k = 0; $k -lt 8; $k++) { if ($c -band 1) { $c = [uint32]($poly -bxor ($c -shr 1)) } else { $c = [uint32]($c -shr 1) } }
        $table[$i] = $c
    }
    $crc = [uint32]::MaxValue
    foreach ($line in $Lines) {
        foreach ($b in [System.Text.Encoding]::UTF8.GetBytes($line + "`n")) {
            $crc = [uint32]($table[($crc -bxor $b) -band 0xFF] -bxor ($crc -shr 8))
        }
    }
    return ('{0:X8}' -f [uint32]($crc -bxor [uint32]::MaxValue))
}

<# Sends the config file between `config begin` and `config end LINES CRC`; returns the answer's lines. #>
function Send-ConfigTransfer {
    param($Console, [string]$Config)
    $text = [System.IO.File]::ReadAllText((Resolve-Path $Config).Path)
    # Blank lines are not sent: the device's serial console skips empty lines (a CR LF ends one line),
    # so they would break the line count. They mean nothing to the parser.
    $lines = @($text -split "`n" | ForEach-Object { $_.TrimEnd("`r") } | Where-Object { $_.Trim() -ne '' })
    Send-ConsoleLine $Console 'config begin'
    $a = Receive-ConsoleAnswer $Console
    if (-not $a -or $a[-1] -notlike 'ok*') { return $a }
    foreach ($l in $lines) { Send-ConsoleLine $Console $l -Secret }
    Send-ConsoleLine $Console ("config end {0} {1}" -f $lines.Count, (Get-TransferCrc $lines))
    $answer = Receive-ConsoleAnswer $Console -TimeoutSeconds 30
    $lines = $null
    $text = $null
    return $answer
}

<# Runs a command whose next line is a password (wifi add, ap set); the password goes to the device only. #>
function Send-WithSecret {
    param($Console, [string]$Command, [securestring]$Secret)
    Send-ConsoleLine $Console $Command
    $plain = [System.Net.NetworkCredential]::new('', $Secret).Password
    try { Send-ConsoleLine $Console $plain -Secret }
    finally { $plain = $null }
    $answer = Receive-ConsoleAnswer $Console
    return $answer
}

# ---------------------------------------------------------------------------- registration

<# warp-router register into an owner-only directory; returns the config's path, or $null. #>
function Invoke-Registration {
    param([hashtable]$Router, [string]$Directory, [string]$Api)
    if (-not (Test-Path $Directory)) {
        if ($WhatIfPreference) { Write-Host "What if: create $Directory (owner-only)" }
        else {
            $null = New-Item -ItemType Directory -Path $Directory
            if (-not $IsWindows) { [System.IO.File]::SetUnixFileMode($Directory, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
        }
    }
    $stamp = [DateTime]::UtcNow.ToString('yyyyMMdd-HHmmss')
    $conf = Join-Path $Directory "warp-$stamp.conf"
    $registerArgs = $Router.Prefix + @('register', '--out', $conf)
    if ($Api) { $registerArgs += @('--api', $Api) }
    $r = Invoke-External -FilePath $Router.File -ArgumentList $registerArgs
    if ($r.Skipped) { return $conf }
    foreach ($l in $r.Output) { Write-Host "  $l" }
    if ($r.ExitCode -ne 0 -or -not (Test-Path $conf)) { return $null }
    return $conf
}

# ---------------------------------------------------------------------------- provisioning by file (USB cable alone)

# Where the router looks for flash.ps1's file: the ESP32's internal drive (firmware/ProvisionFile.cs, FileName).
$script:DeviceProvisionPath = 'I:\warp-provision.txt'

<# True when the board's console is on its USB connector (boards/*.json pins.consoleOnUsb); no supported board has it. #>
function Test-ConsoleOnUsb {
    param($BoardProfile)
    $pins = $BoardProfile.pins
    return [bool]($pins.PSObject.Properties.Name -contains 'consoleOnUsb' -and $pins.consoleOnUsb)
}

<# The router's LAN address from the config's [Router] LanAddress, else the firmware's default (192.168.42.1). #>
function Get-RouterAddress {
    param([string]$Config)
    if ($Config -and (Test-Path $Config)) {
        foreach ($l in Get-Content $Config) {
            if ($l -match '^\s*LanAddress\s*=\s*([0-9.]+)(/\d+)?\s*$') { return $Matches[1] }
        }
    }
    return '192.168.42.1'
}

<#
.SYNOPSIS
  The provisioning file's lines (firmware/ProvisionFile.cs): "warp-provision 1", wifi add + its
  password line, ap set + its password line, config begin / the config's lines / config end LINES
  CRC32, then "provision end LINES CRC32" over every line before it. Holds secrets: the caller
  writes it to an owner-only file and clears it.
#>
function New-ProvisionFileLines {
    param([string]$Config, [string]$Wifi, [securestring]$WifiPassword, [string]$ApSsid, [securestring]$ApPassword)
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add('warp-provision 1')
    if ($Wifi) {
        $lines.Add("wifi add $Wifi")
        $lines.Add([System.Net.NetworkCredential]::new('', $WifiPassword).Password)
    }
    if ($ApSsid) {
        $lines.Add("ap set $ApSsid")
        $lines.Add([System.Net.NetworkCredential]::new('', $ApPassword).Password)
    }
    $text = [System.IO.File]::ReadAllText((Resolve-Path $Config).Path)
    # As over the console: blank lines are left out (they mean nothing to the parser).
    $body = @($text -split "`n" | ForEach-Object { $_.TrimEnd("`r") } | Where-Object { $_.Trim() -ne '' })
    $lines.Add('config begin')
    foreach ($l in $body) { $lines.Add($l) }
    $lines.Add(("config end {0} {1}" -f $body.Count, (Get-TransferCrc $body)))
    $lines.Add(("provision end {0} {1}" -f $lines.Count, (Get-TransferCrc $lines.ToArray())))
    $text = $null; $body = $null
    return , $lines.ToArray()
}

<# A new directory under the temp folder that only this user can enter (0700 on Linux and macOS; the per-user %TEMP% on Windows). #>
function New-PrivateDirectory {
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ('warp-flash-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    if ($IsWindows) { $null = [System.IO.Directory]::CreateDirectory($path) }
    else { $null = [System.IO.Directory]::CreateDirectory($path, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
    return $path
}

<# Writes text to a new file created owner-only (0600) from its first byte, LF line ends, no BOM. #>
function Write-OwnerOnlyFile {
    param([string]$Path, [string]$Text)
    $o = [System.IO.FileStreamOptions]::new()
    $o.Mode = [System.IO.FileMode]::CreateNew
    $o.Access = [System.IO.FileAccess]::Write
    if (-not $IsWindows) { $o.UnixCreateMode = [System.IO.UnixFileMode]'UserRead, UserWrite' }
    $bytes = [System.Text.UTF8Encoding]::new($false).GetBytes($Text)
    try {
        $f = [System.IO.FileStream]::new($Path, $o)
        try { $f.Write($bytes, 0, $bytes.Length); $f.Flush($true) } finally { $f.Dispose() }
    }
    finally { [Array]::Clear($bytes, 0, $bytes.Length) }
}

<# Overwrites a file with zeros, then deletes it; then removes its directory when empty. Quiet when it is gone. #>
function Remove-Wiped {
    param([string]$Path)
    if (Test-Path -LiteralPath $Path) {
        try {
            $len = (Get-Item -LiteralPath $Path).Length
            $f = [System.IO.File]::Open($Path, 'Open', 'Write')
            try { $f.Write([byte[]]::new($len), 0, $len); $f.Flush($true) } finally { $f.Dispose() }
        }
        catch { Write-Verbose "could not overwrite $Path before removing it: $($_.Exception.Message)" }
        Remove-Item -LiteralPath $Path -Force
    }
}

<# nanoff's file-deployment JSON (README of nanoFirmwareFlasher, "Deploy file to device storage"): the port and the one file. #>
function New-FileDeploymentJson {
    param([string]$Port, [string]$Source)
    $doc = [ordered]@{
        serialport = $Port
        files      = @([ordered]@{ DestinationFilePath = $script:DeviceProvisionPath; SourceFilePath = $Source })
    }
    return ($doc | ConvertTo-Json -Depth 4)
}

<#
.SYNOPSIS
  Puts the provisioning file on the board's internal drive with nanoff's file deployment over the
  USB cable: the file and nanoff's JSON in an owner-only temp directory, one nanoff call through
  Invoke-External, both files overwritten and removed afterwards (also on failure). Returns $null
  when nanoff reported the file deployed, else why not. -WhatIf writes nothing and prints the lines.
#>
function Send-ProvisionFile {
    param([string]$Nanoff, [string]$Port, [string]$Config, [string]$Wifi, [securestring]$WifiPassword, [string]$ApSsid, [securestring]$ApPassword)
    if ($WhatIfPreference) {
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) 'warp-flash-XXXXXXXXXXXX'
        $file = Join-Path $dir 'warp-provision.txt'
        $json = Join-Path $dir 'deploy.json'
        $what = @('warp-provision 1')
        if ($Wifi) { $what += "wifi add $Wifi + its password line" }
        if ($ApSsid) { $what += "ap set $ApSsid + its password line" }
        $what += "config begin, the $(if ($Config) { Split-Path -Leaf $Config } else { 'registered config' })'s lines, config end LINES CRC32", 'provision end LINES CRC32'
        Write-Host "What if: write $file (owner-only, removed afterwards): $($what -join ', ')"
        Write-Host "What if: write $json (removed afterwards): $((New-FileDeploymentJson -Port $Port -Source $file) -replace '\s+', ' ')"
        $null = Invoke-External -FilePath $Nanoff -ArgumentList @('--filedeployment', $json)
        return $null
    }
    $dir = New-PrivateDirectory
    $file = Join-Path $dir 'warp-provision.txt'
    $json = Join-Path $dir 'deploy.json'
    $lines = $null
    try {
        $lines = New-ProvisionFileLines -Config $Config -Wifi $Wifi -WifiPassword $WifiPassword -ApSsid $ApSsid -ApPassword $ApPassword
        Write-OwnerOnlyFile -Path $file -Text (($lines -join "`n") + "`n")
        Write-Verbose "provisioning file: $($lines.Count) lines (not shown: it holds the private key and passwords)"
        $lines = $null
        Write-OwnerOnlyFile -Path $json -Text (New-FileDeploymentJson -Port $Port -Source $file)
        $r = Invoke-External -FilePath $Nanoff -ArgumentList @('--filedeployment', $json)
        foreach ($l in @($r.Output)) { Write-Verbose "nanoff: $l" }
        # nanoff reports a file it could not write on its output and still exits 0 (FileDeploymentManager).
        $failed = @($r.Output | Where-Object { $_ -match 'Error deploying|Exception deploying' })
        if ($r.ExitCode -ne 0) { return "nanoff --filedeployment failed ($($r.ExitCode)): $($r.Output -join ' ')" }
        if ($failed.Count -gt 0) { return "nanoff could not write the provisioning file to the board: $($failed -join ' ')" }
        return $null
    }
    finally {
        $lines = $null
        Remove-Wiped $file
        Remove-Wiped $json
        if (Test-Path -LiteralPath $dir) { Remove-Item -LiteralPath $dir -Recurse -Force }
    }
}

# ---------------------------------------------------------------------------- the whole flow

function Invoke-WarpFlash {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [string]$Board,
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
    $total = 5
    $activity = 'Flashing a Warp travel router'

    $boardProfile = Get-BoardProfile $Board
    if (-not $boardProfile) { return $script:ExitUsage }
    $target = $boardProfile.target
    if ([bool]$Config -eq [bool]$Register) {
        Write-Refusal 'give either -Config FILE (a wg-quick file) or -Register (a new WARP account).'
        return $script:ExitUsage
    }
    if ($ApSsid -and -not $ApPassword) { Write-Refusal '-ApSsid needs -ApPassword (a SecureString: -ApPassword (Read-Host -AsSecureString)).'; return $script:ExitUsage }
    if ($Wifi -and -not $WifiPassword) {
        if ([Environment]::UserInteractive -and -not $WhatIfPreference -and $Host.Name -eq 'ConsoleHost') {
            $WifiPassword = Read-Host "Password of the Wi-Fi network '$Wifi' (empty for an open network)" -AsSecureString
        }
        else { Write-Refusal '-Wifi needs -WifiPassword (a SecureString).'; return $script:ExitUsage }
    }
    $router = Get-WarpRouterCommand $WarpRouter
    # Without a console on the USB cable (every supported board: the cable carries nanoFramework's
    # wire protocol), the settings go as a file on the board's drive; -ConsolePort (a separate UART
    # adapter on the console pins) keeps the console path.
    $byFile = -not $ConsolePort -and -not (Test-ConsoleOnUsb $boardProfile)
    if ($byFile) { $total = 4 }
    if ($byFile -and $Wifi -and @($boardProfile.uplinks) -notcontains 'wifi') {
        Write-Refusal "$Board has no Wi-Fi uplink (its uplink is $(@($boardProfile.uplinks) -join ', ')); leave out -Wifi."
        return $script:ExitUsage
    }

    # Everything that can refuse is checked before the board is touched.
    if (-not $Image) { $Image = Join-Path $script:Root "build/images/$target/nanoCLR.bin" }
    if (-not $Application) { $Application = Join-Path $script:Root 'build/images/Warp.Router.Esp32.bin' }
    $why = Test-FirmwareImage -Image $Image -Target $target -Board $Board
    if ($why) { Write-Refusal $why; return $script:ExitRefused }
    Write-Step "$Image is a $target image with the Warp.Native interop"
    if ($Config) {
        $why = Test-RouterConfig -Config $Config -Router $router
        if ($why) { Write-Refusal $why; return $script:ExitRefused }
        Write-Step "$Config checks clean with the firmware's parser"
    }
    $nanoff = Find-Nanoff
    if (-not $nanoff) {
        $install = "dotnet tool install --global nanoff --version $($script:NanoffVersion)"
        if (-not $WhatIfPreference) {
            Write-Refusal "nanoff (nanoFramework's flasher) is not installed. Install it with: $install"
            return $script:ExitUsage
        }
        Write-Step "nanoff is not installed; it would be needed: $install"
        $nanoff = 'nanoff'
    }
    $selected = Select-BoardPort -Port $Port
    if ($selected.Error) { Write-Refusal $selected.Error; return $script:ExitRefused }
    $Port = $selected.Port
    if (-not $ConsolePort -and -not $byFile) { $ConsolePort = $Port }
    if ($byFile) { Write-Step "board on $Port ($($selected.Bridge)); its console is not on the USB cable, so the settings go as a file on its internal drive (nanoff --filedeployment)" }
    else { Write-Step "board on $Port ($($selected.Bridge)), console on $ConsolePort" }
    if (-not $WhatIfPreference) {
        foreach ($p in @($Port, $ConsolePort) | Where-Object { $_ } | Select-Object -Unique) {
            $busy = Get-PortBusyReason -Port $p
            if ($busy) { Write-Refusal $busy; return $script:ExitRefused }
        }
    }
    if ($Register) {
        if (-not $RegisterDirectory) { $RegisterDirectory = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.warp-router' }
        Write-Step 'registering a new WARP account (the key pair is made here)'
        $Config = Invoke-Registration -Router $router -Directory $RegisterDirectory -Api $RegisterApi
        if (-not $Config) { Write-Refusal 'the WARP registration failed (see above).'; return $script:ExitRefused }
        if (-not $WhatIfPreference) {
            $why = Test-RouterConfig -Config $Config -Router $router
            if ($why) { Write-Refusal $why; return $script:ExitRefused }
        }
    }

    # 1. nanoCLR, 2. the program
    Write-Progress -Activity $activity -Status "1/$total flashing nanoCLR for $target" -PercentComplete 0
    Write-Step "1/$total flashing nanoCLR for $target"
    $update = @('--update', '--target', $target, '--serialport', $Port, '--clrfile', $Image)
    if ($MassErase) { $update += '--masserase' }
    $r = Invoke-External -FilePath $nanoff -ArgumentList $update
    if ($r.ExitCode -ne 0) { Write-Step "error: nanoff --update failed ($($r.ExitCode)): $($r.Output -join ' ')"; return $script:ExitDevice }
    Write-Progress -Activity $activity -Status "2/$total deploying the router program" -PercentComplete 20
    Write-Step "2/$total deploying the router program"
    $r = Invoke-External -FilePath $nanoff -ArgumentList @('--target', $target, '--serialport', $Port, '--deploy', '--image', $Application)
    if ($r.ExitCode -ne 0) { Write-Step "error: nanoff --deploy failed ($($r.ExitCode)): $($r.Output -join ' ')"; return $script:ExitDevice }

    if ($byFile) { return (Invoke-FileProvisioning -Nanoff $nanoff -Port $Port -Config $Config -Wifi $Wifi -WifiPassword $WifiPassword -ApSsid $ApSsid -ApPassword $ApPassword -BoardProfile $boardProfile -BootWaitSeconds $BootWaitSeconds -Total $total -Activity $activity) }

    # 3. console, 4. provisioning, 5. status
    Write-Progress -Activity $activity -Status "3/$total waiting for the router's console" -PercentComplete 40
    Write-Step "3/$total waiting for the router's console on $ConsolePort"
    if ($WhatIfPreference) {
        Write-Host "What if: on $ConsolePort (115200 8N1): config begin, the $(if ($Config) { Split-Path -Leaf $Config } else { 'registered config' })'s lines, config end LINES CRC32$(if ($Wifi) { ", wifi add $Wifi + its password line" })$(if ($ApSsid) { ", ap set $ApSsid + its password line" }), status -m"
        Write-Progress -Activity $activity -Completed
        return 0
    }
    $console = Open-DeviceConsole $ConsolePort
    try {
        $status = Wait-DeviceConsole $console -TimeoutSeconds $ConsoleTimeoutSeconds
        if (-not $status) { Write-Step "error: no console answer on $ConsolePort within $ConsoleTimeoutSeconds s (check the console wiring: TX $($boardProfile.pins.consoleTx) / RX $($boardProfile.pins.consoleRx))"; return $script:ExitDevice }

        Write-Progress -Activity $activity -Status "4/$total provisioning" -PercentComplete 60
        Write-Step "4/$total provisioning"
        if ($Wifi) {
            $a = @(Send-WithSecret $console "wifi add $Wifi" $WifiPassword)
            if (-not $a -or $a[-1] -notlike 'ok*') { Write-Step "error: wifi add: $(if ($a) { $a[-1] } else { 'no answer' })"; return $script:ExitDevice }
            Write-Step "  uplink network $Wifi stored"
        }
        $a = @(Send-ConfigTransfer $console $Config)
        if (-not $a -or $a[-1] -notlike 'ok*') {
            foreach ($l in @($a)) { if ($l -match '^config: ') { Write-Host "  $l" } }
            Write-Step "error: the device refused the config: $(if ($a) { $a[-1] } else { 'no answer' })"
            return $script:ExitDevice
        }
        Write-Step "  config stored ($($a[-1]))"
        if (-not (Wait-DeviceConsole $console -TimeoutSeconds $ConsoleTimeoutSeconds)) { Write-Step 'error: the console did not come back after the config was applied'; return $script:ExitDevice }
        if ($ApSsid) {
            $a = @(Send-WithSecret $console "ap set $ApSsid" $ApPassword)
            if (-not $a -or $a[-1] -notlike 'ok*') { Write-Step "error: ap set: $(if ($a) { $a[-1] } else { 'no answer' })"; return $script:ExitDevice }
            Write-Step "  household network $ApSsid stored"
        }

        Write-Progress -Activity $activity -Status "5/$total reading the status" -PercentComplete 80
        Write-Step "5/$total reading the status"
        $status = Wait-DeviceConsole $console -TimeoutSeconds $ConsoleTimeoutSeconds
        if (-not $status) { Write-Step 'error: no status answer'; return $script:ExitDevice }
        $record = $status | Where-Object { $_ -like 'status *' } | Select-Object -First 1
        $fields = @{}
        if ($record) { foreach ($kv in $record.Split(' ') | Select-Object -Skip 1) { $i = $kv.IndexOf('='); if ($i -gt 0) { $fields[$kv.Substring(0, $i)] = [uri]::UnescapeDataString($kv.Substring($i + 1)) } } }
        $tunnel = if ($fields.ContainsKey('tunnel')) { $fields['tunnel'] } else { 'not running' }
        $endpoint = if ($fields.ContainsKey('endpoint')) { $fields['endpoint'] } else { '' }
        Write-Step "done: tunnel $tunnel, endpoint $endpoint"
        $ap = if ($ApSsid) { $ApSsid } else { 'the router''s Wi-Fi (warp-setup-XXXX until you set one with -ApSsid)' }
        Write-Host "next: join the Wi-Fi network $ap. The light: fast blinking = starting, slow blinking = no hotel network yet, double blink = connecting, steady on = the tunnel is up, off with a short flash = error (see the console)."
        Write-Progress -Activity $activity -Completed
        return 0
    }
    finally { $console.Dispose() }
}

<# Steps 3 and 4 without a console: the file through nanoff, then what the person does next. #>
function Invoke-FileProvisioning {
    param([string]$Nanoff, [string]$Port, [string]$Config, [string]$Wifi, [securestring]$WifiPassword, [string]$ApSsid, [securestring]$ApPassword,
        $BoardProfile, [int]$BootWaitSeconds, [int]$Total, [string]$Activity)
    Write-Progress -Activity $Activity -Status "3/$Total putting the settings on the board's drive" -PercentComplete 50
    Write-Step "3/$Total putting the settings on the board's drive ($($script:DeviceProvisionPath)) with nanoff --filedeployment"
    if (-not $WhatIfPreference -and $BootWaitSeconds -gt 0) { Start-Sleep -Seconds $BootWaitSeconds } # the program's first start (a new SoftAP reboots once)
    $why = Send-ProvisionFile -Nanoff $Nanoff -Port $Port -Config $Config -Wifi $Wifi -WifiPassword $WifiPassword -ApSsid $ApSsid -ApPassword $ApPassword
    if ($why) { Write-Step "error: $why"; return $script:ExitDevice }
    Write-Progress -Activity $Activity -Status "4/$Total done" -PercentComplete 90
    Write-Step "4/$Total the router reads the file within a few seconds, applies it only when it is clean (then restarts), and overwrites and removes it either way"
    $ap = if ($ApSsid) { $ApSsid } else { 'the router''s Wi-Fi (warp-setup-XXXX until you set one with -ApSsid)' }
    $address = Get-RouterAddress $Config
    Write-Host "next: join the Wi-Fi network $ap, then open http://$address/ for the router's page. The light: fast blinking = starting, slow blinking = no hotel network yet, double blink = connecting, steady on = the tunnel is up, off with a short flash = error. Off with a short flash for 10 s within a minute of this = the file was refused and nothing was stored: the console's 'provision' command (a UART adapter on TX $($BoardProfile.pins.consoleTx) / RX $($BoardProfile.pins.consoleRx)) names the line; fix it and run this again."
    Write-Progress -Activity $Activity -Completed
    return 0
}

Export-ModuleMember -Function Invoke-WarpFlash, Invoke-External, Invoke-ExternalProcess, Get-UsbSerialDevice, Select-BoardPort, Get-BridgeName, Get-PortBusyReason, Find-Nanoff, Get-BoardProfile, Test-FirmwareImage, Test-RouterConfig, Get-TransferCrc, Get-WarpRouterCommand, Open-DeviceConsole, Send-ConfigTransfer, Wait-DeviceConsole, Test-ConsoleOnUsb, Get-RouterAddress, New-ProvisionFileLines, New-FileDeploymentJson, Send-ProvisionFile, Invoke-FileProvisioning
