#!/usr/bin/python3
"""Peak memory of the PyTorch reference beside `deploy/sparkcnn bench`'s memory columns.

Runs ../shared/bench/pytorch_reference.py (the reference of `bench`; needs Debian's PyTorch:
`apt-get install -y python3-torch`) once per workload, each in a process of its own, and prints
the script's line for the workload with the peak resident set of that process appended, as
`bench` appends its own (its last line, peak_rss_mb, is the whole JVM's):
  `W2 resnet20 threads=2 images_per_sec=... peak_rss_mb=...`
The peak is the child's ru_maxrss (os.wait4, Linux: KiB), so each workload is measured alone,
interpreter and libtorch included, in MiB.
Usage: pytorch_memory.py [--threads N] [--workloads W1,W2,W3] [--seconds S] [--script PATH]
"""
import argparse, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "bench",
                                       "pytorch_reference.py"))


def run(script, workload, threads, seconds):
    """The script's output for one workload and the peak RSS of its process, in MiB."""
    child = subprocess.Popen([sys.executable, script, "--threads", str(threads), "--workloads",
                              workload, "--seconds", str(seconds)], stdout=subprocess.PIPE,
                             text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{script} --workloads {workload} failed with status {child.returncode}")
    return out.strip(), usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--workloads", default="W1,W2,W3")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--script", default=SCRIPT, help="pytorch_reference.py (default: %(default)s)")
    a = ap.parse_args()
    if not os.path.isfile(a.script):
        raise SystemExit(f"no {a.script}; give --script PATH of pytorch_reference.py")
    for w in a.workloads.split(","):
        line, rss_mb = run(a.script, w, a.threads, a.seconds)
        print(f"{line} peak_rss_mb={rss_mb:.1f}", flush=True)


if __name__ == "__main__":
    main()
