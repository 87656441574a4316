#!/usr/bin/env python3
"""Side-by-side benchmark: fence_ipmilan (fence-agents 4.12.1 + ipmitool) vs fence_ipmilan_rs
against one OpenIPMI ipmi_sim BMC on 127.0.0.1.

For each agent and action (status, off, on, reboot) it runs RUNS times and reports the median
and spread (min..max) of wall time, CPU time (user+sys of the agent and its children) and
peak RSS (largest single process, from wait4 rusage), and the ratios. off/on/reboot use the
default power_wait (2 s); the "overhead" column is wall time minus the power_wait sleeps.

Usage: fence-agent/bench/compare.py [--runs N] [--ours PATH]   (or FENCE_RS=PATH)
Build ours first: cargo build --release -p fence-agent. Needs ipmi_sim, fence_ipmilan and
GNU time (/usr/bin/time).
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

CHASSIS = """#!/bin/sh
dir=$1; shift
case "$1 $2" in
 "get power") printf 'power:%s\\n' "$(cat "$dir/power" 2>/dev/null || echo 1)";;
 "set power") echo "$3" > "$dir/power";;
esac
"""

EMU = """mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
mc_enable 0x20
"""

AUTHS = "none md2 md5 straight"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sim:
    """ipmi_sim in a temp dir, killed by PID on exit."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="fence-bench-")
        self.port = free_port()
        script = os.path.join(self.dir, "chassis.sh")
        with open(script, "w") as f:
            f.write(CHASSIS)
        os.chmod(script, 0o755)
        os.mkdir(os.path.join(self.dir, "state"))
        with open(os.path.join(self.dir, "lan.conf"), "w") as f:
            f.write(
                f'name "bench"\nset_working_mc 0x20\n startlan 1\n  addr 127.0.0.1 {self.port}\n'
                f"  priv_limit admin\n  allowed_auths_callback {AUTHS}\n  allowed_auths_user {AUTHS}\n"
                f"  allowed_auths_operator {AUTHS}\n  allowed_auths_admin {AUTHS}\n"
                f"  guid a123456789abcdefa123456789abcdef\n endlan\n"
                f' chassis_control "{script} {self.dir}"\n'
                f' user 2 true "admin" "password" admin 10 {AUTHS}\n'
            )
        with open(os.path.join(self.dir, "emu.cmd"), "w") as f:
            f.write(EMU)
        self.set_power(True)
        log = open(os.path.join(self.dir, "sim.log"), "w")
        self.proc = subprocess.Popen(
            ["ipmi_sim", "-c", "lan.conf", "-f", "emu.cmd", "-s", "state", "-n"],
            cwd=self.dir, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        time.sleep(0.5)

    def set_power(self, on):
        with open(os.path.join(self.dir, "power"), "w") as f:
            f.write("1\n" if on else "0\n")

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def measure(cmd, rss_file):
    """Wall, CPU (self+children, via wait4) and peak RSS (KiB) of one run.

    Peak RSS comes from GNU time: a child forked from this Python process would report
    Python's own RSS from before its exec."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    start = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    with open(rss_file) as f:
        rss = int(f.read().split()[-1])
    return wall, usage.ru_utime + usage.ru_stime, rss, code


def stats(values):
    return statistics.median(values), min(values), max(values)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ours", default=os.path.join(os.path.dirname(__file__), "..", "..", "target", "release", "fence_ipmilan_rs"))
    args = ap.parse_args()
    ours = os.path.abspath(os.environ.get("FENCE_RS", args.ours))
    sim = Sim()
    try:
        common = ["-a", "127.0.0.1", "-u", str(sim.port), "-l", "admin", "-p", "password", "-P", "-C", "3"]
        agents = [("fence_ipmilan", ["/usr/sbin/fence_ipmilan"]), ("fence_ipmilan_rs", [ours])]
        actions = [("status", True, 0), ("off", True, 2), ("on", False, 2), ("reboot", True, 4)]
        rows = {}
        for action, start_on, waits in actions:
            for name, argv in agents:
                samples = []
                for _ in range(args.runs):
                    sim.set_power(start_on)
                    wall, cpu, rss, code = measure(argv + common + ["-o", action], os.path.join(sim.dir, "rss"))
                    if code not in (0, 2):
                        print(f"{name} {action} exited {code}", file=sys.stderr)
                    samples.append((wall, cpu, rss))
                rows[(action, name)] = samples, waits
        print_table(rows, actions, agents, args.runs)
    finally:
        sim.close()


def print_table(rows, actions, agents, runs, overhead=True, footer=None):
    """The Markdown table; `overhead` adds the wall-minus-power_wait column. An agent without a
    row for an action is left out of that action."""
    extra = " overhead over power_wait |" if overhead else ""
    print(f"| action | agent | wall median (min..max) |{extra} CPU median | peak RSS | wall ratio | CPU ratio |")
    print("|---|---|---|" + ("---|" if overhead else "") + "---|---|---|---|")
    for action, _, waits in actions:
        base = None
        for name, _ in agents:
            if (action, name) not in rows:
                continue
            samples, _ = rows[(action, name)]
            wall = stats([s[0] for s in samples])
            cpu = stats([s[1] for s in samples])
            rss = max(s[2] for s in samples)
            if base is None:
                base = (wall[0], cpu[0])
                ratio = ("1", "1")
            else:
                ratio = (f"{base[0] / wall[0]:.1f}x faster", f"{base[1] / max(cpu[0], 1e-6):.0f}x less")
            column = f" {wall[0] - waits:.3f} s |" if overhead else ""
            print(f"| {action} | {name} | {wall[0]:.3f} s ({wall[1]:.3f}..{wall[2]:.3f}) |{column} "
                  f"{cpu[0] * 1000:.1f} ms | {rss / 1024:.1f} MiB | {ratio[0]} | {ratio[1]} |")
    print(footer or f"\n{runs} runs per cell; off/on/reboot include power_wait=2 s per power change (overhead column subtracts it).")


if __name__ == "__main__":
    main()
