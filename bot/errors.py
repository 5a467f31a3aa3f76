"""The small family of errors the core raises; adapters turn them into friendly replies."""

from __future__ import annotations

from bot.text import Text, as_text


class FairloopError(Exception):
    """Base class: the message is safe to show to the user; `text` keeps its spans (a command as code, a name
    someone typed as their text)."""

    def __init__(self, message: Text | str) -> None:
        super().__init__(str(message))
        self.text = as_text(message)


class UserInputError(FairloopError):
    """The request cannot be understood or fails validation."""


class PermissionDenied(FairloopError):
    """The actor may not do this."""


class NotFound(FairloopError):
    """The thing referred to does not exist (or is not visible to the actor)."""


class Unavailable(FairloopError):
    """Something fairloop depends on (its database) is not answering; try again shortly."""


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
