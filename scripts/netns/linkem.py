#!/usr/bin/env python3
"""Userspace link emulator: what `tc netem delay D J loss P` does, for kernels
without sch_netem (issue 11).

Each test host (a network namespace) has a TUN device (`netns.sh up-tun`:
tun0, 10.77.0.i/24, the /24 routed into tun0). This process attaches to every
host's tun0 and forwards the IPv4 packets the hosts send to the host that owns
the destination address, after holding each for delay +- jitter, and drops a
fraction of them at random. The packets are the kernel's own, so TCP's loss
recovery, RTT estimate and retransmission timers run as on a real link.

  linkem.py [--delay-ms D] [--jitter-ms J] [--jitter-dist uniform|normal]
            [--loss P] [--seed S] [--reorder] [--tun tun0] NETNS=IPV4 ...

One link per ordered pair of hosts: a packet crosses exactly one link, so a
ping between two hosts sees 2 x D round trip and 1-(1-P)^2 loss. Jitter is
uniform in [-J, +J] (netem's default without a distribution table) or normal
with sigma J, clamped at zero delay. Each link keeps FIFO order: a packet is
never released before the one sent on the same link ahead of it, so jitter
delays bursts but never reorders them (TCP would read reordering as loss).
--reorder releases each packet at its own time instead, as netem does.
There is no bandwidth limit. Non-IPv4 packets and packets to an address no
host owns are counted and discarded.

The loss and jitter draws come from one generator seeded with --seed (printed
at start), so a run's draws are reproducible given the same packet order;
the order itself depends on the hosts' timing.

Runs until SIGTERM or SIGINT, then prints one counters line and exits 0;
SIGUSR1 prints the counters line without stopping. Needs root (setns).
"""

import argparse
import ctypes
import fcntl
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
READS_PER_WAKEUP = 64  # per host, so one busy host cannot starve the others


class Stop(Exception):
    pass


def setns(fd):
    if hasattr(os, "setns"):  # Python 3.12+
        os.setns(fd, CLONE_NEWNET)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def open_tun(netns, name):
    """Attaches to the persistent TUN `name` inside namespace `netns`. The
    device is looked up in the caller's namespace, hence the setns there and
    back; the descriptor stays bound to the device afterwards."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{netns}", os.O_RDONLY)
    try:
        setns(target)
        try:
            fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
            ifr = struct.pack("16sH22x", name.encode(), IFF_TUN | IFF_NO_PI)
            fcntl.ioctl(fd, TUNSETIFF, ifr)
        finally:
            setns(home)
    finally:
        os.close(target)
        os.close(home)
    return fd


class Counters:
    def __init__(self):
        self.forwarded = self.forwarded_bytes = 0
        self.dropped = self.dropped_bytes = 0
        self.unroutable = self.write_errors = 0
        self.held_sum = 0.0
        self.held_min = float("inf")
        self.held_max = 0.0
        self.late_max = 0.0  # how far behind its due time the worst release was
        self.peak_queue = 0

    def line(self, args, started):
        total = self.forwarded + self.dropped
        rate = 100.0 * self.dropped / total if total else 0.0
        held = ""
        if self.forwarded:
            held = (f", held mean {1000 * self.held_sum / self.forwarded:.1f} ms"
                    f" (min {1000 * self.held_min:.1f}, max {1000 * self.held_max:.1f}),"
                    f" released late by up to {1000 * self.late_max:.1f} ms")
        return (f"linkem counters: forwarded {self.forwarded} packets ({self.forwarded_bytes} bytes),"
                f" dropped {self.dropped} packets ({self.dropped_bytes} bytes, {rate:.2f}%),"
                f" unroutable {self.unroutable}, write errors {self.write_errors}{held},"
                f" peak queue {self.peak_queue}; delay {args.delay_ms}+-{args.jitter_ms} ms"
                f" {args.jitter_dist}, loss {args.loss}, seed {args.seed},"
                f" ran {time.monotonic() - started:.1f} s")


class Emulator:
    def __init__(self, args, hosts):
        self.args = args
        self.rng = random.Random(args.seed)
        self.fds = [open_tun(ns, args.tun) for ns, _ in hosts]
        self.by_addr = {socket.inet_aton(ip): i for i, (_, ip) in enumerate(hosts)}
        self.queue = []  # heap of (due, seq, src, dst, packet, arrived)
        self.seq = 0
        self.last_due = {}  # (src, dst) -> due time of the link's last packet
        self.counters = Counters()

    def hold_time(self):
        jitter = self.args.jitter_ms
        if self.args.jitter_dist == "normal":
            offset = self.rng.gauss(0.0, jitter)
        else:
            offset = self.rng.uniform(-jitter, jitter)
        return max(0.0, self.args.delay_ms + offset) / 1000.0

    def accept(self, src, packet, now):
        c = self.counters
        dst = self.by_addr.get(packet[16:20]) if len(packet) >= 20 and packet[0] >> 4 == 4 else None
        if dst is None:
            c.unroutable += 1
            return
        if self.rng.random() < self.args.loss:
            c.dropped += 1
            c.dropped_bytes += len(packet)
            return
        due = now + self.hold_time()
        if not self.args.reorder:
            due = max(due, self.last_due.get((src, dst), 0.0))
            self.last_due[(src, dst)] = due
        self.seq += 1
        heapq.heappush(self.queue, (due, self.seq, src, dst, packet, now))
        c.peak_queue = max(c.peak_queue, len(self.queue))

    def release_due(self, now):
        c = self.counters
        while self.queue and self.queue[0][0] <= now:
            due, _, _, dst, packet, arrived = heapq.heappop(self.queue)
            try:
                os.write(self.fds[dst], packet)
            except OSError:  # the host's device went away or is down
                c.write_errors += 1
                continue
            held = now - arrived
            c.forwarded += 1
            c.forwarded_bytes += len(packet)
            c.held_sum += held
            c.held_min = min(c.held_min, held)
            c.held_max = max(c.held_max, held)
            c.late_max = max(c.late_max, now - due)

    def read_from(self, src, now):
        for _ in range(READS_PER_WAKEUP):
            try:
                packet = os.read(self.fds[src], 65536)
            except BlockingIOError:
                return
            self.accept(src, packet, now)

    def run(self):
        poller = select.epoll()
        for fd in self.fds:
            poller.register(fd, select.EPOLLIN)
        host_of = {fd: i for i, fd in enumerate(self.fds)}
        while True:
            timeout = -1
            if self.queue:
                timeout = max(0.0, self.queue[0][0] - time.monotonic())
            events = poller.poll(timeout)
            now = time.monotonic()
            for fd, _ in events:
                self.read_from(host_of[fd], now)
            self.release_due(time.monotonic())


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--delay-ms", type=float, default=0.0)
    p.add_argument("--jitter-ms", type=float, default=0.0)
    p.add_argument("--jitter-dist", choices=("uniform", "normal"), default="uniform")
    p.add_argument("--loss", type=float, default=0.0, help="fraction of packets dropped, 0..1")
    p.add_argument("--seed", type=int, default=None, help="default: random, printed")
    p.add_argument("--reorder", action="store_true", help="let jitter reorder a link's packets")
    p.add_argument("--tun", default="tun0", help="the TUN device's name in every namespace")
    p.add_argument("hosts", nargs="+", metavar="NETNS=IPV4")
    args = p.parse_args(argv)
    if not 0.0 <= args.loss <= 1.0:
        p.error("--loss is a fraction in [0, 1]")
    if args.delay_ms < 0 or args.jitter_ms < 0:
        p.error("--delay-ms and --jitter-ms must not be negative")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    hosts = []
    for h in args.hosts:
        ns, sep, ip = h.partition("=")
        if not sep:
            p.error(f"host {h!r}: expected NETNS=IPV4")
        try:
            socket.inet_aton(ip)
        except OSError:
            p.error(f"host {h!r}: {ip!r} is not an IPv4 address")
        hosts.append((ns, ip))
    return args, hosts


def main(argv):
    args, hosts = parse_args(argv)
    started = time.monotonic()
    try:
        emu = Emulator(args, hosts)
    except OSError as e:
        print(f"linkem: cannot attach to the TUN devices: {e}", file=sys.stderr)
        return 1

    def stop(signum, frame):
        raise Stop()

    def report(signum, frame):
        print(emu.counters.line(args, started), flush=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGUSR1, report)
    print(f"linkem: attached {len(hosts)} hosts; delay {args.delay_ms}+-{args.jitter_ms} ms"
          f" {args.jitter_dist}, loss {args.loss}, seed {args.seed},"
          f" {'reordering' if args.reorder else 'FIFO per link'}", flush=True)
    try:
        emu.run()
    except Stop:
        pass
    print(emu.counters.line(args, started), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
