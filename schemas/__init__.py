"""The data model: typed records for every row the pipeline makes. Imports nothing of ours."""

from schemas.article import Article, Dateline, StoredArticle, TextEdit
from schemas.feed import BadEntry, FeedEntry, FeedState, ParsedFeed
from schemas.fetch import FetchResult
from schemas.reject import Reject

__all__ = [
    "Article",
    "BadEntry",
    "Dateline",
    "FeedEntry",
    "FeedState",
    "FetchResult",
    "ParsedFeed",
    "Reject",
    "StoredArticle",
    "TextEdit",
]
