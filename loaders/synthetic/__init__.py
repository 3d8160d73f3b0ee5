"""Deterministic synthetic data in the formats of the real sources (demos, tests, benchmarks)."""
