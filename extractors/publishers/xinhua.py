"""Xinhua News Agency: how its copy credits and captions pictures.

Credits name the agency first: "(Xinhua/Li Wei)", "Xinhua/Li Wei". Captions end on where and
when the picture was taken: "The scene of the meeting, which was filmed in Shanghai on July 26."
"""

from extractors.publishers.base import Publisher

PUBLISHER = Publisher(
    name="Xinhua News Agency",
    agencies=("Xinhua News Agency", "Xinhua"),
    hosts=("news.cn", "xinhuanet.com"),
    hooks={
        "credit_prefix": r"xinhua\s*/",
        "caption_form": r"\b(?:filmed|photographed|(?:taken|shot)\s+(?:in|at|on)\b.{0,80}\d{1,2}(?:,\s*\d{4})?\.$)",
    },
)
