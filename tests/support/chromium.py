"""Headless Chromium for the tests of pages we generate: the DOM it builds, a screenshot, its network log.

The page is opened from a file with everything that would reach out on its own switched off
(background networking, component updates, sync, QUIC), so what the net log shows is what the page
asked for. Chromium is Debian's ``chromium`` package; when it is absent the test fails, saying so.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 120
QUIET_SWITCHES = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    """The browser's path, or the test fails naming the package to install (never a skip)."""
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)", pytrace=False)
    return found


def _run(page: Path, work: Path, *switches: str) -> subprocess.CompletedProcess[str]:
    work.mkdir(parents=True, exist_ok=True)
    command = [
        chromium_path(),
        *QUIET_SWITCHES,
        f"--user-data-dir={work / 'profile'}",
        *switches,
        page.resolve().as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    if result.returncode != 0:
        pytest.fail(f"chromium exited {result.returncode}: {result.stderr[-2000:]}", pytrace=False)
    return result


def dump_dom(page: Path, work: Path, net_log: Path | None = None) -> str:
    """The DOM Chromium built from the page, serialized (``--dump-dom``); with ``net_log``, every
    network event of the run is written there (``--log-net-log``, see ``requested_urls``)."""
    switches = ["--dump-dom"] + ([f"--log-net-log={net_log}"] if net_log else [])
    return _run(page, work, *switches).stdout


def screenshot(page: Path, work: Path, png: Path, width: int, height: int) -> None:
    """A PNG of the page as a window of ``width`` x ``height`` pixels shows it."""
    _run(page, work, f"--screenshot={png}", f"--window-size={width},{height}")
    if not png.exists():
        pytest.fail(f"chromium wrote no screenshot at {png}", pytrace=False)


def page_requests(net_log: Path) -> list[str]:
    """The URLs a page opened from a file asked the network for, from a Chromium net log.

    The browser makes requests of its own even with background networking off (time, accounts);
    those have no origin. A page's own (an image, a font, a stylesheet, a script's fetch) start with
    the file page's network isolation key, which is how they are told apart here."""
    text = net_log.read_text(encoding="utf-8").rstrip().rstrip(",")
    if not text.endswith("}"):  # the browser may exit before closing the log's event list
        text += "]}"
    log = json.loads(text)
    event_names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    urls = []
    for event in log.get("events", []):
        params = event.get("params") or {}
        if event_names.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in params:
            isolation = str(params.get("network_isolation_key", ""))
            if isolation.startswith("file://") or params.get("initiator") == "null":
                urls.append(str(params["url"]))
    return urls


@dataclass(frozen=True)
class Png:
    """A decoded 8-bit RGB or RGBA PNG: its size and its rows of (r, g, b) pixels."""

    width: int
    height: int
    rows: list[list[tuple[int, int, int]]]

    def colours(self) -> dict[tuple[int, int, int], int]:
        counts: dict[tuple[int, int, int], int] = {}
        for row in self.rows:
            for pixel in row:
                counts[pixel] = counts.get(pixel, 0) + 1
        return counts


def read_png(path: Path) -> Png:
    """Decode a PNG with the standard library (zlib, struct): enough for Chromium's screenshots
    (8 bits per channel, RGB or RGBA, not interlaced). Raises ValueError for anything else."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    position, idat, header = 8, bytearray(), None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"{path}: bad CRC in {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        position += 12 + length
    if header is None:
        raise ValueError(f"{path}: no IHDR")
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace:
        raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour type {colour_type}, interlace {interlace})")
    channels = 4 if colour_type == 6 else 3
    stride = width * channels
    raw = zlib.decompress(bytes(idat))
    if len(raw) != height * (stride + 1):
        raise ValueError(f"{path}: {len(raw)} bytes of pixels for {width}x{height}")
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        line = _unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, channels)
        rows.append([(line[x], line[x + 1], line[x + 2]) for x in range(0, stride, channels)])
        previous = line
    return Png(width, height, rows)


def _unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> bytearray:
    """Undo one scanline's filter (PNG specification, section 9)."""
    if kind == 0:
        return line
    if kind == 1:
        for i in range(bpp, len(line)):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif kind == 2:
        for i in range(len(line)):
            line[i] = (line[i] + previous[i]) & 0xFF
    elif kind == 3:
        for i in range(len(line)):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[i] = (line[i] + predictor) & 0xFF
    else:
        raise ValueError(f"unknown PNG filter {kind}")
    return line
