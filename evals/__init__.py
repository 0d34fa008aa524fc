"""Eval harness: suites as data, runners, scorers and reports."""
