#!/usr/bin/env python3
"""guard's own start-up against the work it does at the platform's size:
`guard check` on this repository and `guard test policies`, each timed
against `guard version` (the process start-up floor: every package's init,
no policy, no input) in the same run, as a ratio. Wall time is the median
of RUNS runs of each (interleaved, so a disturbance hits all three alike)
and memory the peak RSS, both from /usr/bin/time -v. The figures go into
docs/benchmarks.md between <!-- startup --> and <!-- /startup -->.

    bench/startup.py [RUNS]      (default 9; at least 7)

Goals (issue 17): check at most 2x version, test at most 3x.
"""
import os, statistics, subprocess, sys, time

import timed

COMMANDS = [
    ("version", ["version"]),
    ("check", ["check", "--format", "json", "--output", os.devnull]),
    ("test", ["test", "policies", "--format", "json", "--output", os.devnull]),
]
GOALS = {"check": 2.0, "test": 3.0}


def measure(args):
    """Runs guard once: (seconds, peak RSS in MB)."""
    seconds, rss, _ = timed.guard(args)
    return seconds, rss


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    if runs < 7:
        sys.exit("at least 7 runs")
    subprocess.run(["go", "build", "-o", "bin/guard", "./cmd/guard"], check=True)
    for _, args in COMMANDS:  # warm the page cache once
        measure(args)
    samples = {name: [] for name, _ in COMMANDS}
    for _ in range(runs):
        for name, args in COMMANDS:
            samples[name].append(measure(args))
    rows = {name: (statistics.median(s for s, _ in xs), max(r for _, r in xs)) for name, xs in samples.items()}
    floor = rows["version"][0]
    lines = ["<!-- startup -->", "## Start-up: `guard check` and `guard test` against `guard version`", "",
             f"Measured by `bench/startup.py` ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}): wall time the",
             f"median of {runs} interleaved runs, memory the peak RSS, both from `/usr/bin/time -v`; the ratio is",
             "to `guard version` in the same run (the process's start-up: every package's init, nothing loaded).", "",
             "| command | wall time | peak RSS | ratio to `guard version` | goal |", "|---|---|---|---|---|"]
    for name, args in COMMANDS:
        seconds, rss = rows[name]
        goal = f"at most {GOALS[name]:.0f}x" if name in GOALS else ""
        lines.append(f"| `guard {' '.join(a for a in args if a not in ('--format', 'json', '--output', os.devnull))}` "
                     f"| {seconds:.3f} s | {rss:.0f} MB | {seconds / floor:.1f}x | {goal} |")
        print(name, f"{seconds:.3f}s", f"{rss:.0f}MB", f"{seconds / floor:.2f}x", flush=True)
    lines += ["", "Reproduce: `bench/startup.py` (about a minute).", "<!-- /startup -->", ""]
    timed.write_section("startup", lines)

if __name__ == "__main__":
    main()
