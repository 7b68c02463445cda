"""Every route of the project, found by walking Django's URL resolver, and every operation of the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class Found:
    """One URL pattern: its full name (with namespaces) and its address template."""

    name: str
    template: str  # "/fr/opportunities/<int:pk>/" (the language prefix as of the walk)
    namespace: str = ""

    @property
    def in_admin(self) -> bool:
        return self.namespace.split(":")[0] == "admin"


def walk(resolver: URLResolver | None = None, prefix: str = "/", namespace: str = "") -> Iterator[Found]:
    """Every URL pattern, recursively through includes, namespaces and i18n patterns."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = ":".join(part for part in (namespace, pattern.name) if part) if pattern.name else ""
            yield Found(name, prefix + str(pattern.pattern), namespace)


def as_openapi_path(template: str) -> str:
    """ "/api/v1/imports/<int:job_id>" → "/api/v1/imports/{job_id}" (the OpenAPI document's spelling)."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", template)


def api_operations() -> set[tuple[str, str]]:
    """(method, path template) of every operation of the API, from its OpenAPI document."""
    from learningcity.api import api

    schema = api.get_openapi_schema(path_prefix=API_PREFIX)
    return {(method.lower(), path) for path, operations in schema["paths"].items() for method in operations}
