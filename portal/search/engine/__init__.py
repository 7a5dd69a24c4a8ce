"""The Whoosh index of published interventions and the search over it.

No Flask and no database here: the app hands in plain document dicts (the
keys in `DOCUMENT_KEYS`) and gets plain dataclasses back. This module is the
engine's public face; its modules, by concern:

* `request`: what a search asks and answers, and the limits of a request;
* `fields`: the document contract turned into Whoosh fields, and the schema;
* `storage`: the index directory, its pointer to the active build, rebuild and apply;
* `snapshot`: a searcher with the per-document arrays of its generation;
* `vocabulary`: the terms of a build, for compound lookup and typo candidates;
* `scoring`: BM25F over the postings, with `caches` of postings and scores;
* `query`: one search: result, facets, order, page and "did you mean";
* `highlighting`: snippets with the matched words marked;
* `whoosh_internals`: the only module that touches Whoosh's private classes.
"""

from .errors import IndexBusy, IndexUnavailable, SearchError
from .fields import available_in, build_schema, document_meta, document_vocabulary, prepare_document
from .index import SearchIndex
from .request import (
    DOCUMENT_KEYS,
    FACETS,
    FILTERS,
    MAX_FILTER_VALUES,
    MAX_PAGE,
    MAX_PER_PAGE,
    SORTS,
    Hit,
    SearchRequest,
    SearchResponse,
)
from .vocabulary import Vocabulary

__all__ = [
    "DOCUMENT_KEYS",
    "FACETS",
    "FILTERS",
    "MAX_FILTER_VALUES",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "SORTS",
    "Hit",
    "IndexBusy",
    "IndexUnavailable",
    "SearchError",
    "SearchIndex",
    "SearchRequest",
    "SearchResponse",
    "Vocabulary",
    "available_in",
    "build_schema",
    "document_meta",
    "document_vocabulary",
    "prepare_document",
]
