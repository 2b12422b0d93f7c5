"""Tiny WSGI apps that play the peers Glance talks to in tests."""
