#!/usr/bin/env bash
# How long warp-router takes to exit after SIGTERM (README: "a quick stop"). Root; its own namespace wb-sig.
#   bash build/stop_time.sh [path/to/warp-router.dll] [stops]
set -u
DLL=${1:-$(dirname "$0")/../firmware/Linux/bin/Release/net10.0/warp-router.dll}
N=${2:-3}
W=$(mktemp -d)
ip netns del wb-sig 2>/dev/null
ip netns add wb-sig
ip netns exec wb-sig sh -c 'ip link set lo up; ip link add wbs-lan type veth peer name wbs-x; ip link set wbs-lan up; ip link set wbs-x up;
  ip link add wbs-up type veth peer name wbs-upx; ip link set wbs-upx up; ip addr add 10.251.0.2/24 dev wbs-up; ip link set wbs-up up;
  ip route add default via 10.251.0.1'
printf '[Interface]\nPrivateKey = %s\nAddress = 172.16.0.2/32\n[Peer]\nPublicKey = %s\nEndpoint = 10.251.0.9:51820\n[Router]\nLanAddress = 192.168.77.1/24\n' \
  "$(wg genkey)" "$(wg genkey | wg pubkey)" > "$W/sig.conf"
chmod 600 "$W/sig.conf"
for i in $(seq "$N"); do
  rm -rf "$W/state" "$W/sig.sock"
  ip netns exec wb-sig dotnet "$DLL" run --config "$W/sig.conf" --lan-interface wbs-lan --state "$W/state" --control "$W/sig.sock" --no-console > "$W/log" 2>&1 &
  pid=$!
  for j in $(seq 100); do [ -S "$W/sig.sock" ] && break; sleep 0.1; done
  sleep 1
  t0=$(date +%s%N); kill -TERM $pid; wait $pid; t1=$(date +%s%N)
  echo "stop $i: exit $(( (t1 - t0) / 1000000 )) ms after SIGTERM"
done
ip netns del wb-sig
rm -rf "$W"
