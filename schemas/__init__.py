"""The data model: typed records for every row the pipeline makes. Imports nothing of ours."""

from schemas.agreements import Agreement, Amount, Evidence, Party
from schemas.article import Article, Dateline, StoredArticle, TextEdit
from schemas.entities import Alias, Entity, Mention, Span, Title
from schemas.feed import BadEntry, FeedEntry, FeedState, ParsedFeed
from schemas.fetch import FetchResult
from schemas.reject import Reject

__all__ = [
    "Agreement",
    "Alias",
    "Amount",
    "Entity",
    "Evidence",
    "Mention",
    "Party",
    "Span",
    "Title",
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
