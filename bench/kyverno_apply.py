#!/usr/bin/env python3
"""guard's Kyverno evaluation against `kyverno apply` (the upstream CLI at the
same version, built by scripts/tools.sh) on the same generated Deployments and
the same policies: wall time (median of RUNS) and the violations each reports,
which must be equal.

    bench/kyverno_apply.py [N=2000] [RUNS=5]
"""
import glob, json, os, re, statistics, subprocess, sys, tempfile, time

os.chdir(os.path.join(os.path.dirname(__file__), ".."))
n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
subprocess.run(["scripts/tools.sh"], check=True)
subprocess.run(["go", "build", "-o", "bin/guard", "./cmd/guard"], check=True)
work = tempfile.mkdtemp()
subprocess.run([sys.executable, "bench/gen_deployments.py", str(n), work], check=True)
manifests, values = f"{work}/deployments.yaml", f"{work}/values.yaml"
policies = sorted(glob.glob("policies/kyverno/*/policy.yaml"))

def timed(cmd):
    times = []
    for _ in range(runs):
        start = time.monotonic()
        out = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.monotonic() - start)
    return statistics.median(times), out

guard_t, out = timed(["bin/guard", "check", "--policy", "policies/kyverno", "--format", "json", manifests])
guard_fail = json.loads(out.stdout)["summary"]["failures"]
kyverno_t, out = timed([".cache/bin/kyverno", "apply", *policies, "--resource", manifests, "--values-file", values])
kyverno_fail = int(re.findall(r"fail: (\d+)", out.stdout + out.stderr)[-1])

print(f"deployments: {n} (half privileged), policies: {len(policies)}, runs: {runs}")
print(f"guard check (Kyverno engine): {guard_t:.2f} s, {guard_fail} violations")
print(f"kyverno apply:                {kyverno_t:.2f} s, {kyverno_fail} violations")
print(f"speed-up: {kyverno_t / guard_t:.1f}x")
if guard_fail != kyverno_fail:
    sys.exit("verdicts differ")
