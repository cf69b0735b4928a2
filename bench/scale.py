#!/usr/bin/env python3
"""guard alone at 10,000 and 100,000 resources and objects: wall time and
peak RSS measured with /usr/bin/time -v, written into docs/benchmarks.md
between the markers <!-- scale --> and <!-- /scale --> (bench/peers.py keeps
that section when it rewrites the file).

    bench/scale.py [RUNS]      (default 3 runs per size; about 10 minutes)

The inputs are bench/gen_platform.py's: the reference base plan with its
region module instantiated N times, and the app chart deployed M times.
"""
import json, os, statistics, subprocess, sys, tempfile, time

import timed

SIZES = [("10k", 2497, 625), ("100k", 24970, 6250)]
GOALS = {"10k": "peak RSS at most 800 MB", "100k": "at most 4 GB and 40 s"}


def measure(args, env=None):
    """Runs guard once: (seconds, peak RSS in MB, exit code)."""
    return timed.guard(args, env, ok=(0, 1, 2))


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    subprocess.run(["go", "build", "-o", "bin/guard", "./cmd/guard"], check=True)
    app = subprocess.run(["bin/guard", "inspect", "stacks/app"], capture_output=True, text=True, check=True).stdout
    rows = []
    for name, regions, releases in SIZES:
        with tempfile.TemporaryDirectory() as work:
            gen = subprocess.run([sys.executable, "bench/gen_platform.py", str(regions), str(releases), work],
                                 input=app, capture_output=True, text=True, check=True)
            counts = json.loads(gen.stdout)
            plan_mb = os.path.getsize(f"{work}/plan.json") / 1e6
            args = ["check", "--format", "json", "--output", f"{work}/report.json", f"{work}/plan.json", f"{work}/manifests.yaml"]
            results = [measure(args) for _ in range(runs)]
            unlimited = measure(args, {"GOMEMLIMIT": "off"})
            if any(code != 1 for _, _, code in results + [unlimited]):
                sys.exit(f"{name}: guard exited {[c for _, _, c in results]}, want 1 (the inputs hold violations)")
            summary = json.load(open(f"{work}/report.json"))["summary"]
            rows.append({"size": name, "resources": counts["resources"], "objects": counts["objects"], "plan_mb": plan_mb,
                         "seconds": statistics.median(r[0] for r in results), "rss": max(r[1] for r in results),
                         "failures": summary["failures"], "unlimited": unlimited})
            print(rows[-1], flush=True)
    lines = ["<!-- scale -->", "## guard alone above 10k",
             "",
             f"Measured by `bench/scale.py` ({os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}): `guard check` on",
             "bench/gen_platform.py's inputs, wall time the median of "
             f"{runs} runs and memory the peak RSS of any run, both from `/usr/bin/time -v`.",
             "guard sets a soft memory limit from the size of its input (GOMEMLIMIT overrides it).", "",
             "| size | Terraform resources | Kubernetes objects | plan JSON | wall time | peak RSS | without the limit | failing findings | goal |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['size']} | {r['resources']} | {r['objects']} | {r['plan_mb']:.0f} MB | {r['seconds']:.1f} s "
                     f"| {r['rss']:.0f} MB | {r['unlimited'][0]:.1f} s, {r['unlimited'][1]:.0f} MB | {r['failures']} | {GOALS[r['size']]} |")
    lines += ["", "\"Without the limit\" is one run with `GOMEMLIMIT=off`: the soft memory limit trades time for",
              "memory. OPA's AST of the input shares every repeated value (see the README's Performance",
              "section) and holds the plan's values alone (they are handed over as they are converted); the",
              "live heap peaks while the plan and manifests load, at 100k about 2 GB, and stays between",
              "1.2 and 1.9 GB during evaluation. The 40 s goal at 100k is not met: Rego evaluation is most",
              "of the time (its queries, two at a time, take 120 s together at 100k and 7 s at 10k: each",
              "policy pays per resource, and more than linearly above 10k), then, in CPU-seconds, loading",
              "(YAML and JSON decoding, 38), the collector (30), Kyverno's engine (22) and the conversion",
              "of the input for OPA (14, on one CPU), on 2 cores (GUARD_CPUPROFILE, GUARD_TRACE_POLICIES).",
              "", "Reproduce: `bench/scale.py` (about 10 minutes).", "<!-- /scale -->", ""]
    timed.write_section("scale", lines)

if __name__ == "__main__":
    main()
