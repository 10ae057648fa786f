"""Reuters: the sign-offs of its copy and the time stamp of its archive.

Wire copy ends on "REUTER" (a paragraph of its own, or glued after the last sentence) and on
"(Reporting by Jane Doe; Editing by John Roe)"; archived stories (Reuters-21578) open with a
stamp such as "2-MAR-1987 06:58:00.68".
"""

from extractors.publishers.base import Publisher

# The credits of a sign-off, the words before "by": those that name the story's writers, and those that
# name its helpers and editors ("additional reporting by" is a helper's credit too).
_WRITER = r"reporting|reported|writing|written"
_HELPER = r"editing|edited|compiled|translated"

PUBLISHER = Publisher(
    name="Reuters",
    agencies=("Reuters",),
    hosts=("reuters.com",),
    hooks={
        "end_marker": r"reuters?",
        "end_tail": r"(?<=[.!?\"”])\s*REUTER",
        "sign_off": rf"(?:additional\s+)?(?:{_WRITER})|{_HELPER}",
        "writer_credit": rf"(?<!additional )(?<!with )(?:{_WRITER})\s+by\s+"
                         rf"(?P<names>(?:(?!\b(?:with|additional|{_WRITER}|{_HELPER})\b)[^;()])+)",
        "stamp": r"^\d{1,2}-[A-Z]{3}-\d{4}\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$",
    },
)
