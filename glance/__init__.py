"""Glance: discover, register and retrieve virtual-machine images over HTTP."""

__version__ = "0.1.0"
