# Pester tests of flash.ps1 (tools/flash/WarpFlash.psm1). Run by build/pester.sh (build/test.sh).
# The flash steps (nanoff) are stubbed at the one external-command function, Invoke-External, or
# by a fake nanoff on PATH that leaves a mark when run; the device's console is real: the Linux
# host (warp-router run --serial) on one end of a socat pseudo-terminal pair, reached with
# -ConsolePort (a UART adapter on the console pins; without it flash.ps1 provisions by file:
# FlashFile.Tests.ps1).

BeforeAll {
    $script:Repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $Repo 'tools/flash/WarpFlash.psm1') -Force
    $script:RouterDll = Join-Path $Repo 'firmware/Linux/bin/Release/net10.0/warp-router.dll'
    $script:Flash = Join-Path $Repo 'flash.ps1'
    $script:Double = Join-Path $Repo 'tests/Pester/warp_api_double.py'
    $script:Python = '/usr/bin/python3'

    function script:New-Image([string]$Path, [string[]]$Strings) {
        $bytes = [System.Collections.Generic.List[byte]]::new()
        $bytes.AddRange([byte[]](0xE9, 0x03, 0x02, 0x20))
        foreach ($s in $Strings) { $bytes.AddRange([System.Text.Encoding]::ASCII.GetBytes($s)); $bytes.Add(0); $bytes.AddRange([byte[]](0x11, 0x8F)) }
        [System.IO.File]::WriteAllBytes($Path, $bytes.ToArray())
        return $Path
    }

    function script:New-Key {
        $k = [byte[]]::new(32)
        [System.Security.Cryptography.RandomNumberGenerator]::Fill($k)
        $k[0] = $k[0] -band 248; $k[31] = ($k[31] -band 127) -bor 64
        return [Convert]::ToBase64String($k)
    }

    function script:Get-PublicKey([string]$Private) {
        return ($Private | & wg pubkey).Trim()
    }

    function script:New-Config([string]$Path, [string]$Endpoint = '192.0.2.7:2408', [string]$ClientId = 'AQID') {
        $script:ConfigKey = New-Key
        $peer = Get-PublicKey (New-Key)
        @('# a test router', '[Interface]', "PrivateKey = $script:ConfigKey", 'Address = 172.16.0.2/32', 'MTU = 1280', '',
            '[Peer]', "PublicKey = $peer", "Endpoint = $Endpoint", "ClientId = $ClientId", '', '[Router]', 'LanAddress = 10.97.0.1/24') -join "`n" |
            Set-Content -Path $Path -NoNewline
        Add-Content -Path $Path -Value ''
        return $Path
    }

    # A fake nanoff on PATH: it records that it ran. A refusal or -WhatIf must leave no mark.
    $script:FakeBin = Join-Path $TestDrive 'bin'
    $null = New-Item -ItemType Directory -Path $FakeBin -Force
    $script:NanoffMark = Join-Path $TestDrive 'nanoff-ran'
    Set-Content -Path (Join-Path $FakeBin 'nanoff') -Value "#!/bin/sh`necho `"`$@`" >> '$NanoffMark'`n"
    & chmod +x (Join-Path $FakeBin 'nanoff')
    $script:OldPath = $env:PATH
    $env:PATH = "$FakeBin$([System.IO.Path]::PathSeparator)$env:PATH"

    $script:Images = @{}
    foreach ($f in Get-ChildItem (Join-Path $Repo 'boards') -Filter *.json) {
        $t = (Get-Content $f.FullName -Raw | ConvertFrom-Json).target
        $Images[$f.BaseName] = New-Image (Join-Path $TestDrive "$($f.BaseName).bin") @('nanoCLR', $t, 'Warp.Native', 'mscorlib')
    }
    $script:App = Join-Path $TestDrive 'Warp.Router.Esp32.bin'
    Set-Content -Path $App -Value 'program'
    $script:GoodConfig = New-Config (Join-Path $TestDrive 'good.conf')
}

AfterAll {
    $env:PATH = $script:OldPath
}

Describe 'port detection from the USB device list' {
    It 'recognises <Name> by <Vid>:<ProductId>' -TestCases @(
        @{ Name = 'CP210x'; Vid = '10C4'; ProductId = 'EA60' }
        @{ Name = 'CH340'; Vid = '1A86'; ProductId = '7523' }
        @{ Name = 'CH9102'; Vid = '1A86'; ProductId = '55D4' }
        @{ Name = 'FTDI FT232R'; Vid = '0403'; ProductId = '6001' }
        @{ Name = 'FTDI FT231X'; Vid = '0403'; ProductId = '6015' }
        @{ Name = 'ESP32-S3/C3 native USB'; Vid = '303A'; ProductId = '1001' }
    ) {
        $script:devices = @(
            [pscustomobject]@{ Port = '/dev/ttyACM3'; Vid = '2341'; Pid = '0043'; Description = 'an Arduino Uno' }
            [pscustomobject]@{ Port = '/dev/ttyUSB1'; Vid = $Vid.ToLowerInvariant(); Pid = $ProductId; Description = $Name }
        )
        Mock Get-UsbSerialDevice -ModuleName WarpFlash { $script:devices }
        $r = Select-BoardPort
        $r.Error | Should -BeNullOrEmpty
        $r.Port | Should -Be '/dev/ttyUSB1'
        $r.Bridge | Should -Match "$Vid`:$ProductId"
    }

    It 'lists several boards and asks for -Port' {
        Mock Get-UsbSerialDevice -ModuleName WarpFlash {
            [pscustomobject]@{ Port = 'COM5'; Vid = '10C4'; Pid = 'EA60'; Description = 'a' }
            [pscustomobject]@{ Port = 'COM9'; Vid = '303A'; Pid = '1001'; Description = 'b' }
        }
        $r = Select-BoardPort
        $r.Port | Should -BeNullOrEmpty
        $r.Error | Should -Match 'several ESP32 boards'
        $r.Error | Should -Match '-Port'
        $r.Error | Should -Match 'COM5  10C4:EA60 Silicon Labs CP210x'
        $r.Error | Should -Match 'COM9  303A:1001'
    }

    It 'with none says what to check (cable, driver)' {
        Mock Get-UsbSerialDevice -ModuleName WarpFlash { [pscustomobject]@{ Port = '/dev/ttyACM0'; Vid = '2341'; Pid = '0043'; Description = 'an Arduino' } }
        $r = Select-BoardPort
        $r.Port | Should -BeNullOrEmpty
        $r.Error | Should -Match 'no ESP32 board found'
        $r.Error | Should -Match 'cable'
        $r.Error | Should -Match 'driver'
    }

    It 'takes -Port as given without looking' {
        Mock Get-UsbSerialDevice -ModuleName WarpFlash { throw 'must not be called' }
        (Select-BoardPort -Port 'COM7').Port | Should -Be 'COM7'
        Should -Invoke Get-UsbSerialDevice -ModuleName WarpFlash -Times 0
    }
}

Describe '-WhatIf prints the exact commands per board and changes nothing' {
    It 'for <Board>' -TestCases @(
        @{ Board = 'esp32-devkitc'; Target = 'ESP32_REV3' }
        @{ Board = 'esp32-wrover'; Target = 'ESP32_PSRAM_REV3_IPV6' }
        @{ Board = 'esp32-s3'; Target = 'ESP32_S3_QUAD' }
        @{ Board = 'esp32-c3'; Target = 'ESP32_C3' }
        @{ Board = 'wt32-eth01'; Target = 'ESP32_WT32_ETH01' }
    ) {
        Remove-Item $NanoffMark -ErrorAction SilentlyContinue
        Mock Get-UsbSerialDevice -ModuleName WarpFlash { [pscustomobject]@{ Port = '/dev/ttyUSB4'; Vid = '10C4'; Pid = 'EA60'; Description = 'CP2102N' } }
        $img = $Images[$Board]
        $out = & $Flash -Board $Board -Config $GoodConfig -Image $img -Application $App -WarpRouter $RouterDll -ApSsid 'Warp Home' `
            -ApPassword (ConvertTo-SecureString 'household-pw-1' -AsPlainText -Force) -WhatIf *>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        $nanoff = Join-Path $FakeBin 'nanoff'
        $out | Should -Match ([regex]::Escape("What if: dotnet $RouterDll config check $GoodConfig"))
        $out | Should -Match ([regex]::Escape("What if: $nanoff --update --target $Target --serialport /dev/ttyUSB4 --clrfile $img"))
        $out | Should -Match ([regex]::Escape("What if: $nanoff --target $Target --serialport /dev/ttyUSB4 --deploy --image $App"))
        $out | Should -Match 'ap set Warp Home \+ its password line'
        $out | Should -Not -Match 'household-pw-1'
        $NanoffMark | Should -Not -Exist
    }

    It 'prints the nanoff install command with its pinned version when nanoff is missing' {
        Mock Find-Nanoff -ModuleName WarpFlash { $null }
        $out = & $Flash -Board esp32-devkitc -Port /dev/ttyUSB0 -Config $GoodConfig -Image $Images['esp32-devkitc'] -WarpRouter $RouterDll *>&1 | Out-String
        $LASTEXITCODE | Should -Be 2
        $out | Should -Match 'dotnet tool install --global nanoff --version \d+\.\d+\.\d+'
        $out | Should -Match 'Nothing was changed'
    }
}

Describe 'refusals change nothing on the board' {
    BeforeEach { Remove-Item $NanoffMark -ErrorAction SilentlyContinue }

    It 'a config with errors, by line, from the firmware''s parser' {
        $bad = Join-Path $TestDrive 'bad.conf'
        (Get-Content $GoodConfig) -replace '^Address = .*', 'Address = 300.1.1.1/32' -replace '^PublicKey = .*', 'PublicKey = nope' | Set-Content $bad
        $out = & $Flash -Board esp32-devkitc -Port /dev/ttyUSB0 -Config $bad -Image $Images['esp32-devkitc'] -Application $App -WarpRouter $RouterDll *>&1 | Out-String
        $LASTEXITCODE | Should -Be 3
        $out | Should -Match 'line 4: Address'
        $out | Should -Match 'line 8: PublicKey'
        $out | Should -Match 'refused: the config has errors'
        $NanoffMark | Should -Not -Exist
    }

    It 'an unknown board, listing the known ones' {
        $out = & $Flash -Board esp32-nope -Port /dev/ttyUSB0 -Config $GoodConfig *>&1 | Out-String
        $LASTEXITCODE | Should -Be 2
        $out | Should -Match "no board profile 'esp32-nope'"
        $out | Should -Match 'esp32-c3, esp32-devkitc, esp32-s3, esp32-wrover, wt32-eth01'
        $NanoffMark | Should -Not -Exist
    }

    It 'an image built for another target' {
        $out = & $Flash -Board esp32-devkitc -Port /dev/ttyUSB0 -Config $GoodConfig -Image $Images['esp32-s3'] -Application $App -WarpRouter $RouterDll *>&1 | Out-String
        $LASTEXITCODE | Should -Be 3
        $out | Should -Match 'esp32-devkitc needs an image for ESP32_REV3, but .* is for ESP32_S3_QUAD'
        $NanoffMark | Should -Not -Exist
    }

    It 'a stock image without our interop' {
        $stock = New-Image (Join-Path $TestDrive 'stock.bin') @('nanoCLR', 'ESP32_REV3', 'mscorlib')
        $out = & $Flash -Board esp32-devkitc -Port /dev/ttyUSB0 -Config $GoodConfig -Image $stock -Application $App -WarpRouter $RouterDll *>&1 | Out-String
        $LASTEXITCODE | Should -Be 3
        $out | Should -Match 'no Warp.Native interop'
        $NanoffMark | Should -Not -Exist
    }

    It 'a port another program holds open' -Skip:(-not $IsLinux -or -not (Get-Command socat -ErrorAction SilentlyContinue)) {
        $a = Join-Path $TestDrive 'busyA'; $b = Join-Path $TestDrive 'busyB'
        $socat = Start-Process socat -ArgumentList "pty,raw,echo=0,link=$a", "pty,raw,echo=0,link=$b" -PassThru
        try {
            for ($i = 0; $i -lt 50 -and -not (Test-Path $a); $i++) { Start-Sleep -Milliseconds 100 }
            $psi = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
            foreach ($x in @('-c', "exec sleep 60 < '$a'")) { $psi.ArgumentList.Add($x) }
            $holder = [System.Diagnostics.Process]::Start($psi)
            Start-Sleep -Milliseconds 300
            $out = & $Flash -Board esp32-devkitc -Port $a -Config $GoodConfig -Image $Images['esp32-devkitc'] -Application $App -WarpRouter $RouterDll *>&1 | Out-String
            $LASTEXITCODE | Should -Be 3
            $out | Should -Match "is open in another program \(sleep, pid $($holder.Id)\)"
            $NanoffMark | Should -Not -Exist
        }
        finally {
            if ($holder) { Stop-Process -Id $holder.Id -ErrorAction SilentlyContinue }
            Stop-Process -Id $socat.Id -ErrorAction SilentlyContinue
        }
    }

    It 'neither -Config nor -Register' {
        $out = & $Flash -Board esp32-devkitc -Port /dev/ttyUSB0 *>&1 | Out-String
        $LASTEXITCODE | Should -Be 2
        $out | Should -Match 'either -Config FILE .* or -Register'
    }
}

Describe 'the console transfer''s CRC' {
    It 'is zlib''s CRC-32 over each line and a newline, as the firmware checks it' {
        $lines = @('[Interface]', 'Address = 10.0.0.1/32')
        $zlib = & $Python -c "import zlib,sys; print('%08X' % zlib.crc32(''.join(l + '\n' for l in sys.argv[1:]).encode()))" @lines
        Get-TransferCrc $lines | Should -Be $zlib.Trim()
        Get-TransferCrc $lines | Should -Be '8136728C'
    }
}

Describe 'registration against a double of the WARP API' {
    BeforeAll {
        function script:Start-Double([string]$Mode) {
            $record = Join-Path $TestDrive "record-$Mode.json"
            $psi = [System.Diagnostics.ProcessStartInfo]::new($Python)
            foreach ($a in @($Double, $Mode, $record)) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            $p = [System.Diagnostics.Process]::Start($psi)
            $port = $p.StandardOutput.ReadLine()
            return [pscustomobject]@{ Process = $p; Url = "http://127.0.0.1:$port/v0a1922/reg"; Record = $record }
        }
    }

    It 'writes an owner-only config that checks clean, with the key pair made here' {
        $d = Start-Double ok
        try {
            $dir = Join-Path $TestDrive 'reg-ok'
            $conf = InModuleScope WarpFlash -Parameters @{ Dll = $RouterDll; Dir = $dir; Api = $d.Url } {
                param($Dll, $Dir, $Api)
                Invoke-Registration -Router (Get-WarpRouterCommand $Dll) -Directory $Dir -Api $Api
            }
            $conf | Should -Exist
            Test-RouterConfig -Config $conf -Router (Get-WarpRouterCommand $RouterDll) | Should -BeNullOrEmpty
            $text = Get-Content $conf -Raw
            $text | Should -Match 'MTU = 1280'
            $text | Should -Match 'ClientId = 2ZzT'
            $text | Should -Match 'Endpoint = 162\.159\.192\.1:2408'
            $text | Should -Match 'Endpoint = \[2606:4700:d0::a29f:c001\]:2408'
            $sent = (Get-Content $d.Record -Raw | ConvertFrom-Json)
            $sent.headers.'cf-client-version' | Should -Not -BeNullOrEmpty
            $body = $sent.body | ConvertFrom-Json
            $private = ($text -split "`n" | Where-Object { $_ -like 'PrivateKey = *' }).Substring(13)
            Get-PublicKey $private | Should -Be $body.key
            $sent.body | Should -Not -Match ([regex]::Escape($private))
            if (-not $IsWindows) {
                [System.IO.File]::GetUnixFileMode($conf) | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
                [System.IO.File]::GetUnixFileMode("$conf.account") | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
                [System.IO.File]::GetUnixFileMode($dir) | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
            }
        }
        finally { $d.Process.Kill(); $d.Process.Dispose() }
    }

    It 'refuses a bad answer (<Mode>) and writes nothing' -TestCases @(
        @{ Mode = 'http500'; Says = 'HTTP 500' }
        @{ Mode = 'missing'; Says = 'missing field config.peers' }
        @{ Mode = 'badbase64'; Says = 'not base64' }
        @{ Mode = 'clientid'; Says = 'a client id is 3' }
    ) {
        Mock Get-PortBusyReason -ModuleName WarpFlash { $null }
        $d = Start-Double $Mode
        try {
            $dir = Join-Path $TestDrive "reg-$Mode"
            $out = & $Flash -Board esp32-devkitc -Port /dev/ttyUSB0 -Register -RegisterApi $d.Url -RegisterDirectory $dir `
                -Image $Images['esp32-devkitc'] -Application $App -WarpRouter $RouterDll *>&1 | Out-String
            $LASTEXITCODE | Should -Be 3
            $out | Should -Match ([regex]::Escape($Says))
            $out | Should -Match 'the WARP registration failed'
            @(Get-ChildItem $dir).Count | Should -Be 0
            $NanoffMark | Should -Not -Exist
        }
        finally { $d.Process.Kill(); $d.Process.Dispose() }
    }
}

Describe 'the whole provisioning flow against the Linux host over a pty' -Skip:(-not $IsLinux -or (& id -u) -ne '0' -or -not (Get-Command socat -ErrorAction SilentlyContinue)) {
    BeforeAll {
        # The lab's machine-wide lock (tests/Lab/LabRequirements): namespaces are shared machine-wide.
        $script:LabLock = $null
        # .NET takes an exclusive flock for FileShare.None; it fails while another holds the lock.
        for ($i = 0; $i -lt 1800 -and -not $script:LabLock; $i++) {
            try { $script:LabLock = [System.IO.File]::Open('/tmp/warp-lab-tests.lock', 'OpenOrCreate', 'ReadWrite', 'None') }
            catch { Start-Sleep -Seconds 1 }
        }
        if (-not $script:LabLock) { throw 'the lab lock /tmp/warp-lab-tests.lock was not free within 30 minutes' }
        $script:Ns = 'warp-pester'
        & ip netns del $Ns 2>$null
        & ip netns add $Ns
        & ip -n $Ns link set lo up
        $script:Dev = Join-Path $TestDrive 'ttyDevice'
        $script:Tty = Join-Path $TestDrive 'ttyHost'
        $script:State = Join-Path $TestDrive 'state'
        $script:Sock = Join-Path $TestDrive 'c.sock'
        $script:Socat = Start-Process socat -ArgumentList "pty,raw,echo=0,link=$Dev", "pty,raw,echo=0,link=$Tty" -PassThru
        for ($i = 0; $i -lt 50 -and -not ((Test-Path $Dev) -and (Test-Path $Tty)); $i++) { Start-Sleep -Milliseconds 100 }
        $script:RouterLog = Join-Path $TestDrive 'router.log'
        $script:Router = Start-Process ip -ArgumentList 'netns', 'exec', $Ns, 'dotnet', $RouterDll, 'run', '--serial', $Dev, '--tap', 'wpester0',
            '--state', $State, '--control', $Sock, '--no-console' -RedirectStandardOutput $RouterLog -RedirectStandardError "$RouterLog.err" -PassThru
        for ($i = 0; $i -lt 100 -and -not (Test-Path $Sock); $i++) { Start-Sleep -Milliseconds 100 }

        function script:Get-HostStatus {
            $text = (& dotnet $RouterDll status -m --control $Sock) -join "`n"
            $line = ($text -split "`n" | Where-Object { $_ -like 'status *' } | Select-Object -First 1)
            $f = @{}
            if ($line) { foreach ($kv in $line.Split(' ') | Select-Object -Skip 1) { $k, $v = $kv.Split('=', 2); $f[$k] = [uri]::UnescapeDataString($v) } }
            return $f
        }
    }

    AfterAll {
        if ($script:Router) { & kill -TERM $script:Router.Id 2>$null; Start-Sleep -Milliseconds 500; Stop-Process -Id $script:Router.Id -ErrorAction SilentlyContinue }
        if ($script:Socat) { Stop-Process -Id $script:Socat.Id -ErrorAction SilentlyContinue }
        & ip netns del $Ns 2>$null
        if ($script:LabLock) { $script:LabLock.Dispose() }
    }

    It 'starts in setup mode: the control socket answers, no router yet' {
        $Sock | Should -Exist
        (& dotnet $RouterDll status -m --control $Sock) -join "`n" | Should -Match 'error command=status reason=no_router'
    }

    It 'flashes (stubbed), provisions Wi-Fi, the config and the AP over the console, and status on the host reflects the config' {
        Mock Find-Nanoff -ModuleName WarpFlash { '/opt/stub/nanoff' }
        Mock Invoke-External -ModuleName WarpFlash { Invoke-ExternalProcess -FilePath $FilePath -ArgumentList $ArgumentList }
        Mock Invoke-External -ModuleName WarpFlash -ParameterFilter { $FilePath -eq '/opt/stub/nanoff' } { [pscustomobject]@{ ExitCode = 0; Output = @('stub'); Skipped = $false } }
        $conf = New-Config (Join-Path $TestDrive 'flow.conf') -Endpoint '192.0.2.44:2408' -ClientId '1,2,3'
        $transcript = Join-Path $TestDrive 'transcript.txt'
        Start-Transcript -Path $transcript | Out-Null
        try {
            $out = & $Flash -Board esp32-devkitc -Port $Tty -ConsolePort $Tty -Config $conf -Image $Images['esp32-devkitc'] -Application $App -WarpRouter $RouterDll `
                -ApSsid 'Warp Home' -ApPassword (ConvertTo-SecureString 'household-pw-1' -AsPlainText -Force) `
                -Wifi 'Hotel Guest' -WifiPassword (ConvertTo-SecureString 'hotel-secret-pw' -AsPlainText -Force) -ConsoleTimeoutSeconds 30 -Verbose *>&1 | Out-String
        }
        finally { Stop-Transcript | Out-Null }
        $LASTEXITCODE | Should -Be 0 -Because $out
        Should -Invoke Invoke-External -ModuleName WarpFlash -ParameterFilter { $FilePath -eq '/opt/stub/nanoff' -and ($ArgumentList -join ' ') -eq "--update --target ESP32_REV3 --serialport $Tty --clrfile $($Images['esp32-devkitc'])" } -Times 1 -Exactly
        Should -Invoke Invoke-External -ModuleName WarpFlash -ParameterFilter { $FilePath -eq '/opt/stub/nanoff' -and ($ArgumentList -join ' ') -eq "--target ESP32_REV3 --serialport $Tty --deploy --image $App" } -Times 1 -Exactly
        $out | Should -Match '5/5 reading the status'
        $out | Should -Match 'done: tunnel handshaking, endpoint 192\.0\.2\.44:2408'
        $out | Should -Match 'next: join the Wi-Fi network Warp Home'

        $s = Get-HostStatus
        $s['endpoint'] | Should -Be '192.0.2.44:2408'
        $s['client_id'] | Should -Be ((1 -shl 16) + (2 -shl 8) + 3)
        $s['tunnel'] | Should -Be 'handshaking'
        # The lines as sent: blank ones are left out (the device's console skips empty lines).
        (Get-Content (Join-Path $State 'config') -Raw) | Should -Be ((@(Get-Content $conf | Where-Object { $_.Trim() -ne '' }) -join "`n") + "`n")
        (Get-Content (Join-Path $State 'wifi-networks') -Raw) | Should -Be "Hotel Guest`thotel-secret-pw`n"
        (Get-Content (Join-Path $State 'softap') -Raw) | Should -Be "Warp Home`nhousehold-pw-1`n6"

        # No secret on the transcript, in the output or the host's logs (-Verbose showed the console).
        $all = $out + (Get-Content $transcript -Raw) + (Get-Content $RouterLog -Raw) + (Get-Content "$RouterLog.err" -Raw)
        foreach ($secret in @($script:ConfigKey, 'hotel-secret-pw', 'household-pw-1')) { $all | Should -Not -Match ([regex]::Escape($secret)) }
        $out | Should -Match 'device -> ok config stored lines=11'
    }

    It 'registers against the double, provisions the registered config, and status shows WARP''s endpoint and client id' {
        Mock Find-Nanoff -ModuleName WarpFlash { '/opt/stub/nanoff' }
        Mock Invoke-External -ModuleName WarpFlash { Invoke-ExternalProcess -FilePath $FilePath -ArgumentList $ArgumentList }
        Mock Invoke-External -ModuleName WarpFlash -ParameterFilter { $FilePath -eq '/opt/stub/nanoff' } { [pscustomobject]@{ ExitCode = 0; Output = @(); Skipped = $false } }
        $record = Join-Path $TestDrive 'flow-record.json'
        $psi = [System.Diagnostics.ProcessStartInfo]::new($Python)
        foreach ($a in @($Double, 'ok', $record)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $api = [System.Diagnostics.Process]::Start($psi)
        try {
            $url = "http://127.0.0.1:$($api.StandardOutput.ReadLine())/v0a1922/reg"
            $out = & $Flash -Board esp32-s3 -Port $Tty -ConsolePort $Tty -Register -RegisterApi $url -RegisterDirectory (Join-Path $TestDrive 'acct') `
                -Image $Images['esp32-s3'] -Application $App -WarpRouter $RouterDll -ConsoleTimeoutSeconds 30 *>&1 | Out-String
            $LASTEXITCODE | Should -Be 0 -Because $out
            $s = Get-HostStatus
            $s['endpoint'] | Should -BeIn @('162.159.192.1:2408', '[2606:4700:d0::a29f:c001]:2408')
            $s['client_id'] | Should -Be ((0xD9 -shl 16) + (0x9C -shl 8) + 0xD3)
        }
        finally { $api.Kill(); $api.Dispose() }
    }

    It 'refuses a garbled transfer on the device side and keeps the stored config' {
        $before = Get-Content (Join-Path $State 'config') -Raw
        $c = Open-DeviceConsole $Tty
        try {
            $c.Write("config begin`n"); Start-Sleep -Milliseconds 100
            $c.Write("[Interface]`nAddress = 10.1.1.1/32`nconfig end 2 00000000`n")
            $lines = @()
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ([DateTime]::UtcNow -lt $deadline -and -not ($lines | Where-Object { $_ -like 'error config*' })) {
                try { $lines += $c.ReadLine().TrimEnd("`r") } catch [System.TimeoutException] { }
            }
        }
        finally { $c.Dispose() }
        ($lines -join "`n") | Should -Match 'error config reason=crc'
        Get-Content (Join-Path $State 'config') -Raw | Should -Be $before
    }
}
