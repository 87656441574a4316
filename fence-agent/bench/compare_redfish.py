#!/usr/bin/env python3
"""Side-by-side benchmark: fence_redfish (fence-agents 4.12.1, Python requests) vs
fence_redfish_rs against one sushy-emulator (sushy-tools 2.2.0, fake driver) on 127.0.0.1, in
one run.

For each agent and action (status, off, on, reboot) it runs RUNS times and reports the median
and spread (min..max) of wall time, CPU time (user+sys) and peak RSS, and the ratios (the
measurement is compare.py's); for status also curl's one GET of the same system, the time the
service itself takes to answer, which bounds any agent's status. The fake driver lands a power change 1-11 s (random) after the
reset; here its delay is pinned to 0 (the emulator's config replaces random.randint), so a
change lands on the first read after the reset and off/on/reboot measure each agent's own
overhead beyond the emulator's delay. Both agents use the defaults (power_wait 0,
stonith_status_sleep 1) and ssl_insecure (the emulator's certificate is self-signed).

Usage: fence-agent/bench/compare_redfish.py [--runs N] [--ours PATH]   (or FENCE_REDFISH_RS=PATH)
Build ours first: cargo build --release -p fence-agent. Needs the lab venv's sushy-emulator
(make deps), fence_redfish, openssl and GNU time (/usr/bin/time).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import ssl

from compare import measure, print_table

VENV = os.environ.get("MASAKARI_LAB_CACHE", "/var/cache/masakari-pcmk-lab") + "/venv"
UUID = "6a1c3f4e-0000-4000-8000-00000000be11"
PASSWORD = "bench-pw"
CURL = "curl, one GET (the service's floor)"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """sushy-emulator --fake in a temp dir (one system, power changes land at once), killed by PID."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="fence-redfish-bench-", dir="/var/tmp")
        self.port = free_port()
        d = self.dir
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", f"{d}/key.pem", "-out", f"{d}/cert.pem", "-subj", "/CN=127.0.0.1"],
                       check=True, capture_output=True)
        with open(f"{d}/password", "w") as f:
            f.write(PASSWORD)
        hashed = subprocess.run(
            [f"{VENV}/bin/python3", "-c",
             "import bcrypt,sys;print(bcrypt.hashpw(open(sys.argv[1],'rb').read(),bcrypt.gensalt(rounds=4)).decode())",
             f"{d}/password"], check=True, capture_output=True, text=True).stdout.strip()
        with open(f"{d}/htpasswd", "w") as f:
            f.write(f"admin:{hashed}\n")
        os.mkdir(f"{d}/state")
        with open(f"{d}/sushy.conf", "w") as f:
            f.write("import random as _random\n_random.randint = lambda a, b: 0\n"
                    "SUSHY_EMULATOR_FAKE_DRIVER = True\n"
                    f"SUSHY_EMULATOR_LISTEN_IP = '127.0.0.1'\nSUSHY_EMULATOR_LISTEN_PORT = {self.port}\n"
                    f"SUSHY_EMULATOR_SSL_CERT = '{d}/cert.pem'\nSUSHY_EMULATOR_SSL_KEY = '{d}/key.pem'\n"
                    f"SUSHY_EMULATOR_AUTH_FILE = '{d}/htpasswd'\nSUSHY_EMULATOR_STATE_DIR = '{d}/state'\n"
                    f"SUSHY_EMULATOR_FAKE_SYSTEMS = [{{'uuid': '{UUID}', 'name': 'bench', "
                    "'power_state': 'On', 'external_notifier': False, 'nics': []}]\n")
        log = open(f"{d}/sushy.log", "w")
        self.proc = subprocess.Popen([f"{VENV}/bin/sushy-emulator", "--fake", "--config", f"{d}/sushy.conf"],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        for _ in range(100):
            try:
                self.power()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("sushy-emulator did not answer; see " + f"{d}/sushy.log")

    def _request(self, path, body=None):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        req = urllib.request.Request(f"https://127.0.0.1:{self.port}{path}", data=body)
        req.add_header("Authorization", "Basic " + __import__("base64").b64encode(
            f"admin:{PASSWORD}".encode()).decode())
        if body:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
            return r.read()

    def power(self):
        return json.loads(self._request(f"/redfish/v1/Systems/{UUID}"))["PowerState"]

    def set_power(self, on):
        if (self.power() == "On") != on:
            body = json.dumps({"ResetType": "On" if on else "ForceOff"}).encode()
            self._request(f"/redfish/v1/Systems/{UUID}/Actions/ComputerSystem.Reset", body)
        while (self.power() == "On") != on:
            time.sleep(0.05)

    def close(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(__file__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ours", default=os.path.join(here, "..", "..", "target", "release", "fence_redfish_rs"))
    args = ap.parse_args()
    ours = os.path.abspath(os.environ.get("FENCE_REDFISH_RS", args.ours))
    bmc = Emulator()
    try:
        common = ["-a", f"127.0.0.1:{bmc.port}", "-l", "admin", "-p", PASSWORD, "--ssl-insecure",
                  f"--systems-uri=/redfish/v1/Systems/{UUID}"]
        agents = [("fence_redfish", ["/usr/sbin/fence_redfish"]), ("fence_redfish_rs", [ours])]
        actions = [("status", True, 0), ("off", True, 0), ("on", False, 0), ("reboot", True, 0)]
        rows = {}
        for action, start_on, waits in actions:
            for name, argv in agents:
                samples = []
                for _ in range(args.runs):
                    bmc.set_power(start_on)
                    wall, cpu, rss, code = measure(argv + common + ["-o", action], os.path.join(bmc.dir, "rss"))
                    want = "On" if action != "off" else "Off"
                    if code not in (0, 2) or bmc.power() != want:
                        print(f"{name} {action} exited {code}, power {bmc.power()}", file=sys.stderr)
                    samples.append((wall, cpu, rss))
                rows[(action, name)] = samples, waits
        # The service's own answer to one status read, through a minimal client (curl: one GET on a
        # new TLS connection, as both agents make): no agent's status can be faster than this.
        netrc = os.path.join(bmc.dir, "netrc")
        with open(netrc, "w") as f:
            f.write(f"machine 127.0.0.1 login admin password {PASSWORD}\n")
        curl = ["curl", "-sfk", "-o", "/dev/null", "--netrc-file", netrc,
                f"https://127.0.0.1:{bmc.port}/redfish/v1/Systems/{UUID}"]
        bmc.set_power(True)
        samples = []
        for _ in range(args.runs):
            wall, cpu, rss, code = measure(curl, os.path.join(bmc.dir, "rss"))
            if code != 0:
                raise SystemExit(f"curl of the system exited {code}: its times would mean nothing")
            samples.append((wall, cpu, rss))
        rows[("status", CURL)] = samples, 0
        agents.append((CURL, curl))
        print_table(rows, actions, agents, args.runs, overhead=False,
                    footer=f"\n{args.runs} runs per cell; the emulator's power delay pinned to 0, "
                    "so off/on/reboot wall is all overhead.")
    finally:
        bmc.close()


if __name__ == "__main__":
    main()
