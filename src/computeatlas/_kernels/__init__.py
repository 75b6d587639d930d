"""Private numba kernels: plain arrays in and out, SI-ish units fixed by each module.

Users never import these; the public, unit-checked wrappers live in
:mod:`computeatlas.models`. Every kernel is compiled once at module level with
``cache=True`` and runs unchanged under ``NUMBA_DISABLE_JIT=1``.
"""
