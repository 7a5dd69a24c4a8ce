"""Follow-up prompts: 3 and 6 months after a request was completed or interrupted, the case
officer who sent it is asked once how the participant is doing now.

The prompt row is the record that it was sent (unique per request and interval), so a
restart or a second run sends nothing twice; anonymised requests are never asked about.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal import audit
from portal.accounts.models import User
from portal.booking.models import BookingNotification, BookingRequest, BookingStatus
from portal.booking.services import months_before
from portal.exceptions import InvalidInput, PermissionDenied
from portal.extensions import db
from portal.notify.services import queue_mail
from portal.stats.models import FOLLOW_UP_MONTHS, FollowUpAnswer, FollowUpPrompt
from portal.timeutil import utcnow
from portal.urls import external_url

ANSWER_LABELS = {
    FollowUpAnswer.IN_WORK: _l("In work"),
    FollowUpAnswer.IN_STUDIES: _l("In studies"),
    FollowUpAnswer.IN_INTERVENTION: _l("In another intervention"),
    FollowUpAnswer.LOOKING_FOR_WORK: _l("Looking for work"),
    FollowUpAnswer.OTHER: _l("Other"),
    FollowUpAnswer.NOT_KNOWN: _l("Not known"),
}
CLOSED_AFTER_START = (BookingStatus.COMPLETED, BookingStatus.INTERRUPTED)


def send_due_prompts(now=None) -> int:
    """Send every prompt that is due and not yet sent; the number sent."""
    now = now or utcnow()
    sent = 0
    for months in FOLLOW_UP_MONTHS:
        already = db.select(FollowUpPrompt.id).where(FollowUpPrompt.request_id == BookingRequest.id,
                                                     FollowUpPrompt.months == months)
        due = db.session.execute(
            db.select(BookingRequest, User)
            .join(User, User.id == BookingRequest.created_by_id)
            .where(BookingRequest.status.in_(CLOSED_AFTER_START),
                   BookingRequest.closed_at <= months_before(now, months),
                   BookingRequest.anonymised_at.is_(None),
                   ~already.exists())
            .order_by(BookingRequest.id)
        ).all()
        for booking, user in due:
            if _send(booking, user, months, now):
                sent += 1
    return sent


def _send(booking: BookingRequest, user: User, months: int, now) -> bool:
    try:
        prompt = FollowUpPrompt(request_id=booking.id, months=months, user_id=user.id, sent_at=now)
        db.session.add(prompt)
        db.session.flush()
        db.session.add(BookingNotification(user_id=user.id, request_id=booking.id, kind="follow_up",
                                           status=booking.status, created_at=now))
        if user.active:
            locale = getattr(user, "locale", None) or booking.locale
            queue_mail(user.email, "follow_up_prompt", locale, kind="follow_up", context={
                "reference": booking.reference, "months": months,
                "link": external_url("stats.answer_follow_up", prompt_id=prompt.id, lang_code=locale),
            })
        db.session.commit()
    except IntegrityError:  # another run sent it a moment ago
        db.session.rollback()
        return False
    return True


def open_prompts(user: Any) -> list[FollowUpPrompt]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.execute(
        db.select(FollowUpPrompt).where(FollowUpPrompt.user_id == user.id, FollowUpPrompt.answer.is_(None))
        .order_by(FollowUpPrompt.sent_at.desc())).scalars())


def get_own(user: Any, prompt_id: int) -> FollowUpPrompt:
    prompt = db.session.get(FollowUpPrompt, prompt_id)
    if prompt is None or not getattr(user, "is_authenticated", False) or prompt.user_id != user.id:
        raise PermissionDenied(hidden=True)
    return prompt


def answer_prompt(user: Any, prompt_id: int, answer: str | None) -> FollowUpPrompt:
    prompt = get_own(user, prompt_id)
    try:
        value = FollowUpAnswer(answer or "")
    except ValueError:
        raise InvalidInput(_l("Choose one of the answers."), "answer") from None
    prompt.answer = value
    prompt.answered_at = utcnow()
    audit.record("answer_follow_up", "booking_request", prompt.request_id, actor=user,
                 changes={"months": prompt.months, "answer": value.value})
    db.session.commit()
    return prompt
