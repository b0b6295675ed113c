#!/usr/bin/env python3
"""List the slowest pytest tests, from a JUnit XML report or by running pytest.

Usage:
    python find_slow_tests.py --junit report.xml [--top 15] [--min-seconds 0.5]
    python find_slow_tests.py [--top 15] [--min-seconds 0.5] -- tests/ -k "not e2e"

Without --junit the script runs ``python -m pytest`` (with any arguments after ``--``),
asks it for a JUnit XML report in a temporary folder, and reads that. Standard library only.

Exit codes: 0 report printed, 1 some test took longer than --fail-over seconds, 2 could not run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Timing:
    """One test case and how long it took, as reported by pytest."""

    test_id: str
    seconds: float
    outcome: str


def parse_junit(path: Path) -> list[Timing]:
    """Read every ``<testcase>`` of a JUnit XML file (pytest's ``--junitxml`` format)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise SystemExit(f"error: cannot read JUnit XML {path}: {exc}") from None
    timings = []
    for case in root.iter("testcase"):
        classname = case.get("classname", "")
        name = case.get("name", "?")
        test_id = f"{classname}::{name}" if classname else name
        try:
            seconds = float(case.get("time", "0") or 0)
        except ValueError:
            seconds = 0.0
        outcome = "passed"
        for tag in ("failure", "error", "skipped"):
            if case.find(tag) is not None:
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[tag]
                break
        timings.append(Timing(test_id, seconds, outcome))
    return timings


def run_pytest(pytest_args: list[str]) -> list[Timing]:
    """Run pytest once with a JUnit report in a temporary folder and return its timings."""
    with tempfile.TemporaryDirectory(prefix="slow-tests-") as tmp:
        report = Path(tmp) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   f"--junitxml={report}", *pytest_args]
        print("running:", " ".join(command), file=sys.stderr)
        try:
            result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        except OSError as exc:
            raise SystemExit(f"error: cannot start pytest: {exc}") from None
        if not report.exists():
            detail = result.stderr.strip().splitlines()[-5:]
            raise SystemExit("error: pytest produced no report (exit code "
                             f"{result.returncode}); is pytest installed?\n" + "\n".join(detail))
        if result.returncode not in (0, 1):
            print(f"warning: pytest exited with code {result.returncode}", file=sys.stderr)
        return parse_junit(report)


def render(timings: list[Timing], top: int, min_seconds: float) -> str:
    """Format the slowest tests as an aligned table with a total line."""
    total = sum(t.seconds for t in timings)
    slow = sorted((t for t in timings if t.seconds >= min_seconds), key=lambda t: t.seconds, reverse=True)[:top]
    lines = [f"{'seconds':>9}  {'share':>6}  {'outcome':<8} test"]
    for t in slow:
        share = (t.seconds / total * 100) if total else 0.0
        lines.append(f"{t.seconds:9.3f}  {share:5.1f}%  {t.outcome:<8} {t.test_id}")
    if not slow:
        lines.append(f"(no test took {min_seconds} s or longer)")
    lines.append(f"{len(timings)} tests, {total:.2f} s in total; "
                 f"the {len(slow)} listed take {sum(t.seconds for t in slow):.2f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, collect timings, print the report and return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, pytest_args = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(description="List the slowest pytest tests.")
    parser.add_argument("--junit", type=Path, help="read this JUnit XML report instead of running pytest")
    parser.add_argument("--top", type=int, default=15, help="how many tests to list (default 15)")
    parser.add_argument("--min-seconds", type=float, default=0.0, help="hide tests faster than this")
    parser.add_argument("--fail-over", type=float, default=None,
                        help="exit 1 if any test took longer than this many seconds")
    args = parser.parse_args(argv)
    try:
        timings = parse_junit(args.junit) if args.junit else run_pytest(pytest_args)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    print(render(timings, max(args.top, 1), args.min_seconds))
    if args.fail_over is not None and any(t.seconds > args.fail_over for t in timings):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
