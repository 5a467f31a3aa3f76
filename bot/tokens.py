"""Signed, expiring tokens (feedback links and internal tokens) from the secret key."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bot.errors import NotFound


class Signer:
    def __init__(self, *, secret_key: str) -> None:
        self._feedback = URLSafeTimedSerializer(secret_key, salt="fairloop.feedback")

    def feedback_token(self, interview_id: int) -> str:
        return self._feedback.dumps({"i": interview_id})

    def read_feedback_token(self, token: str, *, max_age_seconds: int) -> int:
        try:
            data = self._feedback.loads(token, max_age=max_age_seconds)
        except SignatureExpired:
            raise NotFound("This feedback link has expired.") from None
        except BadSignature:
            raise NotFound("This feedback link isn't valid.") from None
        return int(data["i"])
