"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learningcity.settings")
application = get_wsgi_application()


def _warm_search() -> None:
    """Load the search snapshots once in the master process (gunicorn --preload), so workers share them."""
    import logging

    from django.conf import settings
    from django.db import DatabaseError, connections

    if not settings.SEARCH_SNAPSHOT:
        return
    from learningcity.search.snapshot import warm_up

    try:
        loaded = warm_up()
        logging.getLogger("learningcity.search").info("Search snapshot: %s listings in memory", loaded)
    except DatabaseError:  # tables not created yet: searches will load it on first use
        logging.getLogger("learningcity.search").warning("Search snapshot not loaded (database not ready)")
    finally:
        connections.close_all()  # never share a connection with forked workers


_warm_search()
