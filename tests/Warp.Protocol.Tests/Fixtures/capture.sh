#!/usr/bin/env bash
# Captures real traffic, produced by the Linux kernel, ping, curl, dig, dnsmasq and python's
# http.server, between two network namespaces, into the pcap fixtures beside this script.
# Needs root, iproute2, tcpdump, ethtool, dnsmasq, dig, curl, ping and python3.
# Run:  sudo bash tests/Warp.Protocol.Tests/Fixtures/capture.sh
# The namespaces and processes are removed on exit, also on failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
A=wfixa; B=wfixb
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  ip netns del $A 2>/dev/null || true
  ip netns del $B 2>/dev/null || true
}
trap cleanup EXIT
cleanup

ip netns add $A; ip netns add $B
ip link add fxa netns $A type veth peer name fxb netns $B
for ns in $A $B; do
  dev=fx${ns: -1}
  # No offloads: every checksum in the capture is the real, final one.
  ip netns exec $ns ethtool -K $dev tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
  ip netns exec $ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip netns exec $ns sysctl -qw net.ipv6.conf.all.seg6_enabled=1 net.ipv6.conf.default.seg6_enabled=1
  ip netns exec $ns ip link set lo up
done
ip netns exec $A ip addr add 10.99.0.1/24 dev fxa
ip netns exec $B ip addr add 10.99.0.2/24 dev fxb
ip netns exec $A ip -6 addr add fd00:99::1/64 dev fxa nodad
ip netns exec $B ip -6 addr add fd00:99::2/64 dev fxb nodad
ip netns exec $A ip link set fxa up
ip netns exec $B ip link set fxb up
ip netns exec $B sysctl -qw net.ipv6.conf.fxb.seg6_enabled=1
sleep 1

# Servers in B: an HTTP server (v4 and v6) and a DNS server.
mkdir -p /tmp/wfix-www && head -c 3000 /dev/urandom | base64 > /tmp/wfix-www/index.html
ip netns exec $B python3 -m http.server --bind :: --directory /tmp/wfix-www 8080 >/dev/null 2>&1 & pids+=($!)
ip netns exec $B dnsmasq --no-daemon --no-resolv --no-hosts --port=53 --listen-address=10.99.0.2 \
  --bind-interfaces --address=/fixture.test/10.1.2.3 --address=/fixture.test/fd00:1:2::3 >/dev/null 2>&1 & pids+=($!)
sleep 1

capture() { # name, command...
  local name=$1; shift
  ip netns exec $A ip neigh flush dev fxa
  ip netns exec $B ip neigh flush dev fxb
  ip netns exec $A tcpdump -q -i fxa -U -s 0 -w "$here/$name.pcap" >/dev/null 2>&1 & local tp=$!
  sleep 1
  "$@" >/dev/null 2>&1 || true
  sleep 1
  kill -INT $tp; wait $tp 2>/dev/null || true
  echo "$name: $(stat -c %s "$here/$name.pcap") bytes"
}

capture arp-icmp-echo-v4 ip netns exec $A ping -c 2 -i 0.2 10.99.0.2
capture icmp-echo-v6 ip netns exec $A ping -6 -c 2 -i 0.2 fd00:99::2
capture tcp-http-v4 ip netns exec $A curl -s -o /dev/null http://10.99.0.2:8080/index.html
capture tcp-http-v6 ip netns exec $A curl -s -o /dev/null "http://[fd00:99::2]:8080/index.html"
capture udp-dns-v4 ip netns exec $A dig +tries=1 +time=2 @10.99.0.2 fixture.test A
capture icmp-port-unreachable-v4 ip netns exec $A dig +tries=1 +time=1 @10.99.0.2 -p 5999 fixture.test A
capture icmpv6-port-unreachable ip netns exec $A dig +tries=1 +time=1 @fd00:99::2 -p 5999 fixture.test AAAA
capture ipv4-fragments ip netns exec $A ping -c 1 -s 3000 10.99.0.2
capture ipv6-fragments ip netns exec $A ping -6 -c 1 -s 3000 fd00:99::2
# Hop-by-Hop: the kernel's MLDv2 report when a socket joins a multicast group carries a
# Router Alert option (RFC 3810 section 5).
capture ipv6-hop-by-hop ip netns exec $A python3 -c '
import socket, struct, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, "ff05::1:3") + struct.pack("@I", socket.if_nametoindex("fxa")))
time.sleep(1.5)'
# Destination Options: the kernel builds the header from the IPV6_DSTOPTS ancillary data
# (RFC 3542 section 9); the option is a PadN that fills the header to 8 bytes.
capture ipv6-destination-options ip netns exec $A python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
dst = bytes([17, 0, 1, 4, 0, 0, 0, 0])
s.sendmsg([b"dstopts fixture"], [(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, dst)], 0, ("fd00:99::2", 5998))'
# Routing header: a segment routing header (type 4, RFC 8754) inserted by the kernel's seg6 inline encapsulation.
ip netns exec $A ip -6 route add fd00:98::/64 encap seg6 mode inline segs fd00:99::2 dev fxa
capture ipv6-routing-header ip netns exec $A ping -6 -c 1 -W 1 fd00:98::1
# 802.1Q: a VLAN subinterface on both ends; the frames on the parent carry the tag. Kernels
# without the 8021q module refuse the link type; the tag is then tested from literal bytes only.
if ip netns exec $A ip link add link fxa name fxa.42 type vlan id 42 2>/dev/null; then
  ip netns exec $B ip link add link fxb name fxb.42 type vlan id 42
  ip netns exec $A ip addr add 10.42.0.1/24 dev fxa.42
  ip netns exec $B ip addr add 10.42.0.2/24 dev fxb.42
  ip netns exec $A ip link set fxa.42 up
  ip netns exec $B ip link set fxb.42 up
  capture vlan-icmp-echo ip netns exec $A ping -c 2 -i 0.2 10.42.0.2
else
  echo "vlan-icmp-echo: skipped, this kernel has no 802.1Q support"
fi
