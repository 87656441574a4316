#!/usr/bin/env python3
"""Python baselines for cib/BENCHMARKS.md: one mode per process so peak RSS is its own.

  python3 python_baseline.py etree FILE      # xml.etree.ElementTree.fromstring
  python3 python_baseline.py masakari FILE   # masakari-monitors ParseCibXml + get_node_state_tag_list

Prints the best of ten runs and the process's peak resident memory (ru_maxrss).
"""
import resource
import sys
import time
from xml.etree import ElementTree


def etree(text):
    return len(ElementTree.fromstring(text))


def masakari(text):
    from masakarimonitors.hostmonitor.host_handler import parse_cib_xml
    parser = parse_cib_xml.ParseCibXml()
    parser.set_cib_xml(text)
    return len(parser.get_node_state_tag_list())


def main():
    mode, path = sys.argv[1], sys.argv[2]
    work = {"etree": etree, "masakari": masakari}[mode]
    with open(path) as f:
        text = f.read()
    if mode == "masakari":
        # Import outside the timed region.
        from masakarimonitors.hostmonitor.host_handler import parse_cib_xml  # noqa: F401
    best = float("inf")
    for _ in range(10):
        start = time.perf_counter()
        work(text)
        best = min(best, time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"python {mode}: best of 10: {best * 1000:.1f} ms; peak RSS {peak:.1f} MiB")


if __name__ == "__main__":
    main()
