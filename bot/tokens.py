"""Signed, expiring tokens (feedback links and internal tokens) from the secret key."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, time, timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from bot.errors import NotFound

_SALT = "fairloop.feedback"
_CHART_SALT = "fairloop.chart"
CHART_LIFETIME = timedelta(days=15)  # a digest's chart is fetched when it is posted; after two weeks it is gone


def _signed_at(when: datetime) -> type[TimestampSigner]:
    """A signer that stamps a fixed time, so the same interview always gets the same link."""
    stamp = int(when.timestamp())

    class _At(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    return _At


class Signer:
    def __init__(self, *, secret_key: str) -> None:
        self._secret = secret_key
        self._feedback = URLSafeTimedSerializer(secret_key, salt=_SALT)
        self._chart = URLSafeTimedSerializer(secret_key, salt=_CHART_SALT)

    def feedback_token(self, interview_id: int, *, issued_at: datetime | None = None) -> str:
        """A link token for one interview; with `issued_at` (the interview's end) it is stable and ages from then."""
        if issued_at is None:
            return self._feedback.dumps({"i": interview_id})
        return URLSafeTimedSerializer(self._secret, salt=_SALT, signer=_signed_at(issued_at)).dumps({"i": interview_id})

    def read_feedback_token(self, token: str, *, max_age_seconds: int) -> int:
        """The interview id of a link we issued. Only the exact token is accepted: the decoder skips characters
        outside base64 and spare bits, so `<token>!!!!` would otherwise open the form a second time."""
        try:
            data, signed_at = self._feedback.loads(token, max_age=max_age_seconds, return_timestamp=True)
            interview_id = int(data["i"])
        except SignatureExpired as exc:
            if exc.date_signed is not None and exc.date_signed > datetime.now(UTC):
                raise NotFound("This feedback link opens once the interview is over.") from None
            raise NotFound("This feedback link has expired.") from None
        except (BadSignature, KeyError, TypeError, ValueError):
            raise NotFound("This feedback link isn't valid.") from None
        canonical = self.feedback_token(interview_id, issued_at=signed_at)
        if not hmac.compare_digest(canonical.encode(), token.encode()):
            raise NotFound("This feedback link isn't valid.")
        return interview_id

    def keyed(self, label: str) -> str:
        """HMAC-SHA256 of `label` under the secret key: a value that can be stored and matched again, but that no
        one reading the database (where the key never is) can compute, nor guess back from a likely label."""
        return hmac.new(self._secret.encode(), label.encode(), hashlib.sha256).hexdigest()

    def link_marker(self, interview_id: int) -> str:
        """The one-time marker of an interview's candidate link: keyed, and taken from the decoded payload (the
        interview), never from the token's characters."""
        return self.keyed(f"candidate-link:{interview_id}")

    def chart_token(self, digest: str, end: date) -> str:
        """The trend chart of `digest` for the weeks before `end`: the same address all that day, unguessable, and
        no longer valid CHART_LIFETIME after it."""
        stamped = datetime.combine(end, time(), tzinfo=UTC)
        serializer = URLSafeTimedSerializer(self._secret, salt=_CHART_SALT, signer=_signed_at(stamped))
        return serializer.dumps({"d": digest, "e": end.isoformat()})

    def read_chart_token(self, token: str) -> tuple[str, date]:
        try:
            data = self._chart.loads(token, max_age=int(CHART_LIFETIME.total_seconds()))
            return str(data["d"]), date.fromisoformat(str(data["e"]))
        except (BadSignature, KeyError, TypeError, ValueError):  # SignatureExpired is a BadSignature
            raise NotFound("There is no chart here.") from None
