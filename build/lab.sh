#!/usr/bin/env bash
# The main job (README.md): warp-router's self-contained lab. Needs root; installs the Debian
# packages it drives (wireguard-go, isc-dhcp-client, dnsutils, curl, ...) when they are missing.
#   bash build/lab.sh               build the lab, run the scenario, print it, tear it down
#   bash build/lab.sh --keep        leave the lab up for exploring
#   bash build/lab.sh --throughput [--runs N]  also measure iperf3 (TCP 1 and 4 streams, UDP 300 Mbit/s) through
#                   warp-router, wireguard-go in its place and warp-router --no-batch, each against a fresh peer;
#                   net.core.rmem_default/wmem_default (global!) are raised to 4 MiB for the run only and restored
#                   after it, also on failure and Ctrl-C (--peer-buffers BYTES|default; --compare-peer-buffers adds
#                   warp-router with the buffers left as they were)
#                   --compare ARGS (repeatable): one more router per run, `warp-router run ARGS` (e.g. "--no-gro",
#                   "--lan-ring-mib 4", "--tap wlr-tap": the LAN on a TAP bridged to the LAN veth); --download: also
#                   iperf3 -R (origin to client)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dotnet >/dev/null 2>&1; then
  echo "lab: the .NET SDK (dotnet) is not on PATH; install the .NET 10 SDK first" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build -c Release firmware/Linux/Warp.Router.Linux.csproj --nologo -clp:ErrorsOnly -v quiet
exec dotnet firmware/Linux/bin/Release/net10.0/warp-router.dll lab "$@"
