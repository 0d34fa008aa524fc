"""Versioned prompt files (system, plan, compose, judge) shipped as package data."""
