"""Assembling the book: chapters and their set-up, claims and the scorecard, measured speeds
and stage timings, and executing notebooks without ever damaging a good page.

Nothing here imports a paper package: :mod:`mdrepro.papers` sits above this layer.
"""
