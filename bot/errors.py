"""The small family of errors the core raises; adapters turn them into friendly replies."""


class FairloopError(Exception):
    """Base class: the message is safe to show to the user."""


class UserInputError(FairloopError):
    """The request cannot be understood or fails validation."""


class PermissionDenied(FairloopError):
    """The actor may not do this."""


class NotFound(FairloopError):
    """The thing referred to does not exist (or is not visible to the actor)."""


class Undeliverable(FairloopError):
    """An outbox could not deliver a message to a person; the reason is stored and counted."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PlatformUnavailable(FairloopError):
    """A platform refuses fairloop itself (revoked token, missing scope): nothing to retry soon, an operator
    has to act. The prompt waits; the reason is logged once per attempt, without a stack trace."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
