#!/usr/bin/env python3
"""N chainkit nodes on one machine (issue 11; docs/performance.md).

1. scale_bench: N full nodes in one process (a chain thread each, the network
   side over one thread per core, TCP on loopback), 8 random dials each, a
   1,000-block chain; times 20 ~1 KB and 20 ~100 KB blocks mined on random
   nodes, and transactions, until every node has them; RSS and bytes sent
   per node per block. Its arrival times are drawn as a CDF (PNG).
2. Processes: N real `central startnode` processes, each on its own copy of
   a 1,000-block regtest chain, each dialing 8 random others on loopback;
   RSS (and PSS) per process once every node is up.
3. load_bench (unless --no-load): several clients flood one node with
   transactions for --load-seconds.

Every process this script starts is stopped on exit, Ctrl-C or SIGTERM.
Standard library only.
"""
import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdf_png  # noqa: E402

BUILD = os.path.join(ROOT, "build", "release")
CHILDREN = []


def stop_children():
    for p in CHILDREN:
        if p.poll() is None:
            p.terminate()
    deadline = time.time() + 10
    for p in CHILDREN:
        try:
            p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    CHILDREN.clear()


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def build():
    subprocess.run(["cmake", "--preset", "release", "-DCHAINKIT_BUILD_TESTS=OFF", "-DCHAINKIT_BUILD_BENCH=ON"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", "--preset", "release", "-j2", "--target", "scale_bench", "load_bench",
                    "central", "miner"], cwd=ROOT, check=True)


def run_logged(cmd, log):
    """Runs `cmd`, echoing and keeping its output lines."""
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    CHILDREN.append(p)
    lines = []
    for line in p.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    if p.wait() != 0:
        raise SystemExit(f"{cmd[0]} failed with {p.returncode}")
    CHILDREN.remove(p)
    log.extend(lines)
    return lines


def proc_kib(pid, field, name):
    try:
        with open(f"/proc/{pid}/{name}") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def inbound_links(port_base, n):
    """Established TCP connections whose local end is one of the nodes' listening ports."""
    try:
        out = subprocess.run(["ss", "-Htn", "state", "established"], capture_output=True, text=True).stdout
    except OSError:
        return -1
    count = 0
    for line in out.splitlines():
        cols = line.split()
        if len(cols) < 4:
            continue
        local, peer = int(cols[2].rsplit(":", 1)[1]), int(cols[3].rsplit(":", 1)[1])
        if port_base <= local < port_base + n and not port_base <= peer < port_base + n:
            count += 1
    return count


def make_template(work, blocks):
    apps = os.path.join(BUILD, "apps")
    common = ["--network", "regtest", "--wallet", os.path.join(work, "w.dat")]
    out = subprocess.run([os.path.join(apps, "miner"), *common, "createwallet"], check=True, capture_output=True,
                         text=True).stdout
    address = re.search(r"address: (\S+)", out).group(1)
    tpl = os.path.join(work, "template")
    subprocess.run([os.path.join(apps, "central"), *common, "--data-dir", tpl, "createblockchain", "--address",
                    address, "--export-genesis", os.path.join(work, "genesis.dat")], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([os.path.join(apps, "miner"), *common, "--data-dir", tpl, "mine", "--address", address,
                    "--blocks", str(blocks), "--threads", "1"], check=True, stdout=subprocess.DEVNULL)
    return tpl


def check_ports_free(port_base, n):
    for port in list(range(port_base, port_base + n)) + list(range(port_base + 10000, port_base + 10000 + n)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                raise SystemExit(f"port {port} is in use: pick another --port-base (P2P and P2P + 10000 are used)")


def start_processes(work, tpl, n, port_base, degree, rng):
    central = os.path.join(BUILD, "apps", "central")
    procs = []
    for i in range(n):
        d = os.path.join(work, f"node{i}")
        shutil.copytree(tpl, d, ignore=shutil.ignore_patterns("LOCK", "transport_key"))
        port = port_base + i
        others = rng.sample([j for j in range(n) if j != i], min(degree, n - 1))
        cmd = [central, "--network", "regtest", "--data-dir", d, "--log-level", "warn", "startnode", "--listen",
               f"/ip4/127.0.0.1/tcp/{port}", "--max-outbound", "0"]
        for j in others:
            cmd += ["--connect", f"/ip4/127.0.0.1/tcp/{port_base + j}"]
        # NODE_ID = the P2P port, so a node-side RPC default (port + 10000)
        # lands in this run's own range too.
        env = dict(os.environ, NODE_ID=str(port))
        out = open(os.path.join(work, f"node{i}.out"), "w")
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        CHILDREN.append(p)
        procs.append((p, os.path.join(work, f"node{i}.out")))
    return procs


def processes_phase(args, report):
    work = tempfile.mkdtemp(prefix="chainkit-scale-")
    try:
        t = time.time()
        tpl = make_template(work, args.chain)
        print(f"processes: {args.chain}-block regtest chain made in {time.time() - t:.1f} s", flush=True)
        rng = random.Random(args.seed)
        check_ports_free(args.port_base, args.nodes)
        procs = start_processes(work, tpl, args.nodes, args.port_base, 8, rng)
        # A node prints "tip H HASH" once it has a peer and is synced.
        deadline = time.time() + 120
        up = 0
        while time.time() < deadline:
            up = sum(1 for _, path in procs if f"tip {args.chain} " in open(path).read())
            dead = [(p, path) for p, path in procs if p.poll() is not None]
            if dead:
                with open(dead[0][1]) as f:
                    tail = f.read()[-400:]
                raise SystemExit(f"processes: {len(dead)} node(s) exited early; the first said:\n{tail}")
            if up == len(procs):
                break
            time.sleep(0.5)
        time.sleep(5)  # let redials and handshakes settle before sampling
        links = inbound_links(args.port_base, args.nodes)
        rss = [proc_kib(p.pid, "VmRSS", "status") / 1024 for p, _ in procs]
        pss = [proc_kib(p.pid, "Pss", "smaps_rollup") / 1024 for p, _ in procs]
        lines = [
            f"processes: {len(procs)} `central startnode` processes with the {args.chain}-block chain, "
            f"{up} with a peer and synced; {links} TCP links up of the {8 * len(procs)} dialed (each node takes at "
            f"most 8 inbound from one IP address, so part of the dials to popular nodes are refused); "
            f"load average {loadavg()}",
            f"  RSS per process: median {statistics.median(rss):.1f} MiB, max {max(rss):.1f} MiB "
            f"({max(rss) / 30:.2f} of the 30 MiB bar); PSS (shared pages split) median "
            f"{statistics.median(pss):.1f} MiB",
        ]
        for line in lines:
            print(line, flush=True)
        report.extend(line + "\n" for line in lines)
    finally:
        stop_children()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("nodes", type=int, nargs="?", default=100)
    ap.add_argument("--rounds", type=int, default=20, help="blocks of each size (default 20)")
    ap.add_argument("--chain", type=int, default=1000, help="blocks the nodes start with (default 1000)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="network threads of scale_bench")
    # Below Linux's ephemeral range (32768-60999): there, the nodes' own
    # outgoing connections could take a port before a later node listens on it.
    ap.add_argument("--port-base", type=int, default=21000, help="first P2P port of the processes (default 21000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=None, help="output directory (default build/scale-N)")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-bench", action="store_true", help="skip scale_bench (propagation, in-process memory)")
    ap.add_argument("--no-processes", action="store_true", help="skip the real-process memory phase")
    ap.add_argument("--no-load", action="store_true", help="skip load_bench")
    ap.add_argument("--load-seconds", type=int, default=60)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    out = args.out or os.path.join(ROOT, "build", f"scale-{args.nodes}")
    os.makedirs(out, exist_ok=True)
    try:
        if not args.no_build:
            build()
        report = [f"machine: {os.cpu_count()} cores, load average before the run {loadavg()}\n"]
        print(report[0], end="", flush=True)
        if not args.no_bench:
            csv_path = os.path.join(out, "arrivals.csv")
            run_logged([os.path.join(BUILD, "bench", "scale", "scale_bench"), "--nodes", str(args.nodes), "--rounds",
                        str(args.rounds), "--chain", str(args.chain), "--threads", str(args.threads), "--seed",
                        str(args.seed), "--csv", csv_path], report)
            png = os.path.join(out, "propagation_cdf.png")
            cdf_png.draw(csv_path, png)
            report.append(f"CDF of arrival times: {png}\n")
        if not args.no_processes:
            processes_phase(args, report)
        if not args.no_load:
            run_logged([os.path.join(BUILD, "bench", "scale", "load_bench"), "--seconds", str(args.load_seconds)],
                       report)
        report.append(f"load average after the run {loadavg()}\n")
        with open(os.path.join(out, "report.txt"), "w") as f:
            f.writelines(report)
        print(f"\n==== report ({out}/report.txt)\n" + "".join(report), end="")
    finally:
        stop_children()


if __name__ == "__main__":
    main()
