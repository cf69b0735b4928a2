"""What bench/scale.py and bench/startup.py share: one run of guard under
/usr/bin/time -v, and their section of docs/benchmarks.md (between
<!-- name --> and <!-- /name -->, which bench/peers.py keeps)."""
import os, re, subprocess, sys


def guard(args, env=None, ok=(0, 1)):
    """Runs bin/guard once under /usr/bin/time -v: (seconds, peak RSS in MB, exit code)."""
    out = subprocess.run(["/usr/bin/time", "-v", "bin/guard", *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})})
    if out.returncode not in ok:
        sys.exit(f"guard {' '.join(args)}: exit {out.returncode}\n{out.stderr}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", out.stderr).group(1)
    seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.split(":"))))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1)) / 1024
    return seconds, rss, out.returncode


def write_section(name, lines, path="docs/benchmarks.md"):
    """Puts lines (which start with <!-- name --> and end with <!-- /name -->)
    in place of the section's old text, or at the end of the file."""
    text = open(path).read()
    section = "\n".join(lines)
    if f"<!-- {name} -->" in text:
        text = re.sub(rf"<!-- {name} -->.*?<!-- /{name} -->\n?", lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    open(path, "w").write(text)
