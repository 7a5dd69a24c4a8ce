"""``flask translate …``: keep the interface catalogues in step with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.config import PROJECT_ROOT

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
TEMPLATE_FILE = TRANSLATIONS_DIR / "messages.pot"
BABEL_CONFIG = PROJECT_ROOT / "babel.cfg"

translate_cli = AppGroup("translate", help="Extract, update and compile interface translations.")


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise click.ClickException(result.stderr.strip().splitlines()[-1] if result.stderr else "pybabel failed")


@translate_cli.command("extract")
def extract() -> None:
    """Collect every translatable string into messages.pot."""
    _pybabel("extract", "-F", str(BABEL_CONFIG), "-k", "_l", "--no-location", "--sort-output",
             "-o", str(TEMPLATE_FILE), "portal", "templates")
    click.echo(f"Wrote {TEMPLATE_FILE.relative_to(PROJECT_ROOT)}")


@translate_cli.command("update")
def update() -> None:
    """Extract, then merge new strings into every language's catalogue."""
    extract.callback()
    _pybabel("update", "-i", str(TEMPLATE_FILE), "-d", str(TRANSLATIONS_DIR), "--no-fuzzy-matching")
    click.echo("Catalogues updated")


@translate_cli.command("init")
@click.argument("locale")
def init(locale: str) -> None:
    """Start a catalogue for a new LOCALE."""
    _pybabel("init", "-i", str(TEMPLATE_FILE), "-d", str(TRANSLATIONS_DIR), "-l", locale)


@translate_cli.command("compile")
def compile_catalogues() -> None:
    """Compile the .po catalogues into the .mo files the portal reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS_DIR), "--use-fuzzy", "--statistics")
    click.echo("Catalogues compiled")
