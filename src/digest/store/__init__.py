"""The SQLite store. All SQL of digest lives in this package, one module per table family:

    base.py         opening, migrations (migrations.py), transactions, meta
    connection.py   the SQLite connection, every call's sqlite3.Error turned into StoreError
    failures.py     which StoreError (message and hint) a failure becomes
    identity.py     PRAGMA application_id: refuse other programs' SQLite files untouched
    articles.py     articles and the files they were seen in
    revisions.py    dropped and replaced articles, and where each file's articles stood
    source_state.py each source's last read: when, the HTTP status, validators, the error
    source_files.py each source file's fingerprint at its last clean read
    subscribers.py  subscribers and the suppression list
    deliveries.py   the delivery ledger: one row per (week, subscriber)

Every write of a run happens in one transaction (the send loop commits per message), so an
interrupted run leaves the store consistent.
"""

from __future__ import annotations

from .articles import Query
from .deliveries import DeliveryQueries
from .revisions import Hidden, HiddenState, Reading, RevisionQueries
from .source_files import FileFingerprint, SourceFileQueries
from .source_state import SourceState, SourceStateQueries
from .subscribers import SubscriberQueries

__all__ = ["FileFingerprint", "Hidden", "HiddenState", "Query", "Reading", "SourceState", "Store"]


class Store(
    RevisionQueries, SubscriberQueries, DeliveryQueries, SourceStateQueries, SourceFileQueries
):
    """An open store; use as a context manager or call close()."""
