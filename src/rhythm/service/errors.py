"""Domain errors: what a service refuses, in the service's words. The web layer maps them."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every business-rule refusal; ``message`` is safe to show to the client."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(DomainError):
    pass


class ConflictError(DomainError):
    pass


class InvalidCredentialsError(DomainError):
    """Unknown email or wrong password: one error for both, so neither is revealed."""


class InvalidTokenError(DomainError):
    """A refresh token that is unknown, expired, revoked or reused."""


class NotAuthenticatedError(DomainError):
    """The caller's account is gone or disabled."""


class ForbiddenError(DomainError):
    pass


class RuleViolationError(DomainError):
    """The request is well-formed but breaks a business rule (bad password, bad cursor...)."""


class RateLimitedError(DomainError):
    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
