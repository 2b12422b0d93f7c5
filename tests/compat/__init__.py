"""Compatibility tests: the real OpenStack clients against our servers (or a real Glance)."""
