# Pester tests of flash.ps1's provisioning by file (tools/flash/WarpFlash.psm1, Send-ProvisionFile):
# over the USB cable alone, the settings go to the board's internal drive with nanoff's file
# deployment. nanoff is tests/Pester/fake_nanoff.py, which reads the deployment JSON as nanoff does
# and writes "I:\NAME" into a directory: the Linux host's --drop-dir, where the real importer
# (firmware/ProvisionFile.cs) takes it.

BeforeAll {
    $script:Repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $Repo 'tools/flash/WarpFlash.psm1') -Force
    $script:RouterDll = Join-Path $Repo 'firmware/Linux/bin/Release/net10.0/warp-router.dll'
    $script:Flash = Join-Path $Repo 'flash.ps1'
    $script:FakeNanoff = Join-Path $Repo 'tests/Pester/fake_nanoff.py'
    $script:Python = '/usr/bin/python3'

    function script:New-Image([string]$Path, [string[]]$Strings) {
        $bytes = [System.Collections.Generic.List[byte]]::new()
        $bytes.AddRange([byte[]](0xE9, 0x03, 0x02, 0x20))
        foreach ($s in $Strings) { $bytes.AddRange([System.Text.Encoding]::ASCII.GetBytes($s)); $bytes.Add(0) }
        [System.IO.File]::WriteAllBytes($Path, $bytes.ToArray())
        return $Path
    }

    function script:New-Config([string]$Path, [string]$Endpoint = '192.0.2.7:2408', [string]$ClientId = 'AQID', [string]$Address = '172.16.0.2/32') {
        $script:ConfigKey = (& wg genkey).Trim()
        $peer = ((& wg genkey) | & wg pubkey).Trim()
        @('# a test router', '[Interface]', "PrivateKey = $script:ConfigKey", "Address = $Address", 'MTU = 1280', '',
            '[Peer]', "PublicKey = $peer", "Endpoint = $Endpoint", "ClientId = $ClientId", '', '[Router]', 'LanAddress = 10.98.0.1/24') -join "`n" |
            Set-Content -Path $Path -NoNewline
        Add-Content -Path $Path -Value ''
        return $Path
    }

    function script:Get-TempFlashDirs { @(Get-ChildItem ([System.IO.Path]::GetTempPath()) -Directory -Filter 'warp-flash-*' -ErrorAction SilentlyContinue).Count }

    $script:Images = @{}
    foreach ($f in Get-ChildItem (Join-Path $Repo 'boards') -Filter *.json) {
        $t = (Get-Content $f.FullName -Raw | ConvertFrom-Json).target
        $Images[$f.BaseName] = New-Image (Join-Path $TestDrive "$($f.BaseName).bin") @('nanoCLR', $t, 'Warp.Native', 'mscorlib')
    }
    $script:App = Join-Path $TestDrive 'Warp.Router.Esp32.bin'
    Set-Content -Path $App -Value 'program'
    $script:GoodConfig = New-Config (Join-Path $TestDrive 'good.conf')
    $script:Record = Join-Path $TestDrive 'nanoff-record.jsonl'
    $env:WARP_FAKE_RECORD = $Record
}

AfterAll {
    Remove-Item Env:WARP_FAKE_RECORD, Env:WARP_FAKE_DRIVE, Env:WARP_FAKE_FAIL -ErrorAction SilentlyContinue
}

Describe 'every board profile says its console is off the USB cable' {
    It '<_>' -TestCases @(Get-ChildItem (Join-Path $PSScriptRoot '../../boards') -Filter *.json | ForEach-Object BaseName) {
        $p = Get-Content (Join-Path $Repo "boards/$_.json") -Raw | ConvertFrom-Json
        Test-ConsoleOnUsb $p | Should -BeFalse
        $p.pins.consoleUsbNote | Should -Match 'wire protocol'
    }
}

Describe '-WhatIf prints the file deployment per board and writes nothing' {
    It 'for <Board>' -TestCases @(
        @{ Board = 'esp32-devkitc'; Target = 'ESP32_REV3' }
        @{ Board = 'esp32-wrover'; Target = 'ESP32_PSRAM_REV3_IPV6' }
        @{ Board = 'esp32-s3'; Target = 'ESP32_S3_QUAD' }
        @{ Board = 'esp32-c3'; Target = 'ESP32_C3' }
        @{ Board = 'wt32-eth01'; Target = 'ESP32_WT32_ETH01' }
    ) {
        Remove-Item $Record -ErrorAction SilentlyContinue
        Mock Find-Nanoff -ModuleName WarpFlash -MockWith ([scriptblock]::Create("'$FakeNanoff'"))
        $before = Get-TempFlashDirs
        $img = $Images[$Board]
        $out = & $Flash -Board $Board -Port /dev/ttyUSB4 -Config $GoodConfig -Image $img -Application $App -WarpRouter $RouterDll -ApSsid 'Warp Home' `
            -ApPassword (ConvertTo-SecureString 'household-pw-1' -AsPlainText -Force) -WhatIf *>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        $tmp = [regex]::Escape((Join-Path ([System.IO.Path]::GetTempPath()) 'warp-flash-XXXXXXXXXXXX'))
        $out | Should -Match ([regex]::Escape("What if: $FakeNanoff --update --target $Target --serialport /dev/ttyUSB4 --clrfile $img"))
        $out | Should -Match ([regex]::Escape("What if: $FakeNanoff --target $Target --serialport /dev/ttyUSB4 --deploy --image $App"))
        $out | Should -Match ("What if: " + [regex]::Escape($FakeNanoff) + " --filedeployment $tmp/deploy\.json")
        $out | Should -Match ('"serialport": "/dev/ttyUSB4", "files": \[ \{ "DestinationFilePath": "I:\\\\warp-provision\.txt", "SourceFilePath": "' + $tmp + '/warp-provision\.txt" \} \]')
        $out | Should -Match 'ap set Warp Home \+ its password line'
        $out | Should -Match 'open http://10\.98\.0\.1/'
        $out | Should -Not -Match 'household-pw-1'
        $out | Should -Not -Match ([regex]::Escape($ConfigKey))
        $Record | Should -Not -Exist
        Get-TempFlashDirs | Should -Be $before
    }

    It 'keeps the console path with -ConsolePort (a UART adapter on the console pins)' {
        Mock Find-Nanoff -ModuleName WarpFlash -MockWith ([scriptblock]::Create("'$FakeNanoff'"))
        $out = & $Flash -Board esp32-devkitc -Port /dev/ttyUSB4 -ConsolePort /dev/ttyUSB5 -Config $GoodConfig -Image $Images['esp32-devkitc'] -Application $App -WarpRouter $RouterDll -WhatIf *>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        $out | Should -Match 'console on /dev/ttyUSB5'
        $out | Should -Match 'What if: on /dev/ttyUSB5 \(115200 8N1\): config begin'
        $out | Should -Not -Match 'filedeployment'
    }
}

Describe 'the provisioning file and nanoff''s JSON (fake nanoff, no board)' {
    BeforeEach {
        Remove-Item $Record -ErrorAction SilentlyContinue
        $script:Drive = Join-Path $TestDrive ("drive-" + [guid]::NewGuid().ToString('N').Substring(0, 6))
        $null = New-Item -ItemType Directory -Path $Drive
        $env:WARP_FAKE_DRIVE = $Drive
        Remove-Item Env:WARP_FAKE_FAIL -ErrorAction SilentlyContinue
        Mock Find-Nanoff -ModuleName WarpFlash -MockWith ([scriptblock]::Create("'$FakeNanoff'"))
        Mock Get-PortBusyReason -ModuleName WarpFlash { $null }
    }

    It 'writes an owner-only file nanoff deploys to I:\warp-provision.txt, in the importer''s format, and removes both temp files' {
        $transcript = Join-Path $TestDrive 'transcript-file.txt'
        Start-Transcript -Path $transcript | Out-Null
        try {
            $out = & $Flash -Board esp32-s3 -Port /dev/ttyACM0 -Config $GoodConfig -Image $Images['esp32-s3'] -Application $App -WarpRouter $RouterDll `
                -ApSsid 'Warp Home' -ApPassword (ConvertTo-SecureString 'household-pw-1' -AsPlainText -Force) `
                -Wifi 'Hotel Guest' -WifiPassword (ConvertTo-SecureString 'hotel-secret-pw' -AsPlainText -Force) -BootWaitSeconds 0 -Verbose *>&1 | Out-String
        }
        finally { Stop-Transcript | Out-Null }
        $LASTEXITCODE | Should -Be 0 -Because $out
        $calls = @(Get-Content $Record | ForEach-Object { $_ | ConvertFrom-Json })
        $calls.Count | Should -Be 3
        ($calls[0].args -join ' ') | Should -Be "--update --target ESP32_S3_QUAD --serialport /dev/ttyACM0 --clrfile $($Images['esp32-s3'])"
        ($calls[1].args -join ' ') | Should -Be "--target ESP32_S3_QUAD --serialport /dev/ttyACM0 --deploy --image $App"
        $calls[2].args[0] | Should -Be '--filedeployment'
        $calls[2].json.serialport | Should -Be '/dev/ttyACM0'
        @($calls[2].json.files).Count | Should -Be 1
        $calls[2].json.files[0].DestinationFilePath | Should -Be 'I:\warp-provision.txt'
        $src = $calls[2].sources[0]
        $src.mode | Should -Be '600'
        $calls[2].json.files[0].SourceFilePath | Should -Be $src.path
        # Both temp files and their directory are gone.
        $src.path | Should -Not -Exist
        $calls[2].args[1] | Should -Not -Exist
        Split-Path -Parent $src.path | Should -Not -Exist

        $deployed = Join-Path $Drive 'warp-provision.txt'
        $bytes = [System.IO.File]::ReadAllBytes($deployed)
        $bytes.Length | Should -Be $src.size
        $lines = [System.Text.Encoding]::UTF8.GetString($bytes).TrimEnd("`n").Split("`n")
        $lines[0] | Should -Be 'warp-provision 1'
        $lines[1..4] | Should -Be @('wifi add Hotel Guest', 'hotel-secret-pw', 'ap set Warp Home', 'household-pw-1')
        $lines[5] | Should -Be 'config begin'
        $config = @(Get-Content $GoodConfig | Where-Object { $_.Trim() -ne '' })
        $lines[6..(5 + $config.Count)] | Should -Be $config
        # The CRCs as python's zlib computes them (not our Get-TransferCrc).
        $py = 'import sys,zlib; d=open(sys.argv[1],"rb").read().split(b"\n"); t=d[-2].split(b" "); body=b"".join(l+b"\n" for l in d[:-2]); print(int(t[2])==len(d)-2, "%08X"%zlib.crc32(body)==t[3].decode())'
        (& $Python -c $py $deployed) | Should -Be 'True True'
        $cfgEnd = $lines[6 + $config.Count]
        $cfgCrc = & $Python -c 'import sys,zlib; print("%08X" % zlib.crc32("".join(l+"\n" for l in sys.argv[1:]).encode()))' @config
        $cfgEnd | Should -Be "config end $($config.Count) $($cfgCrc.Trim())"
        # The host's parser checks the same file clean (warp-router's `config check` covers the config part only; the whole file is the flow test's).
        $all = $out + (Get-Content $transcript -Raw)
        foreach ($secret in @($ConfigKey, 'hotel-secret-pw', 'household-pw-1')) { $all | Should -Not -Match ([regex]::Escape($secret)) }
        $out | Should -Match '3/4 putting the settings on the board''s drive'
        $out | Should -Match 'next: join the Wi-Fi network Warp Home, then open http://10\.98\.0\.1/'
    }

    It 'refuses when nanoff could not write the file (it still exits 0), and leaves no temp file' {
        $env:WARP_FAKE_FAIL = 'write'
        $before = Get-TempFlashDirs
        $out = & $Flash -Board esp32-devkitc -Port /dev/ttyUSB0 -Config $GoodConfig -Image $Images['esp32-devkitc'] -Application $App -WarpRouter $RouterDll -BootWaitSeconds 0 *>&1 | Out-String
        $LASTEXITCODE | Should -Be 4
        $out | Should -Match 'error: nanoff could not write the provisioning file to the board: Error deploying content file'
        $out | Should -Not -Match '^next:'
        Get-TempFlashDirs | Should -Be $before
        (Get-Content $Record | Select-Object -Last 1 | ConvertFrom-Json).sources[0].path | Should -Not -Exist
        Join-Path $Drive 'warp-provision.txt' | Should -Not -Exist
    }

    It 'refuses -Wifi on a board without a Wi-Fi uplink before touching it' {
        $out = & $Flash -Board wt32-eth01 -Port /dev/ttyUSB0 -Config $GoodConfig -Image $Images['wt32-eth01'] -Application $App -WarpRouter $RouterDll `
            -Wifi 'Hotel Guest' -WifiPassword (ConvertTo-SecureString 'hotel-secret-pw' -AsPlainText -Force) -BootWaitSeconds 0 *>&1 | Out-String
        $LASTEXITCODE | Should -Be 2
        $out | Should -Match 'wt32-eth01 has no Wi-Fi uplink'
        $Record | Should -Not -Exist
    }

    It 'refuses a config with errors before nanoff runs' {
        $bad = Join-Path $TestDrive 'bad-file.conf'
        (Get-Content $GoodConfig) -replace '^Address = .*', 'Address = 300.1.1.1/32' | Set-Content $bad
        $out = & $Flash -Board esp32-c3 -Port /dev/ttyUSB0 -Config $bad -Image $Images['esp32-c3'] -Application $App -WarpRouter $RouterDll -BootWaitSeconds 0 *>&1 | Out-String
        $LASTEXITCODE | Should -Be 3
        $out | Should -Match 'line 4: Address'
        $Record | Should -Not -Exist
        Get-ChildItem $Drive | Should -BeNullOrEmpty
    }
}

Describe 'the whole flow by file: fake nanoff into the Linux host''s drop directory' -Skip:(-not $IsLinux -or (& id -u) -ne '0') {
    BeforeAll {
        # The lab's machine-wide lock (tests/Lab/LabRequirements): namespaces are shared machine-wide.
        $script:LabLock = $null
        for ($i = 0; $i -lt 1800 -and -not $script:LabLock; $i++) {
            try { $script:LabLock = [System.IO.File]::Open('/tmp/warp-lab-tests.lock', 'OpenOrCreate', 'ReadWrite', 'None') }
            catch { Start-Sleep -Seconds 1 }
        }
        if (-not $script:LabLock) { throw 'the lab lock /tmp/warp-lab-tests.lock was not free within 30 minutes' }
        $script:Ns = 'warp-pester-file'
        & ip netns del $Ns 2>$null
        & ip netns add $Ns
        & ip -n $Ns link set lo up
        $script:Drop = Join-Path $TestDrive 'drop'
        $null = New-Item -ItemType Directory -Path $Drop
        $script:State = Join-Path $TestDrive 'state-file'
        $script:Sock = Join-Path $TestDrive 'f.sock'
        $script:RouterLog = Join-Path $TestDrive 'router-file.log'
        $script:Router = Start-Process ip -ArgumentList 'netns', 'exec', $Ns, 'dotnet', $RouterDll, 'run', '--drop-dir', $Drop, '--tap', 'wpesterf0',
            '--state', $State, '--control', $Sock, '--no-console' -RedirectStandardOutput $RouterLog -RedirectStandardError "$RouterLog.err" -PassThru
        for ($i = 0; $i -lt 100 -and -not (Test-Path $Sock); $i++) { Start-Sleep -Milliseconds 100 }

        function script:Get-HostRecord([string]$Command, [string]$Type) {
            $text = (& dotnet $RouterDll $Command -m --control $Sock) -join "`n"
            $line = ($text -split "`n" | Where-Object { $_ -like "$Type *" } | Select-Object -First 1)
            $f = @{}
            if ($line) { foreach ($kv in $line.Split(' ') | Select-Object -Skip 1) { $k, $v = $kv.Split('=', 2); $f[$k] = [uri]::UnescapeDataString($v) } }
            return $f
        }
        function script:Wait-Host([scriptblock]$Until, [int]$Seconds = 20) {
            $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
            while ([DateTime]::UtcNow -lt $deadline) { if (& $Until) { return $true }; Start-Sleep -Milliseconds 250 }
            return $false
        }
    }

    AfterAll {
        if ($script:Router) { & kill -TERM $script:Router.Id 2>$null; Start-Sleep -Milliseconds 500; Stop-Process -Id $script:Router.Id -ErrorAction SilentlyContinue }
        & ip netns del $Ns 2>$null
        Remove-Item Env:WARP_FAKE_DRIVE -ErrorAction SilentlyContinue
        if ($script:LabLock) { $script:LabLock.Dispose() }
    }

    BeforeEach {
        $env:WARP_FAKE_DRIVE = $Drop
        Remove-Item Env:WARP_FAKE_FAIL -ErrorAction SilentlyContinue
        Mock Find-Nanoff -ModuleName WarpFlash -MockWith ([scriptblock]::Create("'$FakeNanoff'"))
        Mock Get-PortBusyReason -ModuleName WarpFlash { $null }
    }

    It 'starts in setup mode with only --drop-dir: no router, no file imported yet' {
        $Sock | Should -Exist -Because (Get-Content "$RouterLog.err" -Raw)
        (& dotnet $RouterDll status -m --control $Sock) -join "`n" | Should -Match 'error command=status reason=no_router'
        (Get-HostRecord provision provision)['state'] | Should -Be 'none'
    }

    It 'flashes (fake nanoff), the host imports the file, status shows the endpoint and client id, the file is gone' {
        $conf = New-Config (Join-Path $TestDrive 'flow-file.conf') -Endpoint '192.0.2.55:2408' -ClientId '4,5,6'
        $out = & $Flash -Board esp32-devkitc -Port /dev/ttyUSB0 -Config $conf -Image $Images['esp32-devkitc'] -Application $App -WarpRouter $RouterDll `
            -ApSsid 'Warp Home' -ApPassword (ConvertTo-SecureString 'household-pw-1' -AsPlainText -Force) `
            -Wifi 'Hotel Guest' -WifiPassword (ConvertTo-SecureString 'hotel-secret-pw' -AsPlainText -Force) -BootWaitSeconds 0 *>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        Wait-Host { (Get-HostRecord status status)['endpoint'] -eq '192.0.2.55:2408' } | Should -BeTrue -Because (Get-Content $RouterLog -Raw)
        $s = Get-HostRecord status status
        $s['client_id'] | Should -Be ((4 -shl 16) + (5 -shl 8) + 6)
        $s['tunnel'] | Should -Be 'handshaking'
        $p = Get-HostRecord provision provision
        $p['state'] | Should -Be 'applied'
        $p['changes'] | Should -Be 'config,wifi,ap'
        $p['wiped'] | Should -Be '1'
        Join-Path $Drop 'warp-provision.txt' | Should -Not -Exist
        (Get-Content (Join-Path $State 'config') -Raw) | Should -Be ((@(Get-Content $conf | Where-Object { $_.Trim() -ne '' }) -join "`n") + "`n")
        (Get-Content (Join-Path $State 'wifi-networks') -Raw) | Should -Be "Hotel Guest`thotel-secret-pw`n"
        (Get-Content (Join-Path $State 'softap') -Raw) | Should -Be "Warp Home`nhousehold-pw-1`n6"
        ((& dotnet $RouterDll status --control $Sock) -join "`n") | Should -Match 'provisioning file: applied \(config,wifi,ap\); the file was overwritten and removed'
        $all = $out + (Get-Content $RouterLog -Raw) + (Get-Content "$RouterLog.err" -Raw)
        foreach ($secret in @($ConfigKey, 'hotel-secret-pw', 'household-pw-1')) { $all | Should -Not -Match ([regex]::Escape($secret)) }
    }

    It 'registers against the WARP double, deploys the registered config by file, and status shows WARP''s endpoint and client id' {
        $record = Join-Path $TestDrive 'flow-file-record.json'
        $psi = [System.Diagnostics.ProcessStartInfo]::new($Python)
        foreach ($a in @((Join-Path $Repo 'tests/Pester/warp_api_double.py'), 'ok', $record)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $api = [System.Diagnostics.Process]::Start($psi)
        try {
            $url = "http://127.0.0.1:$($api.StandardOutput.ReadLine())/v0a1922/reg"
            $out = & $Flash -Board esp32-s3 -Port /dev/ttyACM0 -Register -RegisterApi $url -RegisterDirectory (Join-Path $TestDrive 'acct-file') `
                -Image $Images['esp32-s3'] -Application $App -WarpRouter $RouterDll -BootWaitSeconds 0 *>&1 | Out-String
            $LASTEXITCODE | Should -Be 0 -Because $out
            Wait-Host { (Get-HostRecord status status)['endpoint'] -in @('162.159.192.1:2408', '[2606:4700:d0::a29f:c001]:2408') } | Should -BeTrue -Because (Get-Content $RouterLog -Raw)
            (Get-HostRecord status status)['client_id'] | Should -Be ((0xD9 -shl 16) + (0x9C -shl 8) + 0xD3)
            (Get-HostRecord provision provision)['changes'] | Should -Be 'config'
            Join-Path $Drop 'warp-provision.txt' | Should -Not -Exist
        }
        finally { $api.Kill(); $api.Dispose() }
        # Back to the previous test's config for the next ones.
        $conf = New-Config (Join-Path $TestDrive 'flow-file2.conf') -Endpoint '192.0.2.55:2408'
        $out = & $Flash -Board esp32-devkitc -Port /dev/ttyUSB0 -Config $conf -Image $Images['esp32-devkitc'] -Application $App -WarpRouter $RouterDll -BootWaitSeconds 0 *>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        Wait-Host { (Get-HostRecord status status)['endpoint'] -eq '192.0.2.55:2408' } | Should -BeTrue
    }

    It 'a file with a config error is refused by line, the running config stays, the file is gone' {
        $before = Get-Content (Join-Path $State 'config') -Raw
        $bad = New-Config (Join-Path $TestDrive 'flow-bad.conf') -Endpoint '192.0.2.66:2408' -Address '172.16.0.2/33'
        # flash.ps1 would refuse it (config check); the file is written as it would be, to show the device's own check.
        $lines = New-ProvisionFileLines -Config $bad
        [System.IO.File]::WriteAllText((Join-Path $Drop 'warp-provision.txt'), ($lines -join "`n") + "`n")
        Wait-Host { (Get-HostRecord provision provision)['state'] -eq 'refused' } | Should -BeTrue -Because (Get-Content $RouterLog -Raw)
        $p = Get-HostRecord provision provision
        $p['reason'] | Should -Be 'invalid'
        $p['line'] | Should -Be '6' # header 1, config begin 2, the config's fourth line (Address; a comment comes first)
        $p['detail'] | Should -Match '^config line 4: Address'
        Join-Path $Drop 'warp-provision.txt' | Should -Not -Exist
        Get-Content (Join-Path $State 'config') -Raw | Should -Be $before
        (Get-HostRecord status status)['endpoint'] | Should -Be '192.0.2.55:2408'
    }

    It 'a truncated file is refused and removed' {
        $conf = New-Config (Join-Path $TestDrive 'flow-cut.conf') -Endpoint '192.0.2.77:2408'
        $text = (New-ProvisionFileLines -Config $conf) -join "`n"
        [System.IO.File]::WriteAllText((Join-Path $Drop 'warp-provision.txt'), $text.Substring(0, $text.Length - 30))
        Wait-Host { (Get-HostRecord provision provision)['reason'] -eq 'truncated' } | Should -BeTrue
        Join-Path $Drop 'warp-provision.txt' | Should -Not -Exist
        (Get-HostRecord status status)['endpoint'] | Should -Be '192.0.2.55:2408'
    }
}
