#!/usr/bin/env python3
"""ICMP echo round trips to one IPv4 address, for machines without ping
(iputils). Run inside a test namespace (`ip netns exec NS ping.py ...`);
needs root for the raw socket.

  ping.py ADDRESS [--count N] [--interval S] [--wait S]

Sends N echo requests, one every S seconds, then waits up to --wait seconds
for late replies, and prints one line:
  ping ADDRESS: N sent, R received, rtt min/avg/max A/B/C ms
Exit 0 if at least one reply came back, else 1.
"""

import argparse
import os
import select
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def echo_request(ident, seq):
    payload = b"chainkit-linkem-probe"
    header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    return struct.pack("!BBHHH", 8, 0, checksum(header + payload), ident, seq) + payload


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("address")
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--interval", type=float, default=0.2)
    p.add_argument("--wait", type=float, default=2.0)
    args = p.parse_args(argv)
    ident = os.getpid() & 0xFFFF
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sent, rtts = {}, []  # sent: seq -> send time, until its reply comes
    nsent = 0
    next_send = time.monotonic()
    deadline = None
    while True:
        now = time.monotonic()
        if nsent < args.count and now >= next_send:
            nsent += 1
            sent[nsent] = now
            sock.sendto(echo_request(ident, nsent), (args.address, 0))
            next_send += args.interval
            if nsent == args.count:
                deadline = now + args.wait
        if deadline is not None and (now >= deadline or len(rtts) == args.count):
            break
        until = deadline if deadline is not None else next_send
        readable, _, _ = select.select([sock], [], [], max(0.0, until - now))
        if not readable:
            continue
        packet = sock.recv(2048)
        icmp = packet[(packet[0] & 0x0F) * 4:]  # past the IP header
        if len(icmp) < 8:
            continue
        kind, _, _, rid, seq = struct.unpack("!BBHHH", icmp[:8])
        if kind == 0 and rid == ident and seq in sent:
            rtts.append(time.monotonic() - sent.pop(seq))
    line = f"ping {args.address}: {args.count} sent, {len(rtts)} received"
    if rtts:
        ms = [1000 * r for r in rtts]
        line += f", rtt min/avg/max {min(ms):.1f}/{sum(ms) / len(ms):.1f}/{max(ms):.1f} ms"
    print(line, flush=True)
    return 0 if rtts else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
