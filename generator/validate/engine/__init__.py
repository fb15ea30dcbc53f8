"""The `validate` command's speed machinery: scan, per-file work over the cores, the cache."""
