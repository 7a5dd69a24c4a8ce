"""Builders of valid records with sensible defaults; tests override what they care about."""

from __future__ import annotations

import itertools
from typing import Any

from portal.accounts.models import Role, User
from portal.catalogue.models import (
    Intervention,
    InterventionLanguage,
    InterventionStatus,
    InterventionTranslation,
    Organisation,
    OrganisationKind,
    TaxonomyTerm,
    Unit,
    Vocabulary,
)
from portal.extensions import db
from portal.timeutil import utcnow

_sequence = itertools.count(1)
PASSWORD = "correct horse battery staple"


def term(vocabulary: Vocabulary, code: str) -> TaxonomyTerm:
    return db.session.execute(
        db.select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == vocabulary, TaxonomyTerm.code == code)
    ).scalar_one()


class Factories:
    def user(self, role: Role | str, organisation: Organisation | None = None, **values: Any) -> User:
        number = next(_sequence)
        user = User(
            email=values.pop("email", f"user{number}@example.se"),
            name=values.pop("name", f"Användare {number}"),
            role=Role(role),
            organisation=organisation,
            password_hash=_password_hash(),
            **values,
        )
        db.session.add(user)
        db.session.commit()
        return user

    def organisation(self, **values: Any) -> Organisation:
        number = next(_sequence)
        defaults = {
            "name": f"Testkommun {number}",
            "kind": OrganisationKind.KOMMUN,
            "municipality_code": f"{9000 + number % 1000:04d}",
            "slug": f"testkommun-{number}",
            "booking_email": f"arbetsmarknad{number}@example.se",
        }
        organisation = Organisation(**(defaults | values))
        db.session.add(organisation)
        db.session.commit()
        return organisation

    def unit(self, organisation: Organisation | None = None, **values: Any) -> Unit:
        organisation = organisation or self.organisation()
        unit = Unit(organisation=organisation, **({"name": f"Enhet {next(_sequence)}"} | values))
        db.session.add(unit)
        db.session.commit()
        return unit

    def intervention(
        self,
        organisation: Organisation | None = None,
        *,
        type_code: str = "arbetstraning",
        target_groups: tuple[str, ...] = ("unga",),
        referrers: tuple[str, ...] = ("arbetsformedlingen",),
        languages: tuple[str, ...] = ("sv",),
        translations: dict[str, dict[str, str]] | None = None,
        **values: Any,
    ) -> Intervention:
        organisation = organisation or self.organisation()
        defaults = {
            "title": f"Arbetsträning {next(_sequence)}",
            "summary": "Arbetsträning i en verkstad med handledare.",
            "description": "Deltagarna arbetar i verkstaden fyra dagar i veckan.",
            "capacity": 10,
            "places_available": 3,
            "status": InterventionStatus.PUBLISHED,
            "published_at": utcnow(),
            "city": "Kristianstad",
        }
        intervention = Intervention(
            organisation=organisation,
            type=term(Vocabulary.TYPE, type_code),
            target_groups=[term(Vocabulary.TARGET_GROUP, code) for code in target_groups],
            referrers=[term(Vocabulary.REFERRER, code) for code in referrers],
            languages=[InterventionLanguage(code=code) for code in languages],
            translations=[
                InterventionTranslation(locale=locale, **texts)
                for locale, texts in (translations or {}).items()
            ],
            **(defaults | values),
        )
        db.session.add(intervention)
        db.session.commit()
        return intervention


_hash_cache: list[str] = []


def _password_hash() -> str:
    """Hashing is slow by design; test users get a cheap (still verifiable) hash of PASSWORD."""
    from werkzeug.security import generate_password_hash

    if not _hash_cache:
        _hash_cache.append(generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
    return _hash_cache[0]
