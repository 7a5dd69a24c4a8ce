from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "caseworker": _l("Case officer"),
    "editor": _l("Editor"),
    "org_admin": _l("Organisation administrator"),
    "admin": _l("Region administrator"),
}
