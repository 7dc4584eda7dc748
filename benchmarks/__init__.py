"""Benchmarks: every speed claim is a ratio against a baseline measured in the same run.

``python -m benchmarks --scale small|full`` loads synthetic data with COPY into a dedicated PostgreSQL
database, runs the scenarios in ``benchmarks.scenarios`` and writes ``results/latest.json`` and
``RESULTS.md``.
"""
