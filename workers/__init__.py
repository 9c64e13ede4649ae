"""newsworker: stream-processing news ingestion worker."""

__version__ = "0.1.0"
