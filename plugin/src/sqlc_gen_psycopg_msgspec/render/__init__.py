"""Rendering a plan as Python source, laid out the way ``ruff format`` would."""
