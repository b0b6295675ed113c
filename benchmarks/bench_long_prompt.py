"""Benchmark: time and peak memory of the hook and ``skills match`` on pathological prompts.

Run: ``python benchmarks/bench_long_prompt.py [--skills 200] [--timeout 300]``.
Each case is one fresh process through the console entry point, on a library whose index is
already built: the hook reads the event JSON on stdin; ``skills match`` gets the prompt as its
argument (set in-process by a small launcher, since Linux refuses a single argument over
128 KiB). Peak memory is the child's own ``ru_maxrss`` (``os.wait4``), so the benchmark's
memory does not count. Cases: a 16 KB prompt (the reference), one 60,000-letter word, and a
2 MB pasted log of made-up words with a request at its end. A run that passes ``--timeout``
is killed and reported as such.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hook import generate  # noqa: E402

LAUNCH = """
import sys
from pathlib import Path
args = sys.argv[1:]
if args[0] == "match":  # the prompt comes from a file: too long for one argv entry
    args[1] = Path(args[1]).read_text(encoding="utf-8")
sys.argv = ["skills", *args]
from loader.cli.entry import run
run()
"""
REQUEST = "Please fill in the pdf form fields of the attached invoice."


def pasted(size: int, seed: int = 3) -> str:
    """About ``size`` characters of log-like made-up words (mostly unknown to the library), then a request."""
    rng = random.Random(seed)
    words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 14))) for _ in range(5000)]
    out: list[str] = []
    length = 0
    while length < size - len(REQUEST):
        line = " ".join(rng.choice(words) for _ in range(12))
        out.append(line)
        length += len(line) + 1
    return "\n".join(out) + "\n" + REQUEST


def measure(argv: list[str], stdin: bytes, timeout: float) -> tuple[float, float, str]:
    """Run ``argv`` once: wall seconds, peak RSS in MB, and ``ok``/``exit N``/``killed``."""
    with tempfile.TemporaryFile() as feed:
        feed.write(stdin)
        feed.seek(0)
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=feed, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        status = "ok"
        while True:
            pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                _, code, usage = os.wait4(proc.pid, 0)
                status = "killed"
                break
            time.sleep(0.005)
        elapsed = time.perf_counter() - start
        proc.returncode = 0  # reaped by os.wait4 above; stop Popen from waiting again
    if status == "ok" and os.waitstatus_to_exitcode(code) != 0:
        status = f"exit {os.waitstatus_to_exitcode(code)}"
    return elapsed, usage.ru_maxrss / 1024, status  # ru_maxrss is in KiB on Linux


def main() -> None:
    """Print one row per (entry point, prompt): seconds, peak MB, outcome."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skills", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    rng = random.Random(5)
    word = "".join(rng.choice(string.ascii_lowercase) for _ in range(60_000))  # varied: every slip is new
    cases = {"16 KB prompt": pasted(16_000), "60,000-letter word": word, "2 MB prompt": pasted(2_000_000)}
    with tempfile.TemporaryDirectory() as tmp:
        root, state = Path(tmp) / "skills", Path(tmp) / "state"
        generate(root, args.skills)
        env = {**os.environ, "XDG_STATE_HOME": str(state), "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        os.environ.update(env)  # children inherit it: no hook memory or log in the real state folder
        launch = [sys.executable, "-c", LAUNCH]
        measure([*launch, "index", str(root)], b"", args.timeout)  # build the index once
        print(f"{args.skills} skills, python {sys.version.split()[0]}")
        print(f"{'entry point':<14} {'prompt':<20} {'seconds':>8} {'peak MB':>8}  outcome")
        for label, prompt in cases.items():
            prompt_file = Path(tmp) / "prompt.txt"
            prompt_file.write_text(prompt, encoding="utf-8")
            event = json.dumps({"session_id": f"bench-{label}", "hook_event_name": "UserPromptSubmit",
                                "cwd": tmp, "prompt": prompt}).encode()
            runs = {"skills hook": ([*launch, "hook", "--library", str(root)], event),
                    "skills match": ([*launch, "match", str(prompt_file), "--skills", str(root)], b"")}
            for entry, (argv, stdin) in runs.items():
                seconds, peak, status = measure(argv, stdin, args.timeout)
                print(f"{entry:<14} {label:<20} {seconds:>8.2f} {peak:>8.0f}  {status}", flush=True)


if __name__ == "__main__":
    main()
