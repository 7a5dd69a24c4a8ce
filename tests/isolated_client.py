"""A test client whose every request runs in an application context of its own, as a real server
gives it: its own ``g``, its own database session, its own logged-in user and Babel locale.

The test's own context (where it builds records and reads them back) sees the database as a
second process would: what the test added is committed before each request, and what the
request changed is read afresh afterwards.
"""

from __future__ import annotations

import contextvars

from flask import has_app_context
from flask.testing import FlaskClient

from portal.extensions import db


class RequestIsolatingClient(FlaskClient):
    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        # An empty context holds no application context, so Flask pushes a fresh one. A streamed
        # body is read at once, so that its context (and database session) ends with the request.
        kwargs.setdefault("buffered", True)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response
