"""``flask portal export-hsds``: the open catalogue as HSDS 3.0 files."""

from __future__ import annotations

import click


@click.command("export-hsds")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--lang", default="sv", show_default=True, help="Language of text fields.")
def export_hsds_command(directory: str, lang: str) -> None:
    """Write the open catalogue as HSDS 3.0 JSON files into DIRECTORY."""
    from portal.hsds.exporting import export_hsds
    from portal.i18n import LANGUAGES

    if lang not in LANGUAGES:
        raise click.ClickException(f"--lang must be one of {', '.join(LANGUAGES)}")
    try:
        report = export_hsds(directory, lang)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {directory}: {exc.strerror or exc}") from exc
    click.echo(f"HSDS 3.0 written to {report.directory}: "
               + ", ".join(f"{count} {name}" for name, count in report.counts.items()) + ".")
