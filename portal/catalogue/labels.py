"""Interface labels of the catalogue's fixed choices (the taxonomy itself is data)."""

from flask_babel import lazy_gettext as _l

FORMAT_LABELS = {
    "on_site": _l("On site"),
    "remote": _l("Remote"),
    "mixed": _l("Partly on site, partly remote"),
}

INTAKE_LABELS = {
    "rolling": _l("Rolling intake, start any time"),
    "cohorts": _l("Fixed start dates"),
    "single": _l("Single places when one becomes free"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "paused": _l("Paused"),
    "archived": _l("Archived"),
}

ACTION_LABELS = {
    "publish": _l("Publish"),
    "pause": _l("Pause"),
    "archive": _l("Archive"),
}
