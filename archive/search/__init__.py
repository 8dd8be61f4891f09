"""Full-text search (全文检索) over documents, with exact recall for Chinese and access enforced
inside the search itself."""

from archive.search.errors import BadParameter, IdentifierRefused
from archive.search.index import (
    IndexUnavailable,
    SearchIndex,
    document_text,
    index_documents,
    index_status,
    open_index,
    open_or_rebuild,
    rebuild,
    reindex_case,
    remove_documents,
)
from archive.search.params import SearchParams, read_params
from archive.search.parse import parse_query
from archive.search.query import Hit, SearchResult, matching_document_ids, search
from archive.search.schema import SCHEMA_VERSION
from archive.search.sync import CatchUp, catch_up

__all__ = ["SCHEMA_VERSION", "BadParameter", "CatchUp", "Hit", "IdentifierRefused", "IndexUnavailable",
           "SearchIndex",
           "SearchParams", "SearchResult", "catch_up", "document_text", "index_documents",
           "index_status", "matching_document_ids", "open_index", "open_or_rebuild", "parse_query",
           "read_params", "rebuild", "reindex_case", "remove_documents", "search"]
