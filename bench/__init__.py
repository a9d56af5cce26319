"""Benchmarks: speed and scale, each side by side with what users would pick instead.

`python -m bench [SECTION ...] [--quick]`; `make bench` runs them all and writes
docs/benchmarks.md and docs/benchmarks-paging.png.
"""
