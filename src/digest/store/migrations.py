"""The store's schema as numbered migrations, applied in order on open (PRAGMA user_version).

Never edit a migration that has shipped: append a new one. Statements are separated by
semicolons, so none may appear inside a statement or a comment of the SQL.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('main', 'teaser')),
        format        TEXT NOT NULL,
        date          TEXT,
        iso_week      TEXT,
        title         TEXT NOT NULL,
        kicker        TEXT,
        label         TEXT,
        lead          TEXT,
        teaser        TEXT,
        caption       TEXT,
        body          TEXT NOT NULL,
        author        TEXT,
        place         TEXT,
        urls          TEXT NOT NULL,
        keywords      TEXT NOT NULL,
        image_credit  TEXT,
        section       TEXT,
        topic         TEXT NOT NULL,
        scores        TEXT NOT NULL,
        matches       TEXT NOT NULL,
        override      TEXT
    );
    CREATE INDEX articles_week ON articles (iso_week, date);
    CREATE INDEX articles_topic ON articles (topic);
    CREATE TABLE sources (
        article_id  TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        path        TEXT NOT NULL,
        line        INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        PRIMARY KEY (article_id, path, line)
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: subscribers, the suppression list of forgotten addresses, and the delivery ledger.
    """
    CREATE TABLE subscribers (
        id                  INTEGER PRIMARY KEY AUTOINCREMENT,
        email               TEXT NOT NULL,
        email_ascii         TEXT NOT NULL,
        email_key           TEXT NOT NULL UNIQUE,
        name                TEXT,
        topics              TEXT NOT NULL,
        state               TEXT NOT NULL
                            CHECK (state IN ('pending', 'active', 'unsubscribed', 'bounced')),
        signup_source       TEXT NOT NULL,
        created_at          TEXT NOT NULL,
        updated_at          TEXT NOT NULL,
        confirmed_at        TEXT,
        unsubscribed_at     TEXT,
        optin_sent_at       TEXT,
        optin_count         INTEGER NOT NULL DEFAULT 0,
        consent_version     TEXT,
        consent_hash        TEXT,
        consent_at          TEXT,
        consent_ip          TEXT,
        consent_user_agent  TEXT,
        consent_source      TEXT,
        bounces             INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX subscribers_state ON subscribers (state, id);
    CREATE TABLE suppressions (
        hash        TEXT PRIMARY KEY,
        reason      TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        week             TEXT NOT NULL,
        subscriber_id    INTEGER REFERENCES subscribers (id) ON DELETE SET NULL,
        recipient        TEXT,
        variant          TEXT NOT NULL,
        state            TEXT NOT NULL
                         CHECK (state IN ('queued', 'sending', 'sent', 'skipped', 'failed')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        in_doubt         INTEGER NOT NULL DEFAULT 0,
        last_reply       TEXT,
        message_id       TEXT,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        sent_at          TEXT,
        next_attempt_at  TEXT,
        UNIQUE (week, subscriber_id)
    );
    CREATE INDEX deliveries_state ON deliveries (week, state, id);
    """,
)
