"""Benchmark start-up with a warm index: ``skills mcp`` until it answers ``initialize`` (and a first search),
and ``skills dev`` until it prints ``watching``.

Run: ``python benchmarks/bench_mcp_startup.py [--library /work/shared/corpus] [--rounds 5]``. The index
is built once into a temporary file (``--index``), so nothing is written into the library; each
round is a fresh process, as a client starting the server pays it. Prints the median and the
spread of each figure. Needs ``skillpack[mcp]`` for the MCP part.
"""

from __future__ import annotations

import argparse
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRY = [sys.executable, "-c", "from loader.cli.entry import run; run()"]


def mcp_round(library: Path, index: Path, *extra: str) -> tuple[float, float]:
    """Seconds to ``initialize``, then to the first ``search_skills`` answer."""
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=ENTRY[0], args=[*ENTRY[1:], "mcp", str(library), "--index", str(index),
                                                                  *extra])
    times: dict[str, float] = {}

    async def run() -> None:
        started = time.perf_counter()
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            times["initialize"] = time.perf_counter() - started
            await session.call_tool("search_skills", {"query": "fill in a PDF form"})
            times["search"] = time.perf_counter() - started

    anyio.run(run)
    return times["initialize"], times["search"]


def dev_round(library: Path, index: Path) -> float:
    """Seconds until ``skills dev`` prints its ``watching`` line."""
    started = time.perf_counter()
    proc = subprocess.Popen([*ENTRY, "dev", str(library), "--index", str(index)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            line = proc.stdout.readline() if ready else ""
            if not line:
                raise RuntimeError("skills dev ended or stalled before watching")
            if line.startswith("watching "):
                return time.perf_counter() - started
    finally:
        proc.kill()
        proc.wait()


def _show(label: str, values: list[float]) -> None:
    print(f"{label:<28} median {statistics.median(values) * 1000:7.0f} ms   "
          f"min {min(values) * 1000:6.0f}   max {max(values) * 1000:6.0f}   (n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=Path("/work/shared/corpus"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-dev", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index.sqlite"
        subprocess.run([*ENTRY, "index", str(args.library), "--index", str(index), "-q"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rounds = [mcp_round(args.library, index) for _ in range(args.rounds)]
        _show("mcp: initialize", [r[0] for r in rounds])
        _show("mcp: initialize + search", [r[1] for r in rounds])
        bare = [mcp_round(args.library, index, "--no-watch") for _ in range(args.rounds)]
        _show("mcp --no-watch: initialize", [r[0] for r in bare])
        imports = []
        for _ in range(args.rounds):  # the floor: Python, the CLI and the MCP SDK imported, nothing run
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import loader.cli.main, loader.runtime.mcp"], check=True)
            imports.append(time.perf_counter() - started)
        _show("import CLI + MCP SDK only", imports)
        if not args.skip_dev:
            _show("dev: until watching", [dev_round(args.library, index) for _ in range(args.rounds)])


if __name__ == "__main__":
    main()
