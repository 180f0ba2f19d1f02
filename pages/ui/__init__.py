"""Shared UI of the dashboard, one module per concern; pages import the modules they use."""
