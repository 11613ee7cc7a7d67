"""Benchmarks of the whole system: perf_analyzer suites, baselines, compute floor, report (`fvi bench`)."""
