"""The ``sportsgpt`` command line: one subcommand per stage."""
