#!/usr/bin/env bash
# The Pester tests of flash.ps1 (tests/Pester), with what they need installed by this script on a
# fresh machine: PowerShell 7.6.9 as the `PowerShell` dotnet tool (into .tools/pwsh) and Pester
# 6.2.0 from NuGet (restored by build/pester/PesterRestore.csproj into the NuGet cache, imported
# from there). Needs the desktop build (warp-router). Ends with "pester: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
pwsh="$root/.tools/pwsh/pwsh"
if [ ! -x "$pwsh" ] || ! "$pwsh" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null | grep -qx '7.6.9'; then
  rm -rf "$root/.tools/pwsh"
  dotnet tool install PowerShell --version 7.6.9 --tool-path "$root/.tools/pwsh" >/dev/null || { echo "pester: 0 passed, 1 failed, 0 skipped (PowerShell 7.6.9 could not be installed)"; exit 1; }
fi
dotnet restore build/pester/PesterRestore.csproj --verbosity quiet >/dev/null || { echo "pester: 0 passed, 1 failed, 0 skipped (Pester 6.2.0 could not be restored)"; exit 1; }
packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')
pester="$packages/pester/6.2.0/tools/Pester.psd1"
[ -f "$pester" ] || { echo "pester: 0 passed, 1 failed, 0 skipped (no $pester)"; exit 1; }
out="${1:-$root/.ci-out}"
mkdir -p "$out"
PESTER_MODULE="$pester" PESTER_OUT="$out" "$pwsh" -NoProfile -NonInteractive -Command '
  $ErrorActionPreference = "Stop"
  Import-Module $env:PESTER_MODULE
  $c = New-PesterConfiguration
  $c.Run.Path = "tests/Pester"
  $c.Run.PassThru = $true
  $c.Output.Verbosity = "Detailed"
  $c.TestResult.Enabled = $true
  $c.TestResult.OutputFormat = "NUnitXml"
  $c.TestResult.OutputPath = (Join-Path $env:PESTER_OUT "pester.xml")
  $r = Invoke-Pester -Configuration $c
  "pester: $($r.PassedCount) passed, $($r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount) failed, $($r.SkippedCount + $r.NotRunCount) skipped"
  exit ([int]($r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount -gt 0))
'
