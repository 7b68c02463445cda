"""File storage that leaves no partial file behind when writing fails (a full disk, an I/O error)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django.core.files import File
from django.core.files.storage import FileSystemStorage


class _StagedFile(File):  # type: ignore[type-arg]
    """A complete file already on the right disk: the storage moves it into place (one rename)."""

    def temporary_file_path(self) -> str:
        return str(self.name)


class CleanFileSystemStorage(FileSystemStorage):
    """Django's file storage, writing each file whole beside its target first, then renaming it.

    A write that fails half-way (ENOSPC...) removes its hidden `.partial-*` file, so MEDIA_ROOT never
    holds a truncated upload; the caller's transaction rolls back the row that pointed to it.
    """

    def _save(self, name: str, content: Any) -> str:
        directory = os.path.dirname(self.path(name))
        os.makedirs(directory, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=directory, prefix=".partial-", delete=False)  # noqa: SIM115 (closed below)
        try:
            with handle:
                for chunk in content.chunks():
                    handle.write(chunk if isinstance(chunk, bytes) else chunk.encode())
            with open(handle.name, "rb") as staged:
                return str(super()._save(name, _StagedFile(staged, name=handle.name)))  # type: ignore[misc]
        finally:
            if os.path.exists(handle.name):
                os.remove(handle.name)
