"""Stage 2, validate: records/ → findings and the valid records (load → check → locate)."""
