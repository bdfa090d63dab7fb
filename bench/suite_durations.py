"""Per-test times of the suite, as `pytest --durations=0` reports them.

    python bench/suite_durations.py                 # run the whole suite, then summarize
    python bench/suite_durations.py tests/hiring    # run part of it
    python bench/suite_durations.py --read out.txt  # summarize a saved run
    python bench/suite_durations.py --save out.txt  # run and keep the raw output

A test's time is the sum of its setup, call and teardown lines (pytest prints each phase on its own
line, and leaves out phases under 0.005 s only when asked to; --durations-min=0 keeps them all).
The wall time is pytest's own "in N.NNs" summary, so a saved file keeps it too.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict

LINE = re.compile(r"^\s*([0-9.]+)s\s+(setup|call|teardown)\s+(\S.*?)\s*$")
SUMMARY = re.compile(r"\bin ([0-9.]+)s\b")
COUNTS = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


def run_suite(args: list[str]) -> tuple[str, float, float]:
    """Run pytest with per-phase durations: its output, wall time and CPU time (user + system)."""
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--durations=0",
           "--durations-min=0", "-q", *args]
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pytest run (and what it started)
    return done.stdout + done.stderr, time.monotonic() - start, usage.ru_utime + usage.ru_stime


def summarize(output: str, measured_wall: float | None = None) -> dict:
    """Tests, median and mean seconds per test, and the wall time, from pytest's output."""
    per_test: dict[str, float] = defaultdict(float)
    for line in output.splitlines():
        match = LINE.match(line)
        if match:
            per_test[match.group(3)] += float(match.group(1))
    times = sorted(per_test.values())
    last = output.strip().splitlines()[-1] if output.strip() else ""
    walls = SUMMARY.findall(last)
    counts = {kind: int(n) for n, kind in COUNTS.findall(last)}
    return {
        "tests": len(times),
        "median": statistics.median(times) if times else 0.0,
        "mean": statistics.fmean(times) if times else 0.0,
        "sum": sum(times),
        "wall_pytest": float(walls[-1]) if walls else None,
        "wall_measured": measured_wall,
        "outcomes": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--read", help="summarize this saved pytest output instead of running")
    parser.add_argument("--save", help="also write the raw pytest output here")
    options, rest = parser.parse_known_args()
    cpu = None
    if options.read:
        with open(options.read) as fh:
            output, wall = fh.read(), None
    else:
        output, wall, cpu = run_suite(rest)
        if options.save:
            with open(options.save, "w") as fh:
                fh.write(output)
    result = summarize(output, wall)
    print(f"tests        {result['tests']}")
    print(f"outcomes     {result['outcomes']}")
    print(f"median/test  {result['median']:.3f} s")
    print(f"mean/test    {result['mean']:.3f} s")
    print(f"sum of tests {result['sum']:.1f} s")
    if result["wall_pytest"] is not None:
        print(f"wall (pytest) {result['wall_pytest']:.1f} s")
    if wall is not None:
        print(f"wall (measured) {wall:.1f} s")
    if cpu is not None:  # less sensitive than wall time to what else the machine is running
        print(f"cpu (user+sys) {cpu:.1f} s")


if __name__ == "__main__":
    main()
