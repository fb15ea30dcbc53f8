"""Taizhang's generator: records/ → load → check → index → view → render → build."""
