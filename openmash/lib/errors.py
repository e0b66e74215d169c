"""Errors that services and selectors raise, mapped to 404 and 422 by the web views and the API alike."""

from collections.abc import Mapping


class NotFound(LookupError):
    """The thing does not exist or the actor may not see it: the two must look the same."""


class NotAllowed(PermissionError):
    """The actor may see the thing but not do this to it."""


class InvalidInput(ValueError):
    """Bad input, with a message per field (``""`` for the input as a whole)."""

    def __init__(self, errors: Mapping[str, str | list[str]]):
        self.errors = {
            key: [value] if isinstance(value, str) else list(value) for key, value in errors.items()
        }
        super().__init__(
            "; ".join(f"{key or 'input'}: {' '.join(value)}" for key, value in self.errors.items())
        )
