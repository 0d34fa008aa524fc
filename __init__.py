"""SportsGPT: interpretable sports-motion assessment and training guidance.

The repository root is this package: ``tools/`` installs as ``sportsgpt.tools``,
``agent/`` as ``sportsgpt.agent`` and so on (see docs/architecture.md).
"""

__version__ = "0.1.0"
