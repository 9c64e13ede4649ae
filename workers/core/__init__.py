"""Pure stream functions: no I/O library is imported here (tests/unit/test_layout.py)."""
