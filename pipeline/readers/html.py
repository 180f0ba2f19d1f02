"""Placeholder until the html reader lands."""
