"""Placeholder until the markdown reader lands."""
