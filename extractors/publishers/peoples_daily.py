"""People's Daily Online: the header its pages leave at the top of a text dump.

"Headline ( Xinhua ) 09:56, November 18, 2020 Story ...": the headline, the source in spaced
parentheses, the time and date, then the story, all on one line.
"""

HEADER = (
    r"^(?P<title>.{5,300}?)\s+\(\s*[^()]{2,60}?\s*\)\s+(?P<time>\d{1,2}:\d{2}),\s+"
    r"(?P<date>[A-Z][a-z]+\s+\d{1,2},\s+\d{4})\s+(?P<rest>.+)$"
)
