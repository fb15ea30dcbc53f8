"""Tools that write or review records: new, transition, fmt, Excel ledgers, diff, CODEOWNERS, schemas."""
