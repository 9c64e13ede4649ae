"""The fault tests use the same real stack as the integration tests."""

from tests.integration.conftest import stack

__all__ = ["stack"]
