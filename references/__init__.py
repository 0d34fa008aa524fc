"""Elite references per motion (keyframes, templates, bands, problem matrix) as data."""
