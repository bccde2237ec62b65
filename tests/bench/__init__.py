"""Benchmarks: not part of `make test`; run with `make bench`."""
