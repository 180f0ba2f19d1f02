"""Placeholder until the pdf reader lands."""
