"""Record identifiers that sort by when they were made.

Random (version 4) UUIDs scatter each new row across every index that holds them, so recording one incident
dirtied some forty index pages in as many places and wrote hundreds of kilobytes to the write-ahead log.
Version 7 UUIDs (RFC 9562) begin with the time in milliseconds: new rows land together at the end of each
index, in both SQLite and PostgreSQL, and they are still unguessable enough to use in URLs (74 random bits).
"""

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A new time-ordered UUID (version 7), as a plain ``uuid.UUID``."""
    return uuid.UUID(int=uuid6.uuid7().int)
