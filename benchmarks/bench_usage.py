"""Stream ~200 MB of synthetic Claude Code transcripts: time and peak memory of the reader and of ``skills usage``.

    python benchmarks/bench_usage.py [--megabytes 200] [--skills CORPUS]

Goal (issue 17): under 20 s and under 200 MB peak RSS on the project machine. Each measure runs
in a fresh process, so its peak RSS (``ru_maxrss`` of the child) is its own; transcripts are
written to a temporary folder, the matcher's index goes to a temporary cache.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic_transcripts import bulk  # noqa: E402

READER = """
import sys
from pathlib import Path
from loader.usage.locate import transcript_files
from loader.usage.transcripts import ReadStats, read_turns
stats = ReadStats()
turns = uses = 0
for turn in read_turns(transcript_files([Path(sys.argv[1])]), stats=stats):
    turns += 1
    uses += len(turn.uses)
print(f"{turns} turns, {uses} skill uses, {stats.lines} lines, {stats.malformed} malformed, "
      f"{stats.too_long} too long, {stats.bytes / 1e6:.0f} MB")
"""
CLI = """
import sys
from loader.cli.main import main
code = main(sys.argv[1:])
"""
PEAK = """
import resource
sys.stderr.write(f"PEAK {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n")
"""


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB (the child's own ``ru_maxrss``) and stdout's last line of one child."""
    args = [args[0], args[1] + PEAK, *args[2:]]
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {proc.stderr[-2000:]}")
    peak = next(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK "))
    return elapsed, peak / 1024, (proc.stdout.strip().splitlines() or [""])[-1]


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=200.0)
    parser.add_argument("--skills", default=str(HERE.parent.parent / "shared" / "corpus"))
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "transcripts"
        start = time.perf_counter()
        prompts = bulk(folder, ns.megabytes)
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"wrote {size:.0f} MB of transcripts ({prompts} prompts) in {time.perf_counter() - start:.1f} s")
        env = dict(os.environ, XDG_CACHE_HOME=str(Path(tmp) / "cache"))
        env.pop("SKILLPACK_DEBUG", None)
        seconds, peak, line = measure(["-c", READER, str(folder)], env)
        print(f"reader        {seconds:6.1f} s  peak RSS {peak:6.0f} MB  ({line})")
        if Path(ns.skills).is_dir():
            args = ["-c", CLI, "usage", "--transcripts", str(folder),
                    "--skills", ns.skills, "--index", str(Path(tmp) / "index.sqlite"), "--format", "json"]
            measure(args, env)  # build the index first, so the figure below is the warm one
            seconds, peak, _ = measure(args, env)
            print(f"skills usage  {seconds:6.1f} s  peak RSS {peak:6.0f} MB  (matching every prompt against "
                  f"{ns.skills}; index warm)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
