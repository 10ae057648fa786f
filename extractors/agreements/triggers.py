"""Where a sentence states an agreement: its type, its status, and how firmly it says so.

Event coders fire on a signing verb and an agreement noun; news also reports deals
without one ("agreed to purchase CompositAir", "formed a joint venture") and uses the
same words for things that are not agreements ("both sides agreed to strengthen ...",
"reached consensus", "the 1992 Consensus", calls to cooperate). So an agreement needs
an agreement noun or an acquisition verb with a company as object; consensus, talks
and intentions never qualify, and an agreement noun without a verb that concludes it
("part of a trade deal") is only weak: it may corroborate an agreement stated
elsewhere in the article, never start one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

# Agreement nouns. A compound ("joint venture cooperation agreements") is one phrase.
_HEAD = re.compile(
    r"\b(?:memorand(?:um|a)(?:\s+of\s+(?:understanding|cooperation|agreement|intent))?|MOUs?|MoUs?|"
    r"letters?\s+of\s+intent|LOIs?|joint[- ]ventures?|JVs?|agreements?|pacts?|accords?|treat(?:y|ies)|mergers?|loans?|"
    r"credit\s+(?:lines?|facilit(?:y|ies))|"
    r"deals?|contracts?|signing\s+ceremony|co-?operation\s+documents?)\b",
    re.I,
)
_NOT_HEAD = re.compile(r"(?:\b(?:great|good|to|will|would|can|could|must|should|big)\s+$)", re.I)
_MODIFIER = re.compile(r"(?:[\w$£€¥.,%'’\"“”-]+\s+){0,6}$")
_DETERMINER = re.compile(
    r"\b(?:a|an|the|its|their|his|her|this|that|these|those|two|three|\d+|new|signed|inked|sign|to|with|of|and|"
    r"on|for|in|at|by|has|have|had|was|were|is|are|will|also|several|other|multiple|series)\b", re.I)
CONCLUDE = re.compile(
    r"\b(?:sign(?:s|ed|ing)?|inks?|ink(?:ed|ing)|seal(?:s|ed|ing)?|conclud(?:e|es|ed|ing)|reach(?:es|ed|ing)?|"
    r"str(?:ike|ikes|uck|iking)|clinch(?:es|ed|ing)?|enter(?:s|ed|ing)?\s+into|form(?:s|ed|ing)?|"
    r"set(?:s|ting)?(?:\s+up)?|establish(?:es|ed|ing)?|launch(?:es|ed|ing)?|creat(?:e|es|ed|ing)|"
    r"agree(?:s|d)?(?:\s+on|\s+to)?|announc(?:e|es|ed|ing)|complet(?:e|es|ed|ing)|finali[sz](?:e|es|ed|ing)|"
    r"clos(?:e|es|ed|ing)|continu(?:e|es|ed|ing)|renew(?:s|ed|ing)?|extend(?:s|ed|ing)?|formali[sz](?:e|es|ed|ing)|"
    r"execut(?:e|es|ed|ing)|"
    r"terminat(?:e|es|ed|ing)|cancel(?:s|l?ed|l?ing)?|scrap(?:s|ped|ping)?|call(?:s|ed)?\s+off|end(?:s|ed)|"
    r"approv(?:e|es|ed)|ratif(?:y|ies|ied)|"
    r"w[io]n|wins|award(?:s|ed)?|secur(?:e|es|ed|ing)|obtain(?:s|ed)?|held|hold|holds)\b",
    re.I,
)
_PASSIVE = re.compile(
    r"^(?:[^.;]|\.(?=\d)){0,60}?\b(?:was|were|has\s+been|have\s+been|had\s+been|is|are|being|been)?\s*"
    r"(?:signed|inked|sealed|reached|concluded|struck|clinched|agreed|finali[sz]ed|awarded)\b", re.I)
_SIGNING_OF = re.compile(r"\bsigning\s+(?:of|on)\s+(?:the\s+|a\s+|an\s+)?[^.;]{0,60}$", re.I)
_ACQUIRE = re.compile(
    r"\b(?P<verb>acquir(?:e|es|ed|ing)|buy(?:s|ing)?|bought|purchas(?:e|es|ed|ing)|"
    r"t(?:ake|akes|aken|aking|ook)\s+over|snap(?:s|ped|ping)?\s+up|(?P<sell>sell(?:s|ing)?|sold)|(?P<merge>merg(?:e|es|ed|ing))(?:\s+with)?|"
    r"t(?:ake|akes|aken|aking|ook)\s+(?:a|an|its|their)?\s*(?:[\d.]+\s*(?:pct|percent|%)\s+|(?:minority|majority|controlling)\s+)?stake\s+in)\b"
    r"|\b(?P<noun>acquisition|purchase|takeover|(?P<sale>sale)|(?P<merger>merger))\s+(?:of|with)\b",
    re.I,
)
# What can be bought as a company: an organization or one of these nouns.
_COMPANY_NOUN = re.compile(
    r"\b(?:company|companies|firm|firms|business|businesses|assets|unit|units|subsidiary|subsidiaries|division|"
    r"operations?|stake|shares|interest|group|bank|brand|plant|mill|maker|producer|operator|chain|stores|retailer|"
    r"insurer|airline|developer|corp|inc|plc|ltd|co|factory|factories|facility|facilities|mine|mines|refinery|"
    r"terminal|port|hotels?|propert(?:y|ies)|portfolio|network|arm|business\s+line|franchise|studio|label)\b", re.I)
_PASSIVE_AUX = re.compile(r"\b(?:was|were|has\s+been|have\s+been|had\s+been|is\s+being|will\s+be|to\s+be)\s+$", re.I)
_ATTRIBUTIVE = re.compile(r"\b(?:the|a|an|its|their|previously|already|recently|newly)\s+$", re.I)
# "agreed to buy X in a deal worth $Y": the deal is the purchase told, not a second agreement.
_MEANS = re.compile(r"\b(?:in|under|through|via|as\s+part\s+of)\s+(?:a|an|the)\s+(?:[\w$£€¥.,%-]+\s+){0,4}$", re.I)
# "X will buy Y", "X is to buy Y": an acquisition announced as decided (a plan says "plans to", "intends to",
# "seeks to").
_DECIDED = re.compile(r"\b(?:will|is\s+to|are\s+to)\s+(?:\w+\s+)?$", re.I)
# A headline's "X TO BUY Y" is its shorthand for "X is to buy Y"; in a body sentence the words before "to" say
# what became of the purchase ("X sought to buy Y"), so only a headline reads a bare "to" as decided.
_HEADLINE_TO = re.compile(r"^(?:[\w.&'<>-]+\s+){1,6}to\s+$", re.I)
# "X tried / declined / failed to buy Y": an attempt or a refusal right before the verb states no agreement.
_ATTEMPT = re.compile(r"\b(?:tr(?:y|ies|ied|ying)|attempt(?:s|ed|ing)?|declin(?:e|es|ed|ing)|refus(?:e|es|ed|ing)|"
                      r"fail(?:s|ed|ing)?)\s+to\s+(?:\w+\s+)?$", re.I)
_PLANNED = re.compile(
    r"\b(?:will|would|shall|plan(?:s|ned|ning)?|expect(?:s|ed)?|intend(?:s|ed)?|aim(?:s|ed)?|seek(?:s|ing)?|sought|"
    r"hope(?:s|d)?|propos(?:e|es|ed|al|ing)|negotiat\w*|talks|discuss\w*|consider\w*|could|may|might|bid|"
    r"tender|offer(?:s|ed)?|ready|want(?:s|ed)?|set\s+to|going\s+to|about\s+to|is\s+to|are\s+to|to\s+be|mov(?:e|es|ed|ing)\s+to|"
    r"potential|possible|prospective|invit\w+|welcome[sd]?)\b", re.I)
_TALKS_OVER = re.compile(r"\b(?:after|following|during|at\s+the\s+end\s+of)\s+(?:the\s+|their\s+)?(?:[\w-]+\s+){0,3}?"
                         r"(?:talks|negotiations|discussions|consultations)\b", re.I)
_NEGATED = re.compile(r"\b(?:not|never|no|failed\s+to|fail\s+to|refused\s+to|without|rejected|denied)\b", re.I)
_AGREED = re.compile(
    r"\b(?:agree(?:s|d)?|definitive|conditional|in\s+principle|tentative|preliminary|reach(?:es|ed)?|"
    r"enter(?:s|ed)?\s+into|announc\w+|approv\w+|ratif\w+)\b", re.I)
# "agreed a proposal with the IMF to borrow": the verb hangs on what was agreed, within one clause (not "X, which
# agreed a budget last week, plans to borrow").
_AGREED_OBJECT = re.compile(r"\bagree(?:s|d)\b(?P<gap>(?:(?!\b(?:and|but|which|who|that|while)\b)[^.;,]){0,80})\bto\s*$", re.I)
_PLAN_VERB = re.compile(r"\b(?:will|would|shall|could|may|might|plan(?:s|ned)?|intend(?:s|ed)?|aim(?:s|ed)?|seek(?:s)?|sought|"
                        r"hope(?:s|d)?|expect(?:s|ed)?|want(?:s|ed)?)\b")
_TERMINATED = re.compile(r"\b(?:terminat\w+|cancel\w*|scrap\w*|called\s+off|call\s+off|abandon\w*|end(?:s|ed))\b", re.I)
_COMPLETED = re.compile(r"\b(?:complet(?:e|es|ed)|clos(?:e|es|ed)|finali[sz]ed|acquired|bought|purchased|sold|took\s+over|taken\s+over)\b", re.I)
# "will continue / renew / extend the joint venture agreement": a verb that presupposes the agreement it takes
# as object exists, whatever is planned for it; only as its object ("continue negotiations on a trade
# agreement" presupposes no agreement), and "extend a loan" grants one.
_CONTINUE = re.compile(r"continu\w+|renew\w*|extend\w*", re.I)
_OBJECT_GAP = re.compile(r"\s+(?:(?:the|a|an|its|their|this|that|these|those|his|her|our|also|existing|current)\s+)*", re.I)
_CLAUSE_BREAK = re.compile(r"[;:]|\.\s|\b(?:but|while|whereas|although)\b", re.I)

# Types by the words of the agreement phrase, strongest first.
_TYPE_WORDS = [
    ("joint_venture", re.compile(r"\bjoint[- ]ventures?\b|\bJVs?\b", re.I)),
    ("memorandum", re.compile(r"\bmemorand|\bMOUs?\b|\bletters?\s+of\s+intent\b|\bLOIs?\b", re.I)),
    ("merger", re.compile(r"\bmerger\b", re.I)),
    ("acquisition", re.compile(r"\b(?:acquisition|takeover|buyout|share\s+purchase|stock\s+purchase)\b", re.I)),
    ("loan", re.compile(r"\b(?:loans?|credit|lending|financing)\b", re.I)),
    ("investment", re.compile(r"\binvestments?\b", re.I)),
    ("cooperation_agreement", re.compile(
        r"\b(?:co-?operat\w*|strategic|framework|partnership|collaborat\w*|alliance)\b", re.I)),
    ("treaty", re.compile(r"\b(?:treat(?:y|ies)|trade|free[- ]trade|bilateral|peace|ceasefire|visa|extradition)\b", re.I)),
    ("contract", re.compile(
        r"\b(?:contracts?|supply|purchase|procurement|sales?|construction|EPC|engineering|services?|lease|leasing|"
        r"licen[cs]e|licensing|orders?|gas|oil|LNG|power|energy)\b", re.I)),
]
# Words that make a treaty whoever signs it; the other treaty words ("trade", "bilateral", "visa") say what a
# deal is about, and a company among its sides makes it a commercial contract (`extract._settle_type`).
_TREATY_FIRM = re.compile(r"\b(?:treat(?:y|ies)|peace|ceasefire|extradition)\b", re.I)
# Words that name what a contract supplies (a supply deal between states is still a contract), as against
# the sector words above that only say what a bare deal is about ("oil deal": between states, a treaty).
_CONTRACT_SUBSTANCE = re.compile(
    r"\b(?:contracts?|supply|purchase|procurement|sales?|construction|EPC|engineering|services?|lease|leasing|"
    r"licen[cs]e|licensing|orders?)\b", re.I)
# "a contract value of", "deal talks": the noun modifies another; it names no agreement.
_MODIFIES = re.compile(r"\s+(?:values?|prices?|period|terms|talks|negotiations|partners?|signing\s+ceremony)\b", re.I)
# "reached agreement on ...", "in agreement with": agreement as accord of minds, not a document.
_MASS_AGREEMENT = re.compile(r"\b(?:reach(?:es|ed|ing)?|in|came\s+to|come\s+to)\s+(?:(?:general|broad|basic|full|"
                             r"initial|preliminary|some|no|wide)\s+)?$", re.I)
# "a contract Pertamina signed with ...": a relative clause that concludes the agreement named before it.
_RELATIVE_SIGNING = re.compile(
    r"^\s+(?:(?:that|which)\s+)?(?:[A-Z<][\w&.<>'’-]*\s+){1,6}(?:has\s+|had\s+|have\s+)?(?:signed|inked|sealed|"
    r"concluded|struck|reached|clinched)\b")
# "Velora's current loan agreement with the IMF expires in May": an agreement a party holds, said to be in
# force, is stated; without such a word ("Velora's bailout agreement could collapse") it is only named.
_POSSESSED = re.compile(r"^(?:[A-Z][\w.&-]*\s+){0,3}[A-Z][\w.&-]*(?:'s|’s)\s")
_IN_FORCE = re.compile(r"\b(?:current|existing|ongoing)\b")
_IN_FORCE_VERB = re.compile(r"^[^.;,]{0,80}?\b(?:expires|runs\s+(?:until|till|to|through|out)|remains\s+in\s+(?:force|effect)|"
                            r"is\s+in\s+(?:force|effect))\b", re.I)
_MODAL = re.compile(r"\b(?:could|would|may|might|will|shall|should|must|can)\b")  # lower case: not the month May
_PREDICATE_END = re.compile(r"[,;]|\.\s|\b(?:and|but|while)\b")
# "signed a contract ... to set up a collaboration center": a joint institution as the contract's purpose. Its
# substance is cooperation only between sides that are not companies and with no sum (`extract._settle_type`):
# "a $300m contract to establish a logistics park" is a construction contract.
_INSTITUTION_PURPOSE = re.compile(
    r"^[^.;]{0,160}?\bto\s+(?:jointly\s+)?(?:set\s+up|establish|form|create|found|co-?build|build\s+up)\s+"
    r"(?:\S+\s+){0,8}?(?:cent(?:er|re)s?|alliances?|institutes?|lab(?:oratory|oratories|s)?|partnerships?|"
    r"mechanisms?)\b", re.I)
_PURPOSE_ACQUIRE = re.compile(r"^[^.;]{0,40}?\bto\s+(?:be\s+(?:acquired|bought|purchased|taken\s+over)\s+by\b|acquire|buy|"
                              r"purchase|take\s+over|take\s+a\b|sell|divest)", re.I)
# "an agreement to cooperate on tourism": cooperation, whoever the parties.
_PURPOSE_COOPERATE = re.compile(r"^[^.;]{0,20}?\bto\s+(?:jointly\s+)?(?:co-?operate|collaborate|work\s+together|"
                                r"strengthen\s+(?:co-?operation|collaboration))\b", re.I)
_PURPOSE_MERGE = re.compile(r"^[^.;]{0,40}?\bto\s+merge\b", re.I)
_PURPOSE_JV = re.compile(
    r"^[^.;]{0,60}?\bto\s+(?:form|set\s+up|establish|create)\s+(?:an?\s+)?(?:[\w-]+\s+){0,2}?joint[- ]venture", re.I)
# "the agreement was signed by ...": a bare noun after "the" points back at an agreement already told.
_ANAPHORIC = re.compile(r"\b(?:the|this|that)\s+$", re.I)
_CEREMONY_HELD = re.compile(r"^[^.;]{0,200}?\b(?:was|were|has\s+been)\s+(?:held|staged)\b", re.I)
# Verbs that make a loan by giving or taking it ("granted / provided / extended / received a loan").
_LOAN_GIVE = re.compile(r"\b(?:grant(?:s|ed|ing)?|provid(?:e|es|ed|ing)|extend(?:s|ed|ing)?|approv(?:e|es|ed|ing)|"
                        r"receiv(?:e|es|ed|ing))\b", re.I)
# "agreed ... to borrow $10bn", "lent X $2bn": a loan stated by its verb and its sum, when the lender or the
# borrower beside the subject is named ("Italy borrowed 5 billion euros at an auction" is no loan agreement).
_LOAN_VERB = re.compile(r"\b(?:borrow(?:s|ed|ing)?|lend(?:s|ing)?|lent)\b(?=[^.;]{0,40}?(?:\d|\$|£|€|¥))", re.I)
# "the deal", "the $4bn share purchase": a later sentence pointing back at an agreement already told.
_BACK_NOUN = re.compile(
    r"\b(?:the|this|that)\s+(?P<phrase>(?:[\w$£€¥.,()%-]+\s+){0,5}?(?:purchase|acquisition|takeover|buyout|sale|"
    r"transaction))\b(?!\s+(?:of|by|to|from)\b)", re.I)
# Words that make a noun after "the" a new agreement, not one told before ("the second contract").
_NOT_BACK = re.compile(r"\b(?:new|another|second|third|other|separate|similar|first|further|more|latest|next)\b", re.I)
# "an agreement with X to form a joint venture": the venture is the agreement's purpose, not a second one.
_PURPOSE_GAP = re.compile(
    r"[^.;]{0,80}?\bto\s+(?:jointly\s+)?(?:form|set\s+up|establish|create|build|launch)\s+(?:an?\s+|the\s+)?"
    r"(?:[\w-]+\s+){0,3}", re.I)
# "36 projects ... were signed", "signed 48 cooperation projects": reports count project contracts (an agreement
# only with a side named, `dedupe.merge_statements`: "12 projects were signed with X", not a count alone).
_SIGNED_PROJECTS = re.compile(
    r"\b(?P<a>\d[\d,]*\s+(?:[\w-]+\s+){0,2}?projects)\b(?=[^.;]{0,80}?\b(?:were|have\s+been|being)\s+signed\b)"
    r"|\bsign(?:ed|s|ing)\s+(?:a\s+total\s+of\s+)?(?P<b>\d[\d,]*\s+(?:[\w-]+\s+){0,2}?projects)\b", re.I)
# "an agreement under which China will lend Kenya $300m": the clause tells what the agreement is.
_WHEREBY = re.compile(r"[^.;]{0,40}?\b(?:under\s+which|whereby|by\s+which|in\s+which)\b[^.;]*$", re.I)
_DEAL_FOR = re.compile(r"\s+(?:for|to\s+buy|to\s+acquire)\s+(?:the\s+)?")


@dataclass(frozen=True)
class Trigger:
    """One statement of an agreement inside a sentence (offsets into the sentence)."""

    type: str
    status: str
    start: int  # the agreement phrase, or the acquisition verb
    end: int
    verb_start: int  # where the subject's clause ends: the concluding verb, else `start`
    strong: bool  # stated as made, not merely named
    generic: bool = False  # the type is a default that the parties may settle (a deal between states)
    passive: bool = False  # "the agreement was signed by ...": no subject before it
    object_start: int | None = None  # acquisitions: where the company bought (or sold) is named
    sale: bool = False  # "sold X to Y": the subject is the seller
    anaphoric: bool = False  # "the agreement was signed by ...": restates an agreement, never starts one
    by_verb: bool = False  # stated by an acquisition verb ("agreed to buy"), not by an agreement noun
    institution: bool = False  # a contract whose purpose is a joint institution ("to set up a research center")
    sides_needed: int = 0  # stated only with this many sides named ("borrowed $1bn from X", not "at auction": 2)


def _phrase_type(phrase: str) -> tuple[str, bool]:
    """The type the words give, and whether it is only a default the parties may settle: a bare deal,
    agreement, pact or accord between states is a treaty; a trade deal with a company is a contract."""
    bare = bool(re.search(r"\b(?:deals?|agreements?|pacts?|accords?)\b", phrase, re.I))
    for name, pattern in _TYPE_WORDS:
        if pattern.search(phrase):
            if name == "treaty":
                return name, not _TREATY_FIRM.search(phrase)
            return name, bare and name == "contract" and not _CONTRACT_SUBSTANCE.search(phrase)
    return ("contract" if re.search(r"\bdeals?\b", phrase, re.I) else "cooperation_agreement"), True


def _status(before: str, verb: str, after: str, default: str = "signed", presupposed: bool = False) -> str | None:
    """Status from the clause before the verb and the verb itself; None when negated. `presupposed`: the verb
    takes as object an agreement that exists ("will continue a joint venture agreement")."""
    if _NEGATED.search(before[-40:]) or _ATTEMPT.search(before):
        return None
    if _TERMINATED.search(verb):
        return "terminated"
    if presupposed:
        return "signed"
    if re.search(r"\bagree(?:s|d)?\s+(?:to|in\s+principle)\b|\bagree(?:s|d)?\b\W*$", before[-30:], re.I) or (
            (gap := _AGREED_OBJECT.search(before)) and not _PLAN_VERB.search(gap["gap"])):  # "agreed a proposal with the IMF to borrow"
        return "agreed"
    before = _TALKS_OVER.sub(" ", before)  # "after the talks, they signed": talks that ended in a signing
    if _PLANNED.search(before[-60:]) or re.search(r"(?:^|\s)to\s*$", before, re.I):
        return "planned"
    if _COMPLETED.search(verb):
        return "completed"
    if _AGREED.search(verb) or _AGREED.search(after[:40]) or _AGREED.search(before[-30:]):
        return "agreed"
    return default


def _heads(text: str) -> list[tuple[int, int]]:
    """Agreement phrases: heads with their modifiers, compounds joined, complements left out."""
    phrases: list[list[int]] = []
    for m in _HEAD.finditer(text):
        if _NOT_HEAD.search(text[: m.start()]) and not m.group().lower().startswith(("memorand", "letter")):
            continue
        if re.match(r"deals?\s+with\b", m.group() + text[m.end() : m.end() + 6], re.I) and not re.search(
                r"\b(?:a|the|its|their|\d+)\s+(?:\S+\s+){0,3}$", text[: m.start()], re.I) and not CONCLUDE.search(
                " ".join(text[: m.start()].split()[-8:])):
            continue  # "deals with the problem"; not "signed ... cooperation deals with"
        if m.group() == "agreement" and _MASS_AGREEMENT.search(text[: m.start()]) or _MODIFIES.match(text, m.end()):
            continue
        if phrases:
            gap = text[phrases[-1][1] : m.start()]
            if not gap.strip() or re.fullmatch(r"\s*(?:of|on|for)?\s*", gap):
                phrases[-1][1] = m.end()  # "joint venture cooperation agreements"
                continue
            coordinated = re.fullmatch(r"\s*(?:,|and|as\s+well\s+as|or)\s+(?:(?:a|an|the|\d+|\w+)\s+){0,3}", gap, re.I)
            has_verb = CONCLUDE.search(gap) or _ACQUIRE.search(gap) or _RELATIVE_SIGNING.match(text[m.end() :])
            if not coordinated and not has_verb:
                continue  # a complement: "agreements ... from the establishment of joint ventures"
        mods = _MODIFIER.search(text[: m.start()])
        start = m.start()
        if mods:
            words = list(re.finditer(r"\S+", mods.group()))
            keep = []
            for w in reversed(words):
                if _DETERMINER.fullmatch(w.group().strip("\"“”'’,")) or CONCLUDE.fullmatch(w.group()):
                    break
                keep.append(w)
            if keep:
                start = mods.start() + keep[-1].start()
        phrases.append([start, m.end()])
    return [(s, e) for s, e in phrases]


def _clause_before(text: str, pos: int) -> int:
    """Start of the clause that `pos` stands in (after the last ';', ':' or sentence break)."""
    last = 0
    for m in _CLAUSE_BREAK.finditer(text, 0, pos):
        last = m.end()
    return last


def _noun_trigger(text: str, start: int, end: int) -> Trigger | None:
    t = _stated_noun(text, start, end)
    phrase = text[start:end]
    if t and _ANAPHORIC.search(text[:start]) and not _NOT_BACK.search(phrase) and "ceremony" not in phrase:
        t = replace(t, anaphoric=True)
    return t


def _stated_noun(text: str, start: int, end: int) -> Trigger | None:
    phrase = text[start:end]
    after = text[end:]
    clause = _clause_before(text, start)
    before = text[clause:start]
    ceremony = re.search(r"signing\s+ceremony", phrase, re.I)
    verb = None
    for m in CONCLUDE.finditer(before):
        if _ATTRIBUTIVE.search(before[: m.start()]):
            continue  # "the previously announced acquisition": a participle in the noun phrase, not its verb
        if _CONTINUE.fullmatch(m.group()) and not _continued(text, clause + m.end(), start):
            continue
        if ceremony or not re.fullmatch(r"held|hold|holds", m.group(), re.I):  # one holds a ceremony, not a deal
            verb = m  # the nearest concluding verb before the phrase
    signing_of = _SIGNING_OF.search(before)
    passive = _PASSIVE.match(after)
    if verb is None and _HEAD.search(phrase) and re.search(r"\b(?:loans?|credit)\b", phrase, re.I):
        for m in _LOAN_GIVE.finditer(before):
            verb = m  # "the bank granted a loan of ...": a loan stated by its giving
    if ceremony:
        phrase = text[end : end + 80]  # "a signing ceremony for the Vascular Surgery Collaboration Center"
    type_, generic = _phrase_type(phrase)
    if _PURPOSE_JV.match(after):
        type_, generic = "joint_venture", False
    elif _PURPOSE_MERGE.match(after):
        type_, generic = "merger", False
    elif _PURPOSE_COOPERATE.match(after) and type_ in ("cooperation_agreement", "contract"):
        type_, generic = "cooperation_agreement", False
    elif (bought := _PURPOSE_ACQUIRE.match(after)) and (bought.group().endswith("by") or _company_object(after[bought.end() :])):
        type_, generic = "acquisition", False
    elif bought:
        type_, generic = "contract", False  # "a deal to purchase $1.6 billion worth of precious metals"
    institution = type_ == "contract" and bool(re.search(r"\bcontracts?\b", phrase, re.I)) and not _CONTRACT_SUBSTANCE.search(
        re.sub(r"\bcontracts?\b", "", phrase, flags=re.I)) and bool(_INSTITUTION_PURPOSE.match(after))
    obj = None
    if type_ == "acquisition" and (acquired := _ACQUIRE.search(after[:60])):
        obj = end + acquired.end()
    if signing_of and (not verb or signing_of.start() > verb.start()):
        status = _status(text[clause : clause + signing_of.start()], "signing", after)
        return Trigger(type_, status, start, end, clause + signing_of.start(), True, generic,
                       passive=True, object_start=obj, institution=institution) if status else None
    if ceremony and not verb and (held := _CEREMONY_HELD.match(after)):  # "The signing ceremony of ... was held"
        return Trigger(type_, _status(before, held.group(), after) or "signed", start, end, start, True, generic,
                       object_start=obj, institution=institution)
    if verb:
        vstart = clause + verb.start()
        presupposed = bool(_CONTINUE.fullmatch(verb.group())) and not (
            verb.group().lower().startswith("extend") and re.search(r"\b(?:loans?|credit)\b", phrase, re.I))
        status = _status(text[clause:vstart], verb.group(), after, presupposed=presupposed)
        return Trigger(type_, status, start, end, vstart, True, generic, object_start=obj, institution=institution) if status else None
    if passive:
        status = _status(before, passive.group(), after[passive.end() :])
        return Trigger(type_, status, start, end, start, True, generic, passive=True, object_start=obj, institution=institution) if status else None
    status = _status(before, "", after)
    possessed = bool(_POSSESSED.match(phrase)) and status == "signed" and not _PLANNED.search(phrase) and _in_force(phrase, after)
    return Trigger(type_, status, start, end, start, possessed, generic, object_start=obj, institution=institution) if status else None


def _in_force(phrase: str, after: str) -> bool:
    """Whether a possessed agreement is said to be in force: a word of the phrase ("current", "existing") or
    a present-tense predicate ("expires in May", "runs until 2027"), and no modal in its clause."""
    end = _PREDICATE_END.search(after)
    predicate = after[: end.start()] if end else after
    return bool(_IN_FORCE.search(phrase) or _IN_FORCE_VERB.match(predicate)) and not _MODAL.search(predicate)


def _continued(text: str, verb_end: int, start: int) -> bool:
    """Whether the agreement phrase at `start` is the object of the verb ending at `verb_end`: only
    determiners stand between them."""
    return bool(_OBJECT_GAP.fullmatch(text, verb_end, start))


def _company_object(text: str) -> bool:
    """Whether the object at the start of `text` ("the business and assets of Wallco Inc", "a 41 percent stake
    in Renown") can be a company: a company noun or a capitalised name before the phrase ends."""
    stop = re.search(r"\s(?:for|from|to|at|in\s+a|worth|valued)\s|[,;(]|\.(?:\s|$)", text[:100])
    head = text[: stop.start()] if stop else text[:100]
    return bool(_COMPANY_NOUN.search(head) or re.search(r"(?:^|\s)(?!(?:US|U\.S\.)\b)[A-Z<]", head))


def _acquisition_trigger(text: str, m: re.Match[str], objects: list[tuple[int, int]], headline: bool) -> Trigger | None:
    after = text[m.end() : m.end() + 80]
    stop = re.search(r"\s(?:for|to|from|in\s+a|at)\s|[,;(]|\.(?:\s|$)", after)
    target = after[: stop.start()] if stop else after
    named = any(m.end() <= s < m.end() + len(target) + 1 for s, _ in objects)
    clause = _clause_before(text, m.start())
    before = text[clause : m.start()]
    if passive := bool(_PASSIVE_AUX.search(before)) and not m["noun"]:  # "X was sold to Y": X is what was bought
        named = any(clause <= s < m.start() for s, _ in objects) or bool(_COMPANY_NOUN.search(before))
    if not named and not _COMPANY_NOUN.search(target) and not (m["merge"] and m.group().lower() == "merge"):
        return None  # "bought 500 tonnes of sugar"
    if not m["noun"] and re.search(r"\b(?:the|a|an|this|that|its|their|his|her)\s+$", before, re.I):
        return None  # "the purchase would broaden ...": a noun that names, not a verb that states
    if m["noun"]:
        verb = None
        for v in CONCLUDE.finditer(before):
            if not _ATTRIBUTIVE.search(before[: v.start()]):
                verb = v
        if not verb:
            return None  # "the acquisition of X" named, not stated
        status = _status(text[clause : clause + verb.start()], verb.group(), after)
        vstart = clause + verb.start()
    else:
        status = _status(before, m["verb"], after)
        decided = _DECIDED.search(before) or (_HEADLINE_TO.search(before) if headline else None)
        if status == "planned" and decided:
            said = before[: decided.start()] if decided.start() else re.sub(r"\bto\s+$", "", decided.group(), flags=re.I)
            status = "planned" if _PLANNED.search(said[-60:]) else "agreed"
        vstart = m.start()
    type_ = "merger" if (m["merge"] or m["merger"]) else "acquisition"
    merging = m["merge"] and m.group().lower() == "merge"  # "X and Y agreed to merge": no object
    return Trigger(type_, status, m.start(), m.end(), vstart, True, passive=passive,
                   object_start=None if merging else m.end(), sale=bool(m["sell"] or m["sale"]),
                   by_verb=not m["noun"]) if status else None


def _deal_for(text: str, t: Trigger, objects: Sequence[tuple[int, int]]) -> Trigger:
    """"agrees £1.2bn deal for Brightwell Dairies": a deal for a company buys it."""
    m = _DEAL_FOR.match(text, t.end)
    if t.type == "contract" and t.generic and m and any(s == m.end() for s, _ in objects):
        return replace(t, type="acquisition", generic=False, object_start=m.end())
    return t


def find_triggers(text: str, objects: Sequence[tuple[int, int]] = (), headline: bool = False) -> list[Trigger]:
    """Agreements stated in one sentence; `objects` are spans of named organizations (acquisition targets);
    `headline` when the sentence is a headline or shouted, whose shorthand "X TO BUY Y" states a decision."""
    found: list[Trigger] = []
    for start, end in _heads(text):
        t = _noun_trigger(text, start, end)
        if t and any(o.type == t.type and _PURPOSE_GAP.fullmatch(text[o.end : start]) for o in found):
            continue
        if t:
            found.append(_deal_for(text, t, objects))
    for m in _BACK_NOUN.finditer(text):
        start, end = m.span("phrase")
        if not _NOT_BACK.search(m["phrase"]) and not any(t.start < end and start < t.end for t in found):
            passive = _PASSIVE.match(text[end:])  # "the purchase was signed in Paris on May 5": stated, with its date
            status = _status(text[: m.start()], passive.group(), text[end + passive.end() :]) if passive else "signed"
            if status:
                found.append(Trigger("acquisition", status, start, end, start, bool(passive), passive=bool(passive),
                                     anaphoric=True))
    for m in _SIGNED_PROJECTS.finditer(text):
        start, end = m.span("a") if m["a"] else m.span("b")
        if not any(t.start < end and start < t.end for t in found):
            found.append(Trigger("contract", "signed", start, end, start if m["a"] else m.start(), True, passive=bool(m["a"])))
    for m in _LOAN_VERB.finditer(text):
        clause = _clause_before(text, m.start())
        status = _status(text[clause : m.start()], m.group(), text[m.end() :])
        if status and not any(t.start <= m.start() < t.end for t in found):
            found.append(Trigger("loan", status, m.start(), m.end(), m.start(), True, sides_needed=2))
    for m in _ACQUIRE.finditer(text):
        # "an agreement to acquire X" is the agreement already found; "agreed to buy X" stands alone
        owner = next((t for t in found if t.end <= m.start() and re.fullmatch(
            r"[^.;]{0,40}?\bto\s+(?:be\s+)?", text[t.end : m.start()])), None)
        if owner:
            if owner.type == "acquisition" and owner.object_start is None:
                found[found.index(owner)] = replace(owner, object_start=m.end(), sale=bool(m["sell"]))
            continue
        if any(t.start <= m.start() < t.end for t in found):
            continue
        t = _acquisition_trigger(text, m, list(objects), headline)
        if t:
            found.append(t)
    for t in [t for t in found if not t.by_verb and _MEANS.search(text[: t.start])]:
        if any(o.by_verb and o.end <= t.start for o in found):
            found.remove(t)  # "bought X in a deal worth $Y"
    for inner in sorted(found, key=lambda t: t.start):
        outer = next((t for t in found if t is not inner and t.end <= inner.start and _WHEREBY.match(text[t.end : inner.start])), None)
        if outer is not None:  # one agreement, of the kind its clause tells
            found[found.index(outer)] = replace(outer, type=inner.type, generic=False)
            found.remove(inner)
    return found
