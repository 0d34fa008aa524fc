"""Small motion samples derived by our code from public data (see samples/README.md)."""

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent


def sample_path(name: str) -> Path:
    """Path of a bundled sample file, e.g. ``standing_long_jump_side.csv``."""
    path = SAMPLES_DIR / name
    if not path.is_file():
        available = sorted(p.name for p in SAMPLES_DIR.iterdir() if p.suffix in {".csv", ".json"})
        raise FileNotFoundError(f"no bundled sample {name!r}; available: {', '.join(available)}")
    return path
