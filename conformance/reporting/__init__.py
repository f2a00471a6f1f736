"""Turning case reports into results files."""
