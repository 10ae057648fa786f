"""China News Service: the dateline and lead forms of its (machine-translated) English copy.

"China News Service, Lhasa, September 20 (Ran Wenjuan, Gonggar Laisong)": the agency comes
first, then the place and the date, and the reporters stand in the parentheses. Xinhua's
Chinese-language service writes the same form ("Xinhua News Agency, Shanghai, July 26
(Reporter Zhou Rui)"). "Economic Observer Network reporter Rao Xianjun, on July 26, ..."
opens stories of Chinese outlets in the same copy.
"""

# Filled by `extractors.dateline` with its agency, word, date, parenthesis and separator parts.
DATELINE = (
    r"^(?P<agency>{agency}|(?:{word}\s+){{1,3}}{agency_suffix})(?:\s*,\s*|\s+)"
    r"(?P<place>{word}(?:\s+{word}){{0,3}}(?:,\s*{word}(?:\s+{word}){{0,2}})?)\s*,\s*{date}"
    r"{paren}(?:\s*,)?{sep}"
)
# "News Agency", "News Service": what makes an unlisted name an agency in that form.
AGENCY_SUFFIX = r"(?:News\s+Agency|News\s+Service|Press\s+Agency|Telegraph\s+Agency|Wire\s+Service)"
REPORTER_LEAD = (
    r"^(?P<agency>(?:[A-Z][\w.'’\-]*\s+){1,5})(?:staff\s+)?(?:reporters?|correspondents?)\s+"
    r"(?P<names>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2}?)(?:\s*,\s*|\s+(?=[A-Z]))"
)
