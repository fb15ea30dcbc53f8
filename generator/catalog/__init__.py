"""Stage 2, catalog: valid records → a catalog (references both ways, state as of a date), and
the audience views of it."""
