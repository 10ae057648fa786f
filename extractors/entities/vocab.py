"""Closed word lists that decide what a capitalised phrase names: an organization (by its
head noun), an event, a title, a geographic feature. Words, not names: they generalize."""

from schemas import reference

# The last word of an organization's own name ("... Commission", "... Hospital"); legal forms ("... Corp",
# "... Ltd.") are another such word, from a public list (legal_forms.py).
INSTITUTION_HEADS = frozenset("""
commission committee council government ministry department bureau administration agency office
authority court procuratorate army navy police assembly parliament senate congress cabinet embassy
consulate party hospital university college institute academy school laboratory lab center centre
association alliance union federation society foundation fund chamber league club organization
organisation bank exchange group company corporation holdings industries airlines airways motors studio network press times daily post
television tv radio media museum library team station service services trust partners consortium
cooperative institution
""".split())
# Industry words that end company names ("Carrick Telecom", "Harrow Foods"); they describe, never
# stand alone as an institution, so "of Science and Technology" stays one complement.
INDUSTRY_HEADS = frozenset("""
telecom telecoms communications networks energy power oil petroleum gas mining minerals steel metals
chemical chemicals pharmaceutical pharmaceuticals foods food dairies breweries brewery beverages
electronics electric technologies software systems logistics shipping transport rail railways
motor automotive aerospace capital investments securities insurance financial realty properties
retail stores mills polymers plastics paint textiles industries bancorp
""".split())
ORG_HEADS = INSTITUTION_HEADS | INDUSTRY_HEADS
# Named occasions are not entities; inside them no person or organization is mentioned.
EVENT_HEADS = frozenset("""
conference meeting forum expo exposition summit festival fair exhibition games olympics session
plan initiative program programme project award prize ceremony dialogue talks symposium seminar
week day year campaign strategy
""".split())
# Words that cannot end an organization's name: "the U.S. Market", "Coloroll U.S. Business".
NON_ORG_HEADS = frozenset("market markets business economy industry sector trade sites site".split())
GEO_HEADS = frozenset("gulf sea ocean river lake bay strait island islands mountain mountains range "
                      "valley desert peninsula canal plateau basin line border coast".split())
# The last word of a place's own name: "Luding County", "Garze Tibetan Autonomous Prefecture".
PLACE_HEADS = frozenset("province county prefecture district township village municipality city".split())
# Words for a place's level: "Guizhou Province" is "Guizhou"; "the autonomous region" is a description.
PLACE_TYPES = frozenset("province city county district prefecture municipality region autonomous "
                        "state town village township".split())
# Words that on their own describe rather than name an organization ("the Party Committee").
GENERIC_ORG_WORDS = INSTITUTION_HEADS | PLACE_TYPES | frozenset("people's peoples people party state central national "
                                                        "municipal provincial local standing".split())
# Nouns that head a person's title: occupations and offices from WordNet ("director", "economist",
# "analyst", "minister"), an open lexicon, not the titles seen in news (schemas/reference/title_heads.tsv).
TITLE_WORDS = frozenset(reference.title_heads())
STATE_OFFICES = frozenset(w for w, kind in reference.title_heads().items() if kind == "state")
STATE_OR_COMPANY_OFFICES = frozenset(w for w, kind in reference.title_heads().items() if kind == "both")  # "president"
TITLE_MODIFIERS = frozenset("deputy vice executive assistant acting former honorary associate co senior "
                            "first standing chief general managing party then incoming outgoing".split())
HONORIFICS = frozenset("mr mr. mrs mrs. ms ms. miss dr dr. sir madam mme".split())
ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth".split())
