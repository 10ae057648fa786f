"""Pure functions from bytes or text to records: no network, no database.

Bump EXTRACTOR_VERSION whenever an extractor's output can change: every derived
row names the version that made it, and `newsflow reprocess` rebuilds older rows.
"""

EXTRACTOR_VERSION = "0.1.0"
