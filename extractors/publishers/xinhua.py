"""Xinhua News Agency: how its copy credits and captions pictures.

Credits name the agency first: "(Xinhua/Li Wei)", "Xinhua/Li Wei". Captions end on where and
when the picture was taken: "The scene of the meeting, which was filmed in Shanghai on July 26."
"""

CREDIT_PREFIX = r"xinhua\s*/"
CREDIT_AGENCY = "Xinhua"
CAPTION_FORM = r"\b(?:filmed|photographed|(?:taken|shot)\s+(?:in|at|on)\b.{0,80}\d{1,2}(?:,\s*\d{4})?\.$)"
