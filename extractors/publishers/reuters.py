"""Reuters: the sign-offs of its copy and the time stamp of its archive.

Wire copy ends on "REUTER" (a paragraph of its own, or glued after the last sentence) and on
"(Reporting by Jane Doe; Editing by John Roe)"; archived stories (Reuters-21578) open with a
stamp such as "2-MAR-1987 06:58:00.68".
"""

from extractors.publishers.base import Publisher

PUBLISHER = Publisher(
    name="Reuters",
    agencies=("Reuters",),
    hosts=("reuters.com",),
    hooks={
        "end_marker": r"reuters?",
        "end_tail": r"(?<=[.!?\"”])\s*REUTER",
        "sign_off": r"(?:additional\s+)?reporting|editing|writing|compiled|translated",
        "stamp": r"^\d{1,2}-[A-Z]{3}-\d{4}\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$",
    },
)
