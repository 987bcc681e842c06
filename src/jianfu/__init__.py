"""Jianfu (减负): inventory, detect and cut fingertip formalism."""

__version__ = "0.1.0"
