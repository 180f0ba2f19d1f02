"""Placeholder until the docx reader lands."""
