"""Wall-clock figures for xentderive, printed as a table (not part of the tests).

Usage:  python benchmarks/bench.py [--repeat N] [--classes 3,10,50,100]

Each row runs the installed command line in a fresh process (start-up included),
`--repeat` times, and reports the median.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CLI = [sys.executable, "-m", "xentderive"]


def wall(args: list[str], repeat: int) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        code = subprocess.run(CLI + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--classes", default="3,10,50,100")
    opts = parser.parse_args()
    rows = [("--help", ["--help"]), ("--version", ["--version"]), ("derive (symbolic C)", ["derive"])]
    rows += [(f"derive -C {n} --format json", ["derive", "-C", n, "--format", "json"]) for n in opts.classes.split(",")]
    print(f"{'command':<34} {'median s':>9} {'exit':>5}")
    for label, args in rows:
        seconds, code = wall(args, opts.repeat)
        print(f"{label:<34} {seconds:>9.2f} {code:>5}", flush=True)


if __name__ == "__main__":
    main()
