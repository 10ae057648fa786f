"""People's Daily Online: the header its pages leave at the top of a text dump.

"Headline ( Xinhua ) 09:56, November 18, 2020 Story ...": the headline, the source in spaced
parentheses, the time and date, then the story, all on one line. A site's form, not a wire's:
read on its hosts and on texts of no registered host.
"""

from extractors.publishers.base import Publisher

PUBLISHER = Publisher(
    name="People's Daily",
    hosts=("people.cn", "people.com.cn"),
    hooks={
        "page_header": (
            r"^(?P<title>.{5,300}?)\s+\(\s*[^()]{2,60}?\s*\)\s+(?P<time>\d{1,2}:\d{2}),\s+"
            r"(?P<date>[A-Z][a-z]+\s+\d{1,2},\s+\d{4})\s+(?P<rest>.+)$"
        ),
    },
)
