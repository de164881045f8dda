"""Rule-based detectors of structured personal data (no language model needed).

Each ``detect_*`` function takes a text and returns non-overlapping
:class:`~interviewkit.privacy.text.Span` tuples ``(start, end, kind, text)``
sorted by start. Checksums are verified where the format has one (IBAN mod 97,
card Luhn, NIR key), which keeps dates, prices, times, postcodes and order
numbers out.

>>> detect_phones("Rappelez-moi au 06 12 34 56 78 ou le 12 03 2024 à 14h30.")
[Span(start=16, end=30, kind='TEL', text='06 12 34 56 78')]
>>> detect_nirs("NIR : 2 83 07 2A 004 012 53")
[Span(start=6, end=27, kind='NIR', text='2 83 07 2A 004 012 53')]
>>> detect_plates("immatriculée AB-123-CD, pas 14 H 30")
[Span(start=13, end=22, kind='PLAQUE', text='AB-123-CD')]
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers
from stdnum import iban as _iban
from stdnum import luhn as _luhn

from .addresses import detect_addresses, normalise_address
from .filters import default_filters
from .text import Span, fold, normalise_name, plain_separators, resolve_overlaps

# Patterns compiled once: phonenumbers compiles many patterns of its own and
# would push ours out of the re module cache.
_SPOKEN_MARK = re.compile(r"(?i)arobase|arrobase|\s@|@\s|\spoint\s")
_SAY_AT = re.compile(r"(?i)\s*\b(?:arobase|arrobase)\b\s*")
_SAY_DOT = re.compile(r"(?i)\s+point\s+")
_SAY_UNDERSCORE = re.compile(r"(?i)\s+(?:underscore|tiret\s+du\s+bas)\s+")
_SAY_DASH = re.compile(r"(?i)\s+tiret\s+")
_SPACES = re.compile(r"\s+")
_CLAUSE_END = re.compile(r"[.!?;\n]")
_ASCII_WORD = re.compile(r"[a-z]+")
_NON_DIGIT = re.compile(r"\D")
_DIGITS = re.compile(r"\d+")
_ALNUM_GROUP = re.compile(r"[A-Za-z0-9]+")
_SPACE_DASH = re.compile(r"[ \-]")
_NON_ALNUM_UPPER = re.compile(r"[^0-9A-Z]")


# --------------------------------------------------------------------------- e-mail
_EMAIL = re.compile(
    r"(?<![\w.+%-])[\w+%-]+(?:\.[\w+%-]+)*[ \t]?@[ \t]?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w-])"
)
# Dictated addresses as a speech-to-text tool writes them:
# "sophie point lemaire arobase gmail point com".
_SEP = r"(?:\s+(?:point|tiret|underscore|tiret\s+du\s+bas)\s+|[._-])"
_DOT = r"(?:\s+point\s+|\.)"
_SPOKEN_EMAIL = re.compile(
    rf"(?i)(?<![\w.-])[\w-]+(?:{_SEP}[\w-]+)*\s*(?:arobase|arrobase|@)\s*[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,6}}(?![\w-])"
)


_AT_MARK = re.compile(r"(?i)@|arr?obase")
EMAIL_WINDOW = 160  # characters searched on each side of an "@" / "arobase": longer than any address


def _near_marks(text: str) -> list[tuple[int, int]]:
    """Merged windows of ``EMAIL_WINDOW`` characters around each "@" or "arobase" of ``text``.

    The address patterns are only run there: on a long text without a marker their word-separator
    alternatives backtrack for seconds (a 2,500-character review with hyphenated words took minutes)."""
    out: list[tuple[int, int]] = []
    for m in _AT_MARK.finditer(text):
        lo, hi = max(0, m.start() - EMAIL_WINDOW), min(len(text), m.end() + EMAIL_WINDOW)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


@plain_separators
def detect_emails(text: str) -> list[Span]:
    """E-mail addresses, written (``a.b@c.fr``) or dictated (``a point b arobase c point fr``)."""
    spans: list[Span] = []
    for lo, hi in _near_marks(text):
        spans += [Span(m.start(), m.end(), "EMAIL", m.group()) for m in _EMAIL.finditer(text, lo, hi)]
        for m in _SPOKEN_EMAIL.finditer(text, lo, hi):
            if _SPOKEN_MARK.search(m.group()):
                spans.append(Span(m.start(), m.end(), "EMAIL", m.group()))
    return resolve_overlaps(spans)


def normalise_email(value: str) -> str:
    v = _SAY_AT.sub("@", value)
    v = _SAY_DOT.sub(".", v)
    v = _SAY_UNDERSCORE.sub("_", v)
    v = _SAY_DASH.sub("-", v)
    return _SPACES.sub("", v).lower()


# --------------------------------------------------------------------------- context cues
_FILLERS = frozenset({"n", "no", "numero", "num", "de", "du", "le", "la", "mon", "ma", "votre", "c", "est"})


def _after_order_cue(text: str, start: int) -> bool:
    """True when one of the ``order_cues`` of the filter file closely precedes ``start``."""
    cues = default_filters().order_cues
    before = fold(text[max(0, start - 60):start])
    before = _CLAUSE_END.split(before)[-1]
    words = _ASCII_WORD.findall(before)[-4:]
    words = [w for w in words if w not in _FILLERS]
    return any(w in cues for w in words[-2:])


# --------------------------------------------------------------------------- phones
_FR_PHONE = re.compile(
    r"(?<![\w+])(?<!\d[ .\-/])(?:(?:\+|00)\s?33[\s.\-]?(?:\(0\)[\s.\-]?)?|0)[1-9](?:[ .\-/]?\d{2}){4}(?![ .\-/]?\d)(?!\w)"
)


@plain_separators
def detect_phones(text: str, region: str = "FR") -> list[Span]:
    """Phone numbers: ``phonenumbers`` (valid numbers, region ``FR`` by default,
    ``+``/``00`` international ones) plus a French pattern for separators it may
    miss. A number right after an order cue ("commande", "facture"...) is skipped."""
    spans = [
        Span(m.start, m.end, "TEL", m.raw_string)
        for m in phonenumbers.PhoneNumberMatcher(text, region)
    ]
    for m in _FR_PHONE.finditer(text):
        try:
            number = phonenumbers.parse(m.group(), region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            spans.append(Span(m.start(), m.end(), "TEL", m.group()))
    return [s for s in resolve_overlaps(spans) if not _after_order_cue(text, s.start)]


def normalise_phone(value: str, region: str = "FR") -> str:
    """E.164 form (``+33612345678``); digits only when it cannot be parsed."""
    try:
        number = phonenumbers.parse(value, region)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return "+" + _NON_DIGIT.sub("", value)


# --------------------------------------------------------------------------- IBAN
_IBAN = re.compile(r"(?i)(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]{1,4})+")


@plain_separators
def detect_ibans(text: str) -> list[Span]:
    """IBANs, compact or in groups, checked with ``stdnum.iban`` (mod 97 and country length)."""
    spans = []
    for m in _IBAN.finditer(text):
        ends = [m.start() + g.end() for g in _ALNUM_GROUP.finditer(m.group())]
        for end in reversed(ends):
            candidate = text[m.start():end]
            if len(_SPACE_DASH.sub("", candidate)) < 15:
                break
            if _iban.is_valid(candidate.upper()):
                spans.append(Span(m.start(), end, "IBAN", candidate))
                break
    return spans


def normalise_compact(value: str) -> str:
    """Upper-case letters and digits only (IBAN, NIR, plates)."""
    return _NON_ALNUM_UPPER.sub("", fold(value).upper())


# --------------------------------------------------------------------------- payment cards
_DIGIT_RUN = re.compile(r"(?<![\w])\d+(?:[ \-.]\d+)*(?![\w])")


def _card_layout_ok(groups: list[str]) -> bool:
    sizes = [len(g) for g in groups]
    if len(sizes) == 1:
        return True
    if sizes in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4


@plain_separators
def detect_cards(text: str) -> list[Span]:
    """Payment card numbers: 13–19 digits, compact or in groups of 4 (Amex 4-6-5),
    issuer digit 2–6, Luhn-checked with ``stdnum.luhn``."""
    spans = []
    for run in _DIGIT_RUN.finditer(text):
        parts = list(_DIGITS.finditer(run.group()))
        i = 0
        while i < len(parts):
            found = None
            for j in range(len(parts), i, -1):
                groups = [p.group() for p in parts[i:j]]
                digits = "".join(groups)
                if 13 <= len(digits) <= 19 and digits[0] in "23456" and _card_layout_ok(groups) \
                        and _luhn.is_valid(digits):
                    found = j
                    break
            if found is None:
                i += 1
                continue
            start, end = run.start() + parts[i].start(), run.start() + parts[found - 1].end()
            if not _after_order_cue(text, start):
                spans.append(Span(start, end, "CARTE", text[start:end]))
            i = found
    return spans


def normalise_digits(value: str) -> str:
    return _NON_DIGIT.sub("", value)


# --------------------------------------------------------------------------- NIR
_S = r"[ .\-]?"
_NIR = re.compile(
    rf"(?<![\w])(?<!\d[ .\-])([1-478]){_S}(\d{{2}}){_S}(\d{{2}}){_S}(\d{{2}}|2[AaBb]){_S}(\d(?:{_S}\d){{5}}){_S}(\d{{2}})(?![\w])(?![ .\-]\d)"
)


def nir_key_ok(value: str) -> bool:
    """True when the 2-digit key of a NIR equals 97 - (13 first characters mod 97).

    Corsica: department ``2A`` counts as ``19`` and ``2B`` as ``18``.

    >>> nir_key_ok("2 83 07 2A 004 012 53"), nir_key_ok("2 83 07 2A 004 012 54")
    (True, False)
    """
    compact = normalise_compact(value)
    if len(compact) != 15:
        return False
    body = compact[:13].replace("2A", "19", 1) if compact[5:7] == "2A" else compact[:13]
    body = body.replace("2B", "18", 1) if compact[5:7] == "2B" else body
    if not (body.isdigit() and compact[13:].isdigit()):
        return False
    return 97 - int(body) % 97 == int(compact[13:])


@plain_separators
def detect_nirs(text: str) -> list[Span]:
    """French social-security numbers (NIR): 13 characters + 2-digit key, compact
    or spaced (``1 85 05 78 006 084 91``), month 01–12 or 20–99, key checked."""
    spans = []
    for m in _NIR.finditer(text):
        month = int(m.group(3))
        if not (1 <= month <= 12 or month >= 20):
            continue
        if nir_key_ok(m.group()):
            spans.append(Span(m.start(), m.end(), "NIR", m.group()))
    return spans


# --------------------------------------------------------------------------- licence plates
_SIV_L = "[A-HJ-NP-TV-Z]"
_SIV = re.compile(rf"(?<![\w-])({_SIV_L}{{2}})([ -]?)(?!000)(\d{{3}})\2({_SIV_L}{{2}})(?![\w-])")
_SIV_DASHED_ANY_CASE = re.compile(
    rf"(?i)(?<![\w-])({_SIV_L}{{2}})-(?!000)(\d{{3}})-({_SIV_L}{{2}})(?![\w-])"
)
_FNI = re.compile(
    r"(?<![\w-])(?<!\d[ .,])(\d{1,4})([ -]?)([A-HJ-NP-Z]{2,3})\2(0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])(?![\w-])"
)
_FNI_NOT_SERIES = frozenset(
    "EUR USD CHF GBP KM CM MM KG MG GO MO KO TO TB GB MB KB TTC HT AM PM MN SEC MIN CV KW KWH DB HZ".split()
)


@plain_separators
def detect_plates(text: str) -> list[Span]:
    """French licence plates: SIV ``AB-123-CD``/``AB 123 CD``/``AB123CD`` (capitals;
    any case when dashed; no I, O, U, no ``SS``, not ``000``) and old FNI
    ``1234 AB 56`` (2–3 capital letters, valid department). Skipped after a
    reference cue ("référence KB 350 TX", "modèle ...")."""
    spans = []
    for m in list(_SIV.finditer(text)) + list(_SIV_DASHED_ANY_CASE.finditer(text)):
        letters = (m.group(1) + m.groups()[-1]).upper()
        if "SS" in (letters[:2], letters[2:]):
            continue
        spans.append(Span(m.start(), m.end(), "PLAQUE", m.group()))
    for m in _FNI.finditer(text):
        if m.group(3) in _FNI_NOT_SERIES:
            continue
        spans.append(Span(m.start(), m.end(), "PLAQUE", m.group()))
    return [s for s in resolve_overlaps(spans) if not _after_order_cue(text, s.start)]


# --------------------------------------------------------------------------- all together
DETECTORS = {
    "EMAIL": detect_emails,
    "IBAN": detect_ibans,
    "NIR": detect_nirs,
    "CARTE": detect_cards,
    "TEL": detect_phones,
    "PLAQUE": detect_plates,
    "ADRESSE": detect_addresses,
}


def detect_structured(text: str, kinds: Iterable[str] | None = None, region: str = "FR") -> list[Span]:
    """All rule-based detections of ``kinds`` (default: all but persons), overlaps resolved."""
    wanted = DETECTORS if kinds is None else {k: DETECTORS[k] for k in kinds if k in DETECTORS}
    spans: list[Span] = []
    for kind, detect in wanted.items():
        spans.extend(detect_phones(text, region) if kind == "TEL" else detect(text))
    return resolve_overlaps(spans)


def normalise(kind: str, value: str, region: str = "FR") -> str:
    """The form under which an original of ``kind`` is stored in the pseudonym key."""
    if kind == "EMAIL":
        return normalise_email(value)
    if kind == "TEL":
        return normalise_phone(value, region)
    if kind == "CARTE":
        return normalise_digits(value)
    if kind in ("IBAN", "NIR", "PLAQUE"):
        return normalise_compact(value)
    if kind == "ADRESSE":
        return normalise_address(value)
    return normalise_name(value)
