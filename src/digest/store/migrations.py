"""The store's schema as numbered migrations, applied in order on open (PRAGMA user_version).

Never edit a migration that has shipped: append a new one. Statements are separated by
semicolons (store.base.statements; those inside a trigger's BEGIN ... END are part of it), so
no comment in the SQL may hold one.
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
    # 3: the editor's hand on articles. `digest drop` sets dropped_at (and an optional note);
    # a corrected version retracts the old one through replaced_by (by `digest replace`, or
    # at ingest when a re-read file holds a new version where the old one stood). Hidden rows
    # stay in the store so that `digest restore` can bring them back. file_positions is each
    # file's last reading: which article stood at which place (kind, ordinal among the
    # articles of that kind), replaced whole on every successful read of the file.
    """
    ALTER TABLE articles ADD COLUMN dropped_at TEXT;
    ALTER TABLE articles ADD COLUMN dropped_note TEXT;
    ALTER TABLE articles ADD COLUMN replaced_by TEXT;
    ALTER TABLE articles ADD COLUMN replaced_at TEXT;
    CREATE INDEX articles_hidden ON articles (id)
        WHERE dropped_at IS NOT NULL OR replaced_by IS NOT NULL;
    CREATE TABLE file_positions (
        path        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        ordinal     INTEGER NOT NULL,
        article_id  TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        PRIMARY KEY (path, kind, ordinal)
    );
    """,
    # 4: more kinds of source. A feed entry's or note's text as safe HTML; the topic a note's
    # front matter chose; a feed entry's own address (one story, one address: the same
    # address from two sources is one article). source_state keeps, per configured source
    # location (a feed URL, a file or folder), the last read: when, the HTTP status and the
    # validators for a conditional GET, the error if it failed.
    """
    ALTER TABLE articles ADD COLUMN html TEXT;
    ALTER TABLE articles ADD COLUMN editor_topic TEXT;
    ALTER TABLE articles ADD COLUMN own_url TEXT;
    CREATE INDEX articles_own_url ON articles (own_url) WHERE own_url IS NOT NULL;
    CREATE TABLE source_state (
        location       TEXT PRIMARY KEY,
        checked_at     TEXT NOT NULL,
        status         INTEGER,
        etag           TEXT,
        last_modified  TEXT,
        error          TEXT,
        ok_at          TEXT,
        entries        INTEGER
    );
    """,
    # 5: incremental ingest. source_files is each source file's fingerprint when it was last
    # read without a problem: its size, times and inode (a stat that matches means unchanged;
    # NULL times mean "hash it next time", for a file written within the clock's resolution
    # of the read), its SHA-256, and how many articles it gave. gone_at marks an article that
    # vanished from every file that had it (a re-read file no longer holds it, or the file was
    # deleted); seeing it again in a file makes it live again.
    """
    CREATE TABLE source_files (
        path      TEXT PRIMARY KEY,
        size      INTEGER NOT NULL,
        mtime_ns  INTEGER,
        ctime_ns  INTEGER,
        inode     INTEGER,
        sha256    TEXT NOT NULL,
        articles  INTEGER NOT NULL
    );
    ALTER TABLE articles ADD COLUMN gone_at TEXT;
    DROP INDEX articles_hidden;
    CREATE INDEX articles_hidden ON articles (id)
        WHERE dropped_at IS NOT NULL OR replaced_by IS NOT NULL OR gone_at IS NOT NULL;
    """,
    # 6: a build that finds nothing changed does nothing. Every write to the articles or to
    # where they were seen counts up meta.generation (triggers, so a change made by hand in
    # the sqlite3 shell counts too); meta.store_id tells this store from a copy's ancestor
    # or another store with the same count.
    """
    INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', '0');
    INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
    CREATE TRIGGER articles_insert_counts AFTER INSERT ON articles BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END;
    CREATE TRIGGER articles_update_counts AFTER UPDATE ON articles BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END;
    CREATE TRIGGER articles_delete_counts AFTER DELETE ON articles BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END;
    CREATE TRIGGER sources_insert_counts AFTER INSERT ON sources BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END;
    CREATE TRIGGER sources_update_counts AFTER UPDATE ON sources BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END;
    CREATE TRIGGER sources_delete_counts AFTER DELETE ON sources BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END
    """,
    # 7: a build renders only the weeks that changed. week_changes holds, per ISO week ('' for
    # the undated articles), the generation of the last write to one of its articles or to
    # where they were seen; an update counts for the week the article left and the one it
    # moved to. The triggers of migration 6 are replaced by ones that do both in one order.
    """
    CREATE TABLE week_changes (week TEXT PRIMARY KEY, generation INTEGER NOT NULL);
    DROP TRIGGER articles_insert_counts;
    CREATE TRIGGER articles_insert_counts AFTER INSERT ON articles BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation';
        INSERT INTO week_changes (week, generation)
            SELECT COALESCE(NEW.iso_week, ''),
            (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation') WHERE true
            ON CONFLICT (week) DO UPDATE SET generation = excluded.generation;
    END;
    DROP TRIGGER articles_update_counts;
    CREATE TRIGGER articles_update_counts AFTER UPDATE ON articles BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation';
        INSERT INTO week_changes (week, generation)
            SELECT COALESCE(OLD.iso_week, ''),
            (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation') WHERE true
            ON CONFLICT (week) DO UPDATE SET generation = excluded.generation;
        INSERT INTO week_changes (week, generation)
            SELECT COALESCE(NEW.iso_week, ''),
            (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation') WHERE true
            ON CONFLICT (week) DO UPDATE SET generation = excluded.generation;
    END;
    DROP TRIGGER articles_delete_counts;
    CREATE TRIGGER articles_delete_counts AFTER DELETE ON articles BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation';
        INSERT INTO week_changes (week, generation)
            SELECT COALESCE(OLD.iso_week, ''),
            (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation') WHERE true
            ON CONFLICT (week) DO UPDATE SET generation = excluded.generation;
    END;
    DROP TRIGGER sources_insert_counts;
    CREATE TRIGGER sources_insert_counts AFTER INSERT ON sources BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation';
        INSERT INTO week_changes (week, generation)
            SELECT COALESCE(iso_week, ''),
            (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation')
            FROM articles WHERE id = NEW.article_id
            ON CONFLICT (week) DO UPDATE SET generation = excluded.generation;
    END;
    DROP TRIGGER sources_update_counts;
    CREATE TRIGGER sources_update_counts AFTER UPDATE ON sources BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation';
        INSERT INTO week_changes (week, generation)
            SELECT COALESCE(iso_week, ''),
            (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation')
            FROM articles WHERE id = OLD.article_id
            ON CONFLICT (week) DO UPDATE SET generation = excluded.generation;
        INSERT INTO week_changes (week, generation)
            SELECT COALESCE(iso_week, ''),
            (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation')
            FROM articles WHERE id = NEW.article_id
            ON CONFLICT (week) DO UPDATE SET generation = excluded.generation;
    END;
    DROP TRIGGER sources_delete_counts;
    CREATE TRIGGER sources_delete_counts AFTER DELETE ON sources BEGIN
        UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation';
        INSERT INTO week_changes (week, generation)
            SELECT COALESCE(iso_week, ''),
            (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation')
            FROM articles WHERE id = OLD.article_id
            ON CONFLICT (week) DO UPDATE SET generation = excluded.generation;
    END
    """,
    # 8: every run ends by counting the live articles per week. Through articles_week that
    # meant a look-up of each article's row to see whether it is live (120 ms at 50,000
    # articles, a seventh of a build with nothing to do); this index holds only the live ones and
    # covers the count, so it reads the index alone (7 ms). Its WHERE must stay the same
    # terms as store.articles.LIVE, or SQLite will not use it.
    """
    CREATE INDEX articles_live ON articles (iso_week, date)
        WHERE dropped_at IS NULL AND replaced_by IS NULL AND gone_at IS NULL
    """,
)
