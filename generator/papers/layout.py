"""Page geometry both writers share, from GB/T 9704-2012 《党政机关公文格式》, and the few
measurements they must agree on (the red issuer mark's size, where the signature stands)."""
from __future__ import annotations

import unicodedata

# A4 with 天头 37 mm and 订口 28 mm: a 版心 of 156 mm × 225 mm.
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_MM = 156
PT_PER_MM = 72 / 25.4

# 发文机关标志: 初号-sized 小标宋 (42 pt) and never wider than the 版心. A long issuer name is
# first narrowed (characters taller than wide, as printed mastheads do), down to 60 %, and
# only then set smaller.
MARK_SIZE_PT = 42.0
MARK_MIN_SCALE = 0.6


def width_em(text: str) -> float:
    """Width in em, estimated: a wide or full-width character is 1 em, any other half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def mark_geometry(text: str, width_mm: float = TEXT_WIDTH_MM) -> tuple[float, float]:
    """(font size in pt, horizontal scale) for the issuer mark to fit `width_mm`, with 2 % to spare."""
    available = width_mm * PT_PER_MM * 0.98
    natural = max(width_em(text), 1.0) * MARK_SIZE_PT
    scale = available / natural
    if scale >= 1:
        return MARK_SIZE_PT, 1.0
    if scale >= MARK_MIN_SCALE:
        return MARK_SIZE_PT, round(scale, 3)
    return round(MARK_SIZE_PT * scale / MARK_MIN_SCALE, 1), MARK_MIN_SCALE
