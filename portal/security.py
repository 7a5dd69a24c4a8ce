"""Response headers and trusted proxies.

Headers come from Flask-Talisman: a Content-Security-Policy that allows scripts only from
our own files (no inline script anywhere), no framing, no MIME sniffing, the referrer only
within the site, no powerful browser features, and HSTS in production. TLS itself ends at
the proxy, so the portal does not redirect to https on its own.

Proxies are trusted only as configured (``PROXY_FIX_*`` counts, default none): a request's
``X-Forwarded-*`` headers are otherwise ignored.
"""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    # Charts are SVG with their own style sheets, and the API viewer sets inline styles.
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = {
    "camera": "()", "microphone": "()", "geolocation": "()", "payment": "()", "usb": "()",
    "interest-cohort": "()",
}



def init_app(app: Flask) -> None:
    production = app.config["PORTAL_ENV"] == "production"
    # One instance per application: Talisman keeps the application it was bound to.
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,
        strict_transport_security=production,
        strict_transport_security_max_age=31536000,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        x_xss_protection=False,
    )
    counts = {name: app.config[f"PROXY_FIX_{name.upper()}"] for name in ("x_for", "x_proto", "x_host", "x_prefix")}
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)
