"""China News Service: the dateline and lead forms of its (machine-translated) English copy.

"China News Service, Lhasa, September 20 (Ran Wenjuan, Gonggar Laisong)": the agency comes
first, then the place and the date, and the reporters stand in the parentheses. Xinhua's
Chinese-language service writes the same form ("Xinhua News Agency, Shanghai, July 26
(Reporter Zhou Rui)"), so the form takes any agency of the reference list, or a name ending
in "News Agency" or "News Service". "Economic Observer Network reporter Rao Xianjun, on July
26, ..." opens stories of Chinese outlets in the same copy.
"""

from extractors.publishers.base import Publisher

# What makes an unlisted name an agency in that form: "News Agency", "News Service".
_AGENCY_SUFFIX = r"(?:News\s+Agency|News\s+Service|Press\s+Agency|Telegraph\s+Agency|Wire\s+Service)"

PUBLISHER = Publisher(
    name="China News Service",
    agencies=("China News Service",),
    hosts=("chinanews.com", "chinanews.com.cn", "ecns.cn"),
    hooks={
        # a template `extractors.dateline` fills with its agency, word, date, parenthesis and separator parts
        "dateline": (
            r"^(?P<agency>{agency}|(?:{word}\s+){{1,3}}" + _AGENCY_SUFFIX + r")(?:\s*,\s*|\s+)"
            r"(?P<place>{word}(?:\s+{word}){{0,3}}(?:,\s*{word}(?:\s+{word}){{0,2}})?)\s*,\s*{date}"
            r"{paren}(?:\s*,)?{sep}"
        ),
        "reporter_lead": (
            r"^(?P<agency>(?:[A-Z][\w.'’\-]*\s+){1,5})(?:staff\s+)?(?:reporters?|correspondents?)\s+"
            r"(?P<names>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}?)(?:\s*,\s*|\s+(?=[A-Z]))"
        ),
    },
)
