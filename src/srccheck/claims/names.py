"""Names of people and organisations in German and English text (no I/O).

German capitalises every noun, so capitalisation alone does not make a name.
:func:`find_names` applies these rules, in order, to every run of capitalised
tokens separated only by spaces (name particles such as ``von``, ``van``,
``de``, ``bin``, ``al-`` may sit inside a run):

1. **Roles and titles** (Präsident, Minister, Botschafter, Generalsekretär,
   Redakteur, President, Secretary …, also as the head of a compound such as
   ``US-Verteidigungsminister``) are cut off; what follows the last role is
   the name, and the name is a person. Acronym prefixes of compounds
   (``NATO-Generalsekretär``, ``F.A.Z.-Redakteur``, ``UN-Sicherheitsrat``)
   are organisation names of their own.
2. Leading function words (``Der``, ``Nach``, ``Laut``, ``The`` …), months,
   weekdays and single letters are dropped from the run.
3. What is left is a name when it has **two or more tokens** and is not a
   pair of common nouns (a token with a common-noun ending such as -ung,
   -heit, -schaft, -krieg … and no known first name rejects the run), or
   when it is **one token** that is an acronym (NATO, EU, F.A.Z.) or directly
   follows a role (``Kanzler Scholz``). A single capitalised word, and a
   single word at the start of a sentence, is never a name.
4. A name is a person when it starts with a known first name or follows a
   role; otherwise an organisation (or other multi-word proper name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from srccheck.claims.model import EntityType
from srccheck.claims.numbers import word_set as _words

__all__ = ["NameMention", "find_names", "is_role_word"]


@dataclass(frozen=True, slots=True)
class NameMention:
    """One occurrence of a name in a text."""

    text: str  # the name's tokens joined by single spaces
    start: int
    end: int
    entity: EntityType


_TOKEN = re.compile(r"(?:[A-ZÄÖÜ]\.){2,}(?:-\w[\w-]*)?|\w[\w'’-]*\w|\w")

_ROLES = _words(
    """
    präsident präsidentin präsidenten staatspräsident ministerpräsident bundespräsident
    minister ministerin ministers botschafter botschafterin botschafters
    generalsekretär generalsekretärin generalsekretärs sekretär sekretärin
    kanzler kanzlerin kanzlers bundeskanzler regierungschef regierungschefin chef chefin
    sprecher sprecherin sprechers redakteur redakteurin korrespondent korrespondentin
    direktor direktorin vorsitzende vorsitzender vorsitzenden abgeordnete abgeordneter
    bürgermeister bürgermeisterin general generals generalin admiral oberst kommandeur
    papst könig königin prinz prinzessin premier premierminister premierministerin
    senator senatorin gouverneur gouverneurin richter richterin staatssekretär
    staatssekretärin außenminister verteidigungsminister innenminister finanzminister
    experte expertin analyst analystin professor professorin prof dr herr frau
    autor autorin journalist journalistin reporter reporterin gründer gründerin ceo cfo
    president secretary ambassador minister chancellor spokesman spokeswoman spokesperson
    senator governor general chairman chairwoman chair director chief leader mayor
    editor correspondent king queen prince pope judge mr mrs ms sir lord lady
    trainer trainerin coach manager managerin
    """
)
_ROLE_HEADS = (
    "minister", "ministerin", "präsident", "präsidentin", "präsidenten", "botschafter",
    "botschafterin", "sekretär", "sekretärin", "kanzler", "kanzlerin", "sprecher",
    "sprecherin", "redakteur", "redakteurin", "korrespondent", "korrespondentin", "chef",
    "chefin", "direktor", "direktorin", "vorsitzender", "vorsitzende", "experte", "expertin",
    "kommandeur", "general", "berater", "beraterin", "beauftragter", "beauftragte",
)  # fmt: skip
_FUNCTION_WORDS = _words(
    """
    der die das den dem des ein eine einer einen einem eines nach laut am im in an auf aus
    beim zum vom ins ans aufs
    bei mit von vom zum zur für über unter vor wenn als wie auch und oder aber doch so
    sollte dass daher damit dabei zudem seit bis trotz wegen während nun dann da hier
    dies diese dieser dieses jene sein seine ihr ihre wir sie er es ich man
    the a an in on at of for from with by to as according after before when while but
    and or this that these those his her their our its he she they we it if since
    """
)
_NON_NAME = _words(
    """
    januar februar märz april mai juni juli august september oktober november dezember
    montag dienstag mittwoch donnerstag freitag samstag sonntag sonnabend
    january february march june july october december monday tuesday wednesday
    thursday friday saturday sunday ende anfang mitte uhr prozent euro dollar
    hunderte tausende zehntausende hunderttausende millionen dutzende
    """
)
_PARTICLES = _words("von van de der den da di del della du la le bin ibn al el ter ten zu")
_COMMON_ENDINGS = (
    "ung", "ungen", "heit", "heiten", "keit", "keiten", "schaft", "schaften", "tion",
    "tionen", "tät", "täten", "ismus", "nis", "nisse", "tum", "krieg", "kriegs",
    "bericht", "berichte", "berichten", "rat", "amt", "ministerium", "partei", "plattform",
    "truppen", "soldaten", "gespräch", "gespräche", "konflikt", "angriff", "angriffe",
    "woche", "wochen", "jahr", "jahre", "jahren", "zeit", "land", "länder", "staat", "staaten",
    "kräfte", "leute", "menschen", "medien", "geheimdienst", "sicherheit", "stadt", "arbeit",
)  # fmt: skip
# Capitalised adjectives that begin well-known multi-word proper names.
_PROPER_ADJECTIVES = _words(
    """
    united vereinte vereinten europäische europäischen weiße weißen rote roten internationale
    internationalen deutsche deutschen nationale nationalen
    """
)
_FIRST_NAMES = _words(
    """
    adam alexander alexej alexei alice alina andrea andreas angela anna annalena anne
    antonio antony antonio ben benjamin bernd boris carl carlos charles chris christian
    christine claudia daniel david dmitri dmitrij donald elena elisabeth elon emmanuel emma
    eric erik eva frank franz friedrich georg george gerhard giorgia hans heiko helmut
    hillary horst hubertus ian igor isabel jacob jake james jan jana jens jeremy jim joachim
    joe johann johannes john jonas josep joseph julia julian jürgen justin kamala karin karl
    karim katharina keir kevin kim klaus kristalina lars laura lena leon linda lloyd lukas
    manfred marco maria marie marine mark markus martin matthias max michael michel mike
    mohammed muhammad nancy nicolas niklas nikolai norbert olaf olena oleksandr olga oliver
    pascal patrick paul peter philipp rainer ralf recep reinhard richard rishi robert roman
    rustem sahra sandra sarah sebastian sergej sergei sergey stefan steffi stephan steve
    susanne svenja thomas tim tobias tom ursula valentina viktor vladimir volodymyr walter
    werner wladimir wolfgang wolodymyr xi yoon yulia julija ulrich antony jens dmytro
    andrij andriy wolodimir friedrich christoph katrin nancy annegret armin cem ricarda
    """
)
_ROMAN = re.compile(r"^[IVXLC]+$")
_ACRONYM = re.compile(r"^(?:[A-ZÄÖÜ]{2,6}\d{0,3}|[A-Z]\d{1,3}|(?:[A-ZÄÖÜ]\.){2,})$")


def is_role_word(token: str) -> bool:
    """Whether ``token`` is a role or title (also as the head of a compound)."""
    low = token.lower().rstrip(".")
    if low in _ROLES:
        return True
    head = low.rsplit("-", 1)[-1]
    return head in _ROLES or any(head.endswith(h) and len(head) > len(h) for h in _ROLE_HEADS)


def _is_acronym(token: str) -> bool:
    return bool(_ACRONYM.match(token)) and not _ROMAN.match(token)


def _acronym_prefixes(token: str) -> list[str]:
    parts = token.split("-")
    return [p for p in parts[:-1] if _is_acronym(p)] if len(parts) > 1 else []


def _is_common_noun(token: str) -> bool:
    low = token.lower()
    return any(low.endswith(e) for e in _COMMON_ENDINGS)


_DETERMINERS = _words(
    "der die das den dem des ein eine einer einen einem eines seine seiner ihre ihrer"
)
_PREPOSITIONS = _words("gegen zwischen neben binnen seiten oben unten außen innen")
_PREVIOUS_WORD = re.compile(r"([^\W\d_]+)[ \t]+$")


def _after_determiner(text: str, pos: int) -> bool:
    m = _PREVIOUS_WORD.search(text[max(0, pos - 40) : pos])
    if m is None or not m.group(1).islower():
        return False
    word = m.group(1)
    if word in _FUNCTION_WORDS or word in _PREPOSITIONS:
        return word in _DETERMINERS
    return word in _DETERMINERS or (len(word) > 4 and word.endswith(("en", "e", "er", "es", "em")))


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and (text[i].isspace() or text[i] in "\"„“”«»‚‘’'(["):
        if text[i] == "\n" and i > 0 and text[i - 1] == "\n":
            return True
        i -= 1
    if i < 0:
        return True
    if text[i] in "!?:":
        return True
    if text[i] == ".":
        # "21. Oktober", "Dr. Müller", "F.A.Z. Redakteur": not a sentence end.
        j = i - 1
        while j >= 0 and text[j].isalnum():
            j -= 1
        word = text[j + 1 : i]
        return not (word.isdigit() or len(word) == 1 or word.lower() in ("dr", "prof", "st"))
    return False


def find_names(text: str, lang: str = "de") -> list[NameMention]:
    """All names of people and organisations in ``text``, in order.

    ``lang`` is accepted for symmetry with the other extractors; the rules
    (module docstring) work on German and English alike.
    """
    tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    out: list[NameMention] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i][0]
        if not _is_name_token(tok):
            i += 1
            continue
        run = [tokens[i]]
        j = i + 1
        while j < len(tokens):
            gap = text[run[-1][2] : tokens[j][1]]
            if gap.strip() or "\n\n" in gap:
                break
            nxt = tokens[j][0]
            if _is_name_token(nxt) or (
                nxt.islower() and nxt in _PARTICLES and _particle_joins(text, tokens, j, run[-1][0])
            ):
                run.append(tokens[j])
                j += 1
            else:
                break
        out.extend(_names_in_run(text, run, lang))
        i = j
    return out


def _particle_joins(text: str, tokens: list[tuple[str, int, int]], j: int, previous: str) -> bool:
    """Whether the particle at ``j`` continues a name ("Ursula von der Leyen").

    Only after a known first name or another particle, and only when more
    particles and then a capitalised token follow; otherwise ``von`` is the
    preposition in "Rede von Ursula".
    """
    if previous.lower() not in _FIRST_NAMES and previous not in _PARTICLES:
        return False
    k = j
    while k + 1 < len(tokens) and not text[tokens[k][2] : tokens[k + 1][1]].strip():
        k += 1
        if _is_name_token(tokens[k][0]):
            return True
        if tokens[k][0] not in _PARTICLES:
            return False
    return False


def _is_name_token(tok: str) -> bool:
    first = tok[0]
    if first.isupper():
        return True
    # "al-Assad", "bin-…": a lower-case particle glued to a capitalised name.
    return "-" in tok and tok.split("-", 1)[0] in _PARTICLES and tok.split("-", 1)[1][:1].isupper()


def _names_in_run(text: str, run: list[tuple[str, int, int]], lang: str) -> list[NameMention]:
    out: list[NameMention] = []
    at_sentence_start = _sentence_start(text, run[0][1])
    # Acronyms glued to compounds: "NATO-Generalsekretär" names NATO.
    for tok, start, _ in run:
        for prefix in _acronym_prefixes(tok):
            offset = tok.index(prefix)
            out.append(
                NameMention(
                    text=prefix,
                    start=start + offset,
                    end=start + offset + len(prefix),
                    entity=EntityType.ORGANISATION,
                )
            )
    after_role = False
    last_role = -1
    for k, (tok, _, _) in enumerate(run):
        if is_role_word(tok):
            last_role = k
    if last_role >= 0:
        after_role = True
        at_sentence_start = False
        run = run[last_role + 1 :]
    while run and (run[0][0].lower() in _FUNCTION_WORDS or run[0][0].lower() in _PARTICLES):
        run = run[1:]
        at_sentence_start = False
    # Months, weekdays and single letters split a run; so does a known first
    # name after other words ("Secretary of State Antony Blinken").
    pieces: list[list[tuple[str, int, int]]] = [[]]
    for k, item in enumerate(run):
        tok = item[0]
        if tok.lower() in _NON_NAME or (len(tok) == 1 and tok.isalpha()):
            pieces.append([])
            continue
        if (
            k > 0
            and pieces[-1]
            and tok.lower() in _FIRST_NAMES
            and run[k - 1][0].lower() not in _FIRST_NAMES
            and run[k - 1][0] not in _PARTICLES
        ):
            pieces.append([])
        pieces[-1].append(item)
    for n, piece in enumerate(p for p in pieces if p):
        first_piece = n == 0
        mention = _classify(
            text, piece, after_role and first_piece, at_sentence_start and first_piece, lang
        )
        if mention is not None:
            out.append(mention)
    return sorted(out, key=lambda m: m.start)


def _classify(
    text: str,
    piece: list[tuple[str, int, int]],
    after_role: bool,
    at_sentence_start: bool,
    lang: str,
) -> NameMention | None:
    while piece and piece[-1][0].lower() in _PARTICLES:
        piece = piece[:-1]
    if not piece:
        return None
    words = [tok for tok, _, _ in piece]
    start, end = piece[0][1], piece[-1][2]
    joined = " ".join(words)
    if len(piece) == 1:
        tok = words[0]
        if _is_acronym(tok):
            return NameMention(joined, start, end, EntityType.ORGANISATION)
        if after_role and not _is_common_noun(tok):
            return NameMention(joined, start, end, EntityType.PERSON)
        return None
    known_first = words[0].lower() in _FIRST_NAMES
    if words[0].lower() in _PROPER_ADJECTIVES:
        return NameMention(joined, start, end, EntityType.ORGANISATION)
    if not known_first and not after_role and any(_is_common_noun(w) for w in words):
        return None
    if (
        lang == "de"
        and not known_first
        and not after_role
        and words[-1].endswith("s")
        and _after_determiner(text, start)
    ):
        # "der Seite Russlands": a German noun phrase (article or inflected
        # adjective before it) with a name in the genitive.
        return None
    if at_sentence_start and not known_first and len(piece) == 2 and not after_role:
        # A sentence-initial noun followed by one capitalised word ("Moskau Nachrichten")
        # is only a name with a further signal.
        if any(w.isupper() for w in words):
            pass
        elif _is_common_noun(words[0]) or words[0].endswith("s"):
            return None
    entity = EntityType.PERSON if (known_first or after_role) else EntityType.ORGANISATION
    return NameMention(joined, start, end, entity)
