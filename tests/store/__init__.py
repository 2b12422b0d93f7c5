"""Tests of glance.store."""
