#!/usr/bin/env python3
"""guard side by side with the tools users would pick instead, on the same
inputs and the same policies, at the platform's size and scaled up.

    bench/peers.py [--quick]

For each size it generates the inputs (bench/gen_platform.py: a plan with N
regions, the app chart deployed M times) and runs
  - guard check: Rego + Kyverno in one run, on the plan and the manifests;
  - conftest test: the same Rego, on the same inputs as guard's input model
    (`guard inspect`, precomputed and not timed: conftest gets the model
    ready-made);
  - kyverno apply: the same ValidatingPolicies on the same manifests;
checks that conftest reports as many violations as guard's Rego policies and
kyverno apply as many as guard's Kyverno policies, and records the median wall
time and the peak RSS of each. It writes docs/benchmarks.md and
docs/benchmarks.png (bench/plot, gonum/plot).
"""
import glob, json, os, platform, re, resource, statistics, subprocess, sys, tempfile, time

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
QUICK = "--quick" in sys.argv
# (name, regions, releases): the platform as it is, then about 1,000 and
# 10,000 Kubernetes objects and Terraform resources.
SIZES = [("platform", 2, 2), ("1k", 247, 63), ("10k", 2497, 625)]
if QUICK:
    SIZES = SIZES[:2]


def measure(cmd, runs):
    """Median wall time over runs, the peak RSS (MB) of any run from the
    kernel's rusage of that process, and the last run's output."""
    walls, peaks = [], []
    for _ in range(runs):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.monotonic()
            proc = subprocess.Popen(cmd, stdout=out, stderr=err)
            _, _, usage = os.wait4(proc.pid, 0)
            proc.returncode = 0  # reaped above
            walls.append(time.monotonic() - start)
            peaks.append(usage.ru_maxrss / 1024)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode(), err.read().decode()
    return statistics.median(walls), max(peaks), stdout, stderr


def main():
    subprocess.run(["scripts/tools.sh", "--bench"], check=True)
    subprocess.run(["go", "build", "-o", "bin/guard", "./cmd/guard"], check=True)
    rendered = subprocess.run(["bin/guard", "inspect", "stacks/app"], check=True, capture_output=True).stdout
    policies = sorted(glob.glob("policies/kyverno/*/policy.yaml"))
    rows = []
    for name, regions, releases in SIZES:
        work = tempfile.mkdtemp(prefix=f"guard-bench-{name}-")
        gen = subprocess.run([sys.executable, "bench/gen_platform.py", str(regions), str(releases), work],
                             input=rendered, check=True, capture_output=True)
        size = json.loads(gen.stdout)
        inputs = [f"{work}/plan.json", f"{work}/manifests.yaml"]
        with open(f"{work}/input.json", "wb") as f:
            f.write(subprocess.run(["bin/guard", "inspect", *inputs], check=True, capture_output=True).stdout)

        fast = 3 if QUICK else 5
        g_t, g_rss, g_out, _ = measure(["bin/guard", "check", "--format", "json", *inputs], fast)
        report = json.loads(g_out)
        g_rego = sum(1 for f in report["findings"] if f["engine"] == "rego" and f["level"] == "deny" and not f["waived"])
        g_kyv = sum(1 for f in report["findings"] if f["engine"] == "kyverno" and f["level"] == "deny" and not f["waived"])

        c_t, c_rss, c_out, _ = measure([".cache/bin/conftest", "test", "--all-namespaces", "--no-color",
                                        "-p", "policies/rego", "-o", "json", f"{work}/input.json"], fast)
        c_fail = sum(len(r.get("failures") or []) for r in json.loads(c_out))

        slow = 3 if name == "platform" else 1
        k_t, k_rss, k_out, k_err = measure([".cache/bin/kyverno", "apply", *policies, "--resource", inputs[1],
                                            "--values-file", f"{work}/values.yaml"], slow)
        k_fail = int(re.findall(r"fail: (\d+)", k_out + k_err)[-1])

        ok = c_fail == g_rego and k_fail == g_kyv
        rows.append(dict(size=name, resources=size["resources"], objects=size["objects"],
                         guard_s=g_t, guard_mb=g_rss, guard_rego=g_rego, guard_kyverno=g_kyv,
                         conftest_s=c_t, conftest_mb=c_rss, conftest_violations=c_fail,
                         kyverno_s=k_t, kyverno_mb=k_rss, kyverno_violations=k_fail,
                         ratio=g_t / (c_t + k_t), agree=ok))
        print(json.dumps(rows[-1]), flush=True)
        if not ok:
            sys.exit(f"{name}: violations differ: guard rego {g_rego} vs conftest {c_fail}, guard kyverno {g_kyv} vs kyverno apply {k_fail}")
    write_docs(rows)


def write_docs(rows):
    with open("docs/benchmarks.json", "w") as f:
        json.dump(rows, f, indent=2)
    lines = [
        "# Benchmarks: guard and the tools users would pick instead", "",
        f"Measured by `bench/peers.py` on {platform.node() and 'the project machine'} "
        f"({os.cpu_count()} cores), {time.strftime('%Y-%m-%d')}. Each size is the reference base plan with its",
        "`region` module instantiated N times, plus the app chart (as rendered for the primary region) deployed",
        "M times; every other region has legacy ABAC on and every other release a privileged container, so",
        "every tool has violations to find. guard runs Rego and Kyverno in one `guard check`; conftest",
        "(v0.71.0) runs the same Rego on the same data (guard's input model, handed over ready-made);",
        "`kyverno apply` (v1.19.1) runs the same ValidatingPolicies on the same manifests. The violation",
        "counts of each peer equal guard's for the same policies, or the script fails.", "",
        "| size | Terraform resources | Kubernetes objects | guard | conftest | kyverno apply | guard / (conftest + kyverno apply) | violations (Rego, Kyverno) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['size']} | {r['resources']} | {r['objects']} | {r['guard_s']:.2f} s, {r['guard_mb']:.0f} MB "
                     f"| {r['conftest_s']:.2f} s, {r['conftest_mb']:.0f} MB | {r['kyverno_s']:.2f} s, {r['kyverno_mb']:.0f} MB "
                     f"| {r['ratio']:.3f} ({1 / r['ratio']:.0f}x faster) | {r['guard_rego']}, {r['guard_kyverno']} |")
    fast = 3 if QUICK else 5
    lines += ["", f"Wall time is the median of {fast} runs (guard, conftest) or of 3 runs (kyverno apply at the",
              "platform's size; 1 run above it); memory is the peak RSS of any run.", "",
              "![time against input size](benchmarks.png)", "",
              "Reproduce: `bench/peers.py` (about an hour: `kyverno apply` takes "
              f"{next(r['kyverno_s'] for r in rows if r['size'] == '1k'):.0f} s at 1k",
              "and about ten times that at 10k) or `bench/peers.py --quick` (the platform and 1k, about 10 minutes)"
              + (", which measured this table." if QUICK else "."), ""]
    # Sections other tools write (<!-- name --> ... <!-- /name -->: bench/scale.py's
    # guard above 10k, the Kyverno conformance timing) are kept as they are.
    scale = ""
    if os.path.exists("docs/benchmarks.md"):
        kept = re.finditer(r"<!-- (\w+) -->.*?<!-- /\1 -->\n?", open("docs/benchmarks.md").read(), flags=re.S)
        scale = "\n".join(m.group(0) for m in kept)
    with open("docs/benchmarks.md", "w") as f:
        f.write("\n".join(lines) + ("\n" + scale if scale else ""))
    subprocess.run(["go", "run", ".", "../../docs/benchmarks.json", "../../docs/benchmarks.png"], cwd="bench/plot", check=True)


if __name__ == "__main__":
    main()
