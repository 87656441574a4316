#!/usr/bin/env python3
"""CPU (user+sys, from the children's rusage) and wall time of each command, the commands run in
turn RUNS times, so a load that changes during the run weighs on all of them alike.

    interleaved.py RUNS "command args" ...    (the first command is the base of the ratios)

Each command is started with posix_spawn, whose child-side cost is counted too: absolute values
run higher than hyperfine's, ratios are what to read."""
import os, resource, statistics, sys, time


def once(argv):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    os.waitpid(pid, 0)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return cpu * 1e3, wall * 1e3


def main():
    runs = int(sys.argv[1])
    commands = sys.argv[2:]
    samples = [([], []) for _ in commands]
    for _ in range(runs):
        for command, (cpu, wall) in zip(commands, samples):
            c, w = once(command.split())
            cpu.append(c)
            wall.append(w)
    base_cpu = statistics.mean(samples[0][0])
    base_wall = statistics.mean(samples[0][1])
    print(f"Interleaved, {runs} rounds:")
    print("| command | CPU mean | CPU median | wall mean | CPU vs first | wall vs first |")
    print("|---|---|---|---|---|---|")
    for command, (cpu, wall) in zip(commands, samples):
        print(f"| {command} | {statistics.mean(cpu):.3f} ms | {statistics.median(cpu):.3f} ms "
              f"| {statistics.mean(wall):.3f} ms | {statistics.mean(cpu) / base_cpu:.1f}x "
              f"| {statistics.mean(wall) / base_wall:.1f}x |")


main()
