"""`learningcity backup` and `learningcity restore`: the database and uploaded files in one archive.

The archive is a tar file holding `manifest.json` (engine, applied migrations, creation time, the
SHA-256 of every other member), the database (`database.pgdump`: pg_dump's custom format, or
`database.sqlite3`: SQLite's online backup) and the uploaded files under `media/`. Issuers'
signing keys are in the database, encrypted with PASSPORT_KEY_ENCRYPTION_KEYS (or SECRET_KEY):
the archive alone cannot sign, and a restore without those keys cannot either, so they must be
kept separately (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

FORMAT = "learningcity-backup/1"
KEYS_NOTE = (
    "Issuers' signing keys are in the database, encrypted with PASSPORT_KEY_ENCRYPTION_KEYS "
    "(or, when unset, a key derived from SECRET_KEY). Keep those settings separately and safely: "
    "without them a restored instance cannot sign or rotate keys; with them and this archive, anyone can."
)


class BackupError(click.ClickException):
    """A backup or restore that cannot go on; the message says why and what to do."""


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _connection() -> Any:
    from django.db import connection

    return connection


def engine() -> str:
    """ "postgresql" or "sqlite", the engine of the default database."""
    return str(_connection().vendor)


def applied_migrations() -> list[list[str]]:
    """Every applied migration as [app, name], sorted."""
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(_connection())
    return sorted([app, name] for app, name in recorder.applied_migrations())


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this version of the code has."""
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _pg_tool(name: str) -> str:
    from django.conf import settings

    folder = settings.BACKUP_PG_BIN
    tool = str(Path(folder) / name) if folder else shutil.which(name)
    if not tool or not Path(tool).exists():
        raise BackupError(f"{name} was not found; install the PostgreSQL 15 client or set BACKUP_PG_BIN.")
    return tool


def _pg_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump / pg_restore, and the environment carrying the password."""
    params = _connection().settings_dict
    arguments = ["--dbname", str(params["NAME"])]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            arguments += [option, str(params[key])]
    environment = {**os.environ}
    if params.get("PASSWORD"):
        environment["PGPASSWORD"] = str(params["PASSWORD"])
    return arguments, environment


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603 (our tools)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")


def dump_database(target: Path) -> str:
    """Write the database to `target`; returns the member name it should have in the archive."""
    if engine() == "postgresql":
        arguments, environment = _pg_arguments()
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *arguments],
            environment,
            "pg_dump",
        )
        return "database.pgdump"
    connection = _connection()
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()
    return "database.sqlite3"


def _media_files(media_root: Path) -> Iterator[Path]:
    if media_root.is_dir():
        yield from sorted(path for path in media_root.rglob("*") if path.is_file() and not path.is_symlink())


def backup_create(output: Path) -> dict[str, Any]:
    """Write the archive to `output` (through a temporary file, so a failure leaves nothing half-written)."""
    from django.conf import settings
    from django.utils import timezone

    media_root = Path(settings.MEDIA_ROOT)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        database = Path(work) / "database"
        member = dump_database(database)
        files = {member: sha256_of(database)}
        media = {f"media/{path.relative_to(media_root).as_posix()}": path for path in _media_files(media_root)}
        files.update({name: sha256_of(path) for name, path in media.items()})
        manifest = {
            "format": FORMAT, "engine": engine(), "created_at": timezone.now().isoformat(),
            "migrations": applied_migrations(), "files": files, "keys": KEYS_NOTE,
        }  # fmt: skip
        manifest_path = Path(work) / "manifest.json"
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            archive.add(manifest_path, "manifest.json")
            archive.add(database, member)
            for name, path in media.items():
                archive.add(path, name)
        os.chmod(partial, 0o600)  # the whole database, personal data included: its owner only
        os.replace(partial, output)
    return manifest


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = archive.extractfile("manifest.json")
    except KeyError as error:
        raise BackupError("This is not a learningcity backup: it has no manifest.json.") from error
    if handle is None:
        raise BackupError("This is not a learningcity backup: manifest.json is not a file.")
    try:
        manifest: dict[str, Any] = json.loads(handle.read())
    except ValueError as error:
        raise BackupError(f"The backup's manifest is corrupted: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (this version reads {FORMAT}).")
    return manifest


def _check_members(archive: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    """Before anything is written: only plain files (and their folders) that the manifest names.

    No links or devices, so nothing can point outside the restore folder or into the system,
    whatever the Python version's tarfile filters let through.
    """
    expected = set(manifest.get("files") or {}) | {"manifest.json"}
    for member in archive.getmembers():
        name = member.name.removeprefix("./")
        if member.isdir():
            if not any(path.startswith(name.rstrip("/") + "/") for path in expected):
                raise BackupError(f"The backup holds a folder its manifest does not name: {name}.")
        elif not member.isreg() or name not in expected:
            raise BackupError(f"The backup holds something its manifest does not name as a file: {name}.")


def _extract_verified(archive_path: Path, into: Path) -> dict[str, Any]:
    """Unpack the archive into `into` and check every member against the manifest."""
    try:
        with tarfile.open(archive_path, "r") as archive:
            manifest = _read_manifest(archive)
            _check_members(archive, manifest)
            archive.extractall(into, filter="data")  # refuses absolute paths, "..", links out of `into`
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"The backup cannot be read (corrupted or truncated?): {error}") from error
    expected: dict[str, str] = manifest["files"]
    present = {path.relative_to(into).as_posix() for path in into.rglob("*") if path.is_file()} - {"manifest.json"}
    if present != set(expected):
        raise BackupError(f"The backup does not match its manifest: {sorted(present ^ set(expected))[:5]}.")
    for name, checksum in expected.items():
        if sha256_of(into / name) != checksum:
            raise BackupError(f"The backup is corrupted: {name} does not match its checksum.")
    return manifest


def _check_compatible(manifest: dict[str, Any]) -> None:
    if manifest["engine"] != engine():
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; this instance uses {engine()} (DATABASE_URL)."
        )
    unknown = {tuple(item) for item in manifest["migrations"]} - known_migrations()
    if unknown:
        raise BackupError(
            f"This backup comes from a newer version of learningcity (unknown migrations such as "
            f"{'.'.join(sorted(unknown)[0])}); upgrade before restoring."
        )


def database_has_data() -> bool:
    """Whether the database holds anyone's data (accounts or cities), not just empty tables."""
    connection = _connection()
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in ("accounts_user", "catalogue_city"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 (fixed names)
                if cursor.fetchone():
                    return True
    return False


def load_database(dump: Path) -> None:
    """Replace the database's content with the dump's, in one transaction."""
    from django.db import connections

    if engine() == "postgresql":
        connections.close_all()
        arguments, environment = _pg_arguments()
        command = [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
        ]
        _run([*command, *arguments, str(dump)], environment, "pg_restore")
        return
    connection = _connection()
    connection.ensure_connection()
    with sqlite3.connect(dump) as source:
        source.backup(connection.connection)  # one step: the target changes all at once, or not at all
    source.close()


@contextmanager
def _staged_media(extracted: Path, media_root: Path) -> Iterator[None]:
    """Move the restored files beside MEDIA_ROOT; on success swap them in (a rename), else leave MEDIA_ROOT alone."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=f".{media_root.name}-restoring-"))
    try:
        if (extracted / "media").is_dir():
            shutil.copytree(extracted / "media", staging, dirs_exist_ok=True)
        yield
        previous = media_root.with_name(f".{media_root.name}-before-restore-{datetime.now(UTC):%Y%m%d%H%M%S}")
        if media_root.exists():
            media_root.rename(previous)
        staging.rename(media_root)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def backup_restore(archive_path: Path, *, force: bool = False) -> dict[str, Any]:
    """Check the archive, then replace the database and MEDIA_ROOT with its content."""
    from django.conf import settings

    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as work:
        manifest = _extract_verified(archive_path, Path(work))
        _check_compatible(manifest)
        if database_has_data() and not force:
            raise BackupError("The database is not empty; use --force to replace its content with the backup's.")
        dump = next(name for name in manifest["files"] if name.startswith("database."))
        with _staged_media(Path(work), media_root):
            load_database(Path(work) / dump)
    return manifest


@click.command()
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Archive to write.")
def backup(output: Path) -> None:
    """Save the database and the uploaded files in one archive."""
    from learningcity.cli import setup_django

    setup_django()
    manifest = backup_create(output)
    click.echo(f"Backup written to {output} ({len(manifest['files'])} files, {manifest['engine']}).")
    click.echo(f"Warning: {KEYS_NOTE}", err=True)


@click.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore(archive: Path, force: bool) -> None:
    """Restore the database and the uploaded files from a `learningcity backup` archive."""
    from learningcity.cli import setup_django

    setup_django()
    manifest = backup_restore(archive, force=force)
    click.echo(f"Restored the backup of {manifest['created_at']}. Run `learningcity migrate` if this version is newer.")
