"""Benchmarks, run by hand (see README)."""
