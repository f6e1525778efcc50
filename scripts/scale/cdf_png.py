"""Draws the CDF of arrival times written by scale_bench --csv as a PNG.

Standard library only (zlib + struct): no plotting package is needed.
x: milliseconds on a log scale; y: fraction of arrivals (one per node and
item) that came within x. One curve per kind (tx, block_1k, block_100k, block_100k_1sig);
dashed grey lines mark the 300 ms and 1 s bars.
"""
import csv
import math
import struct
import zlib

W, H = 900, 520
LEFT, RIGHT, TOP, BOTTOM = 70, 30, 30, 60
COLORS = {"tx": (31, 119, 180), "block_1k": (44, 160, 44), "block_100k": (214, 39, 40),
          "block_100k_1sig": (148, 103, 189)}
LABELS = {"tx": "TX", "block_1k": "1KB BLOCK", "block_100k": "100KB BLOCK",
          "block_100k_1sig": "100KB BLOCK OF 1 TX - 1 SIG"}

# 3x5 glyphs, rows top to bottom, 3 bits each (4 = left column).
FONT = {
    "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
    "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1],
    "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], ".": [0, 0, 0, 0, 2], "%": [5, 1, 2, 4, 5],
    " ": [0, 0, 0, 0, 0], "M": [5, 7, 7, 5, 5], "S": [7, 4, 7, 1, 7], "T": [7, 2, 2, 2, 2],
    "X": [5, 5, 2, 5, 5], "K": [5, 6, 4, 6, 5], "B": [6, 5, 6, 5, 6], "L": [4, 4, 4, 4, 7],
    "O": [7, 5, 5, 5, 7], "C": [7, 4, 4, 4, 7], "A": [2, 5, 7, 5, 5], "R": [6, 5, 6, 5, 5],
    "I": [7, 2, 2, 2, 7], "V": [5, 5, 5, 5, 2], "E": [7, 4, 6, 4, 7], "N": [5, 7, 7, 7, 5],
    "D": [6, 5, 5, 5, 6], "G": [7, 4, 5, 5, 7], "F": [7, 4, 6, 4, 4], "-": [0, 0, 7, 0, 0], "/": [1, 1, 2, 4, 4],
}


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray(b"\xff" * (w * h * 3))

    def set(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            i = (y * self.w + x) * 3
            self.px[i:i + 3] = bytes(c)

    def line(self, x0, y0, x1, y1, c, dashed=False, width=1):
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for s in range(steps + 1):
            if dashed and (s // 6) % 2:
                continue
            x = round(x0 + (x1 - x0) * s / steps)
            y = round(y0 + (y1 - y0) * s / steps)
            for d in range(width):
                self.set(x, y + d, c)

    def text(self, x, y, s, c=(0, 0, 0), scale=2):
        for ch in s.upper():
            rows = FONT.get(ch, FONT[" "])
            for r, bits in enumerate(rows):
                for col in range(3):
                    if bits & (4 >> col):
                        for dx in range(scale):
                            for dy in range(scale):
                                self.set(x + col * scale + dx, y + r * scale + dy, c)
            x += 4 * scale

    def png(self):
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3]) for y in range(self.h))

        def chunk(kind, data):
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

        header = struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def read_arrivals(path):
    series = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            series.setdefault(row["kind"], []).append(max(float(row["ms"]), 0.01))
    return series


def draw(csv_path, png_path):
    series = read_arrivals(csv_path)
    hi = max(max(v) for v in series.values())
    lo_exp, hi_exp = -1, max(1, math.ceil(math.log10(hi)))
    cv = Canvas(W, H)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def xpos(ms):
        return LEFT + round((math.log10(ms) - lo_exp) / (hi_exp - lo_exp) * pw)

    def ypos(frac):
        return TOP + round((1 - frac) * ph)

    black, grey = (0, 0, 0), (150, 150, 150)
    cv.line(LEFT, TOP, LEFT, TOP + ph, black)
    cv.line(LEFT, TOP + ph, LEFT + pw, TOP + ph, black)
    for e in range(lo_exp, hi_exp + 1):
        x = xpos(10 ** e)
        cv.line(x, TOP + ph, x, TOP + ph + 6, black)
        cv.text(x - 10, TOP + ph + 12, f"{10 ** e:g}")
    cv.text(LEFT + pw // 2 - 20, TOP + ph + 36, "MS")
    for q in range(0, 101, 25):
        y = ypos(q / 100)
        cv.line(LEFT - 6, y, LEFT, y, black)
        cv.line(LEFT + 1, y, LEFT + pw, y, (230, 230, 230))
        cv.text(LEFT - 50, y - 5, f"{q}%")
    for bar in (300, 1000):
        if bar <= 10 ** hi_exp:
            cv.line(xpos(bar), TOP, xpos(bar), TOP + ph, grey, dashed=True)
    for k, kind in enumerate(["tx", "block_1k", "block_100k", "block_100k_1sig"]):
        if kind not in series:
            continue
        v = sorted(series[kind])
        px, py = xpos(v[0]), ypos(0)
        for i, ms in enumerate(v):
            x, y = xpos(ms), ypos((i + 1) / len(v))
            cv.line(px, py, x, py, COLORS[kind], width=2)
            cv.line(x, py, x, y, COLORS[kind], width=2)
            px, py = x, y
        ly = TOP + 10 + 18 * k
        cv.line(LEFT + 15, ly + 4, LEFT + 45, ly + 4, COLORS[kind], width=3)
        cv.text(LEFT + 52, ly, LABELS[kind])
    with open(png_path, "wb") as f:
        f.write(cv.png())


if __name__ == "__main__":
    import sys

    draw(sys.argv[1], sys.argv[2])
