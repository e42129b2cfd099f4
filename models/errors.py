"""The error tree. One exception handler in bot/ turns each into a JSON `{"detail": ...}` answer.

KentonganError (500 unless a subclass says otherwise)
├── NotFound (404)            unknown village address, ticket code, resource
├── BadRequest (400)          input that cannot be acted on
├── Forbidden (403)           bad or missing provider signature, role without the right
└── Conflict (409)            a state that forbids the action
"""


class KentonganError(Exception):
    """An expected failure with a message for the client and an HTTP status."""

    status_code = 500

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code


class NotFound(KentonganError):
    """Something named does not exist (or is not visible to the caller)."""

    status_code = 404


class BadRequest(KentonganError):
    """Input that cannot be acted on."""

    status_code = 400


class Forbidden(KentonganError):
    """A signature or a role does not allow this."""

    status_code = 403


class Conflict(KentonganError):
    """The current state forbids the action."""

    status_code = 409
