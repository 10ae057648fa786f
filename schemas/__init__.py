"""The data model: typed records for every row the pipeline makes, the settings and the error family.
Imports nothing of ours. `__all__` is the public API; the modules' other names may change."""

from schemas.agreements import Agreement, Amount, Evidence, Party
from schemas.article import Article, Dateline, StoredArticle, TextEdit
from schemas.entities import Alias, Entity, Mention, Span, Title
from schemas.errors import (
    ConfigError,
    FeedError,
    FetchError,
    JudgementError,
    NewsflowError,
    QueryError,
    UnusableDocument,
    WarehouseError,
    WarehouseLocked,
)
from schemas.facts import ArticleFacts, ArticleText, Credit, Role
from schemas.feed import BadEntry, FeedEntry, FeedState, ParsedFeed
from schemas.fetch import FetchResult
from schemas.reject import Reject
from schemas.settings import DEFAULTS, Settings

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
    "ArticleText",
    "ArticleFacts",
    "Credit",
    "Role",
    # settings, and the error family (catch NewsflowError: its message is one line for the user)
    "DEFAULTS",
    "Settings",
    "NewsflowError",
    "ConfigError",
    "FetchError",
    "UnusableDocument",
    "FeedError",
    "WarehouseError",
    "WarehouseLocked",
    "QueryError",
    "JudgementError",
]
