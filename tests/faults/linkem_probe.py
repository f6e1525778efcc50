#!/usr/bin/env python3
"""UDP probe for linkem_test.sh: numbered, timestamped datagrams across one
emulated link. Sender and receiver run in different namespaces of the same
machine and share CLOCK_MONOTONIC, so one-way delays are exact.

  linkem_probe.py send ADDR PORT COUNT SPACING_MS
  linkem_probe.py receive ADDR PORT IDLE_S     (after a first datagram, stops
                                                once IDLE_S pass without one)

receive prints one line of key=value fields: received, reordered (datagrams
arriving after one with a higher number), delay_min/mean/max_ms, and lost=
the numbers that never arrived (comma-separated, up to the highest seen).
"""

import socket
import struct
import sys
import time

FMT = "!Iq"  # sequence number, send time (monotonic ns)


def send(addr, port, count, spacing_ms):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.monotonic()
    for seq in range(count):
        # Paced against the start, so a late wake-up does not stretch the run.
        pause = start + seq * spacing_ms / 1000.0 - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        sock.sendto(struct.pack(FMT, seq, time.monotonic_ns()).ljust(64, b"\0"), (addr, port))


def receive(addr, port, idle_s):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    print("ready", flush=True)
    seen, delays, reordered, highest = set(), [], 0, -1
    sock.settimeout(None)  # the first datagram may take a while to come
    while True:
        try:
            data = sock.recv(2048)
        except socket.timeout:
            break
        now = time.monotonic_ns()
        sock.settimeout(idle_s)
        seq, sent = struct.unpack(FMT, data[:12])
        delays.append((now - sent) / 1e6)
        if seq < highest:
            reordered += 1
        highest = max(highest, seq)
        seen.add(seq)
    lost = [str(s) for s in range(highest + 1) if s not in seen]
    print(f"received={len(seen)} reordered={reordered} delay_min_ms={min(delays):.1f}"
          f" delay_mean_ms={sum(delays) / len(delays):.1f} delay_max_ms={max(delays):.1f}"
          f" highest={highest} lost={','.join(lost)}", flush=True)


if __name__ == "__main__":
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "send":
        send(addr, port, int(sys.argv[4]), float(sys.argv[5]))
    else:
        receive(addr, port, float(sys.argv[4]))
