"""``flask portal demo``: the six Skåne Nordost municipalities, idempotent."""

from portal.catalogue.models import Intervention, InterventionStatus, InterventionTranslation, Organisation
from portal.extensions import db

SKANE_NORDOST = {
    "1272": "Bromölla kommun",
    "1293": "Hässleholms kommun",
    "1266": "Hörby kommun",
    "1290": "Kristianstads kommun",
    "1273": "Osby kommun",
    "1256": "Östra Göinge kommun",
}


def count(statement) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(statement.subquery())).scalar_one()


def test_demo_loads_the_region_and_a_second_run_duplicates_nothing(runner, app):
    first = runner.invoke(args=["portal", "demo"])
    assert first.exit_code == 0, first.output
    organisations = {o.municipality_code: o.name for o in db.session.execute(db.select(Organisation)).scalars()}
    assert organisations == SKANE_NORDOST
    published = count(db.select(Intervention).where(Intervention.status == InterventionStatus.PUBLISHED))
    assert published >= 60
    total = count(db.select(Intervention))
    english = count(db.select(InterventionTranslation).where(InterventionTranslation.locale == "en"))
    arabic = count(db.select(InterventionTranslation).where(InterventionTranslation.locale == "ar"))
    assert english >= total / 2 and arabic > 0

    second = runner.invoke(args=["portal", "demo"])
    assert second.exit_code == 0, second.output
    assert "0 created, 0 updated" in second.output
    assert count(db.select(Intervention)) == total
    assert count(db.select(Organisation)) == 6


def test_demo_spread_is_uneven_and_complete(runner, app):
    runner.invoke(args=["portal", "demo"])
    per_municipality = dict(
        db.session.execute(
            db.select(Organisation.municipality_code, db.func.count(Intervention.id))
            .join(Intervention).group_by(Organisation.municipality_code)
        ).all()
    )
    assert set(per_municipality) == set(SKANE_NORDOST)
    assert len(set(per_municipality.values())) > 1
    for intervention in db.session.execute(db.select(Intervention)).scalars():
        assert intervention.capacity >= intervention.places_available >= 0
        assert intervention.referrers and intervention.languages and intervention.accessibility
