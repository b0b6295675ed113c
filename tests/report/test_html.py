"""The HTML report: standalone, escaped, and (when Chromium is installed) really drawn by a browser."""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from loader.core.tokens import FixedRatioCounter
from loader.report.compute import OnDemandInput, Prices, SkillSizes, compute
from loader.report.html import render_html
from tests.conftest import CliResult

PRICES = Prices("m", 3.0, 3.75, 0.3, 15.0, "test", "2026-01-01")


def page(on_demand: OnDemandInput | None = None, name: str = "pdf-forms") -> str:
    skill = SkillSizes(name, "Fill in PDF forms.", "", "---\nname: x\n---\n" + "body " * 400, "body " * 400,
                       {"ref.md": "reference " * 900})
    report = compute([skill], FixedRatioCounter(), budget_chars=8000, budget_source="test", prices=PRICES,
                     turns=5, on_demand=on_demand, prefix="prefix text")
    out = io.StringIO()
    render_html(report, out)
    return out.getvalue()


def test_page_is_standalone_with_a_bar_per_scenario() -> None:
    html = page(OnDemandInput("prefix text", (("body " * 400, ("pdf-forms",)), ("", ()))))
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r'(src|href)="https?:', html)
    bars = re.findall(r'<rect class="bar" data-scenario="([a-z-]+)" data-tokens="(\d+)"', html)
    assert [b[0] for b in bars] == ["eager-refs", "eager", "listing", "on-demand"]
    tokens = [int(b[1]) for b in bars]
    assert tokens[0] > tokens[1] > 0
    assert tokens[3] == 3 + (500 + 0) / 2  # chars/4: "prefix text" is 3, the tails 500 and 0
    assert 'id="skills"' in html and ">pdf-forms<" in html


def test_without_prompts_the_last_bar_is_the_prefix_floor() -> None:
    html = page()
    assert "on-demand floor: prefix only" in html
    assert "depends on the prompts" in html


def test_library_text_is_escaped() -> None:
    html = page(name="<img src=x onerror=alert(1)>")
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_same_report_same_bytes() -> None:
    assert page() == page()


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into rows of raw pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, channels, rows


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_headless_chromium_draws_the_chart(cli: Callable[..., CliResult], make_skill: Callable[..., Path],
                                           tmp_path: Path) -> None:
    make_skill("pdf-forms", body="# Steps\n\n" + "Fill every field of the form carefully.\n" * 200)
    make_skill("sql-review", body="# Review\n\n" + "Check joins and NULL handling.\n" * 50)
    prompts = tmp_path / "p.jsonl"
    prompts.write_text('{"query": "fill in the pdf forms", "expected": ["pdf-forms"]}\n', encoding="utf-8")
    target = tmp_path / "report.html"
    assert cli("report", tmp_path / "skills", "--queries", prompts, "-f", "html", "-o", target).code == 0
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(["chromium", *flags, f"--user-data-dir={profile}", "--dump-dom", target.as_uri()],
                             capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert len(re.findall(r'<rect class="bar"', dom.stdout)) == 4  # parsed and kept by the browser
    shot = tmp_path / "report.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["chromium", *flags, f"--user-data-dir={profile}", f"--screenshot={shot}",
                        "--window-size=1200,1400", target.as_uri()], capture_output=True, timeout=120, check=False)
    width, channels, rows = _png_pixels(shot.read_bytes())
    colours = Counter(row[i:i + 3] for row in rows for i in range(0, width * channels, channels))
    assert len(colours) > 50  # not a blank page
    for bar in ("c44536", "e07a5f", "3d5a80", "2a9d8f"):  # each bar's fill, painted over many pixels
        assert colours[bytes.fromhex(bar)] > 500, bar
