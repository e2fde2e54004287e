"""The seed's HTML report in a real browser: headless Chromium loads it without console errors, the network SVG is
in the DOM, and a screenshot shows it drawn (the neurons' fills and the weights' lines are there in pixels).

Needs ``chromium`` on PATH (``apt-get install chromium``); skipped, saying so, without it. The PNG screenshot is
decoded here with zlib and numpy (no imaging library).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from grader.grade.pipeline import Grader
from grader.report import render
from grader.report.svg import FILL, STROKE

ROOT = Path(__file__).parents[1]
SEED = "submissions_examples/exercise6_seed.yaml"
WIDTH, HEIGHT = 900, 2400
# Chromium logs every console message (console.error, uncaught exceptions) as "...:INFO:CONSOLE..." on stderr.
CONSOLE = re.compile(r"CONSOLE|Uncaught|net::ERR_|Failed to load resource", re.IGNORECASE)


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    return exe


def run_chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
        *args, page.as_uri(),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


def read_png(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) into an (h, w, channels) array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        pos += 12 + n
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    out = np.zeros((h, stride), np.uint8)
    prev = np.zeros(stride, np.uint8)
    for y in range(h):
        start = y * (stride + 1)
        kind, line = raw[start], np.frombuffer(raw, np.uint8, stride, start + 1)
        if kind == 0:
            cur = line.copy()
        elif kind == 1:  # Sub: a running sum along each channel, mod 256
            cur = np.cumsum(line.reshape(w, bpp), axis=0, dtype=np.uint8).reshape(stride)
        elif kind == 2:  # Up
            cur = line + prev
        else:  # Average (3) and Paeth (4) depend on the pixel to the left: byte by byte
            cur, up = bytearray(line.tobytes()), prev.tobytes()
            for x in range(stride):
                a = cur[x - bpp] if x >= bpp else 0
                b = up[x]
                if kind == 3:
                    cur[x] = (cur[x] + ((a + b) >> 1)) & 255
                else:
                    c = up[x - bpp] if x >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    cur[x] = (cur[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            cur = np.frombuffer(bytes(cur), np.uint8)
        out[y] = cur
        prev = out[y]
    return out.reshape(h, w, bpp)[:, :, :3]


def near(img: np.ndarray, hex_colour: str, tol: int = 12) -> np.ndarray:
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], np.int16)
    return (np.abs(img.astype(np.int16) - rgb) <= tol).all(axis=2)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    result = dataclasses.replace(Grader().grade_file(ROOT / SEED), source=SEED)
    path = tmp_path_factory.mktemp("report") / "exercise6_seed.html"
    path.write_text(render(result, "html"), encoding="utf-8")
    return path


def test_the_console_check_sees_errors(tmp_path):
    """The check below would notice a broken page (so its silence means something)."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>console.error('boom'); notDefined()</script></body></html>")
    proc = run_chromium(tmp_path, bad, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_errors(proc.stderr), proc.stderr[-2000:]


def test_loads_without_console_errors_and_has_the_network(tmp_path, report):
    proc = run_chromium(tmp_path, report, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not console_errors(proc.stderr), console_errors(proc.stderr)
    dom = proc.stdout
    assert dom.count("<svg") == 1 and 'role="img"' in dom
    assert len(re.findall(r'class="neuron"', dom)) == 4 and len(re.findall(r'class="weight"', dom)) == 8
    assert dom.count('<div class="m">') == 20 and "z1 = w1·i1 + w2·i2 + b1" in dom  # the worked formulas


def test_screenshot_shows_the_network(tmp_path, report):
    png = tmp_path / "report.png"
    proc = run_chromium(tmp_path, report, f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}")
    assert proc.returncode == 0 and png.exists(), proc.stderr[-2000:]
    assert not console_errors(proc.stderr), console_errors(proc.stderr)
    img = read_png(png)
    assert img.shape == (HEIGHT, WIDTH, 3)
    # The neurons' fill (incorrect, in the seed) is used nowhere else on the page: find the drawing by it.
    fill = near(img, FILL["incorrect"], 4)
    assert fill.sum() > 2000, f"neuron fills not visible ({fill.sum()} pixels)"
    ys, xs = np.nonzero(fill)
    y0, y1 = max(ys.min() - 120, 0), min(ys.max() + 120, HEIGHT)
    x0, x1 = max(xs.min() - 260, 0), min(xs.max() + 60, WIDTH)
    region = img[y0:y1, x0:x1]
    assert x1 - x0 > 300 and y1 - y0 > 250, "the drawing is too small"
    ink = (region.astype(np.int16).sum(axis=2) < 720).mean()
    assert ink > 0.05, f"the network region is nearly blank ({ink:.1%} non-white)"
    lines = near(region, STROKE["incorrect"], 40).sum()
    assert lines > 1500, f"the weights' lines are not visible ({lines} pixels)"
