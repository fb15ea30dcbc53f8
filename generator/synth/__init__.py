"""A synthetic city of records, for examples, benchmarks and scale tests."""
