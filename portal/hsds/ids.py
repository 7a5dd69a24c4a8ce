"""HSDS identifiers: UUIDs that stay the same across exports.

Every id is ``uuid5(NAMESPACE, key)`` where the key is made of our own stable identifiers
(municipality code or slug, external id or database id, taxonomy codes), so an export of
tomorrow carries the same ids as today's and a consumer can update its copy. A service
whose external id is itself a UUID came from an HSDS file (another region's export, or
ours) and keeps that id, so that a record passed from portal to portal is the same service
everywhere.
"""

from __future__ import annotations

import uuid

from portal.catalogue.models import Intervention, Organisation, Vocabulary

NAMESPACE = uuid.UUID("6f1c2a4e-3d5b-5e8a-9c71-2b4d6e8f0a13")


def hsds_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


def organisation_key(organisation: Organisation) -> str:
    return organisation.municipality_code or organisation.slug


def organization_id(organisation: Organisation) -> str:
    return hsds_id("organization", organisation_key(organisation))


def as_uuid(value: str | None) -> str | None:
    """``value`` as a canonical UUID string, or None when it is not one."""
    try:
        return str(uuid.UUID(value)) if value else None
    except (ValueError, TypeError, AttributeError):
        return None


def service_id(intervention: Intervention) -> str:
    organisation = intervention.organisation
    return service_id_of(intervention.id, intervention.external_id,
                         organisation.municipality_code or organisation.slug)


def service_id_of(database_id: int, external_id: str | None, organisation_key: str) -> str:
    kept = as_uuid(external_id)
    if kept:
        return kept
    return hsds_id("service", organisation_key, external_id or f"#{database_id}")


def taxonomy_id(vocabulary: Vocabulary | str) -> str:
    return hsds_id("taxonomy", str(vocabulary))


def taxonomy_term_id(vocabulary: Vocabulary | str, code: str) -> str:
    return hsds_id("taxonomy_term", str(vocabulary), code)
