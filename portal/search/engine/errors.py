"""The errors the search engine raises, and what damaged index files raise inside it."""

from __future__ import annotations

import struct
import zlib
from pickle import UnpicklingError

from whoosh import index as whoosh_index

# What reading vanished or damaged index files raises (Whoosh unpickles and
# unpacks what it reads, so garbage surfaces as any of these).
INDEX_ERRORS = (
    whoosh_index.IndexError,
    OSError,
    EOFError,
    struct.error,
    UnpicklingError,
    zlib.error,
    ValueError,
    KeyError,
    IndexError,
)


class SearchError(Exception):
    """Base class of the errors the search engine raises."""


class IndexUnavailable(SearchError):
    """The index is missing, unreadable or of an old format: rebuild it."""


class IndexBusy(SearchError):
    """Another writer held the index lock for too long."""
