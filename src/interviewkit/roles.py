"""Who speaks: interviewer, participant or unknown, and where that came from.

Order of evidence, strongest first: a researcher's correction (``researcher``),
the interviewer names given on the command line or in ``corpus.yml``
(``interviewers``), a participant's name from the participants file
(``participants``), a generic label such as "Enquêtrice" (``label``), and last
the speaker who asks most questions (``inferred``). The source is stored with
every turn so that a researcher can see and correct it.

>>> assign_roles([("Claire", "Et ensuite ?"), ("Sophie", "J'ai attendu."), ("Claire", "Pourquoi ?")])
{'Claire': ('interviewer', 'inferred'), 'Sophie': ('participant', 'inferred')}
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping

GENERIC_INTERVIEWER = re.compile(
    r"^(interviewer|intervieweur|intervieweuse|enqu[eê]t(eur|rice)|mod[eé]rat(eur|rice)|animat(eur|rice)|"
    r"chercheu(r|se)|researcher|facilitat(or|eur|rice)|int(-?\d+)?|q)$",
    re.IGNORECASE,
)
GENERIC_PARTICIPANT = re.compile(
    r"^(participant|participante|r[eé]pondant|interview[eé]e?|customer|client|cliente|user|utilisat(eur|rice)|r)$",
    re.IGNORECASE,
)


def fold(name: str) -> str:
    """Case- and accent-insensitive form of a name, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("-", " ").split())


def name_matches(speaker: str, names: Iterable[str]) -> bool:
    """True when ``speaker`` is one of ``names`` or the first or last name of one."""
    s = fold(speaker)
    if not s:
        return False
    for name in names:
        n = fold(name)
        if not n:
            continue
        if s == n or s in n.split() or n in s.split():
            return True
    return False


def assign_roles(
    turns: Iterable[tuple[str | None, str]],
    interviewers: Iterable[str] = (),
    participant_names: Iterable[str] = (),
    overrides: Mapping[str, str] | None = None,
) -> dict[str, tuple[str, str]]:
    """Map each speaker of a transcript to ``(role, source)``; ``turns`` are ``(speaker, text)``."""
    overrides = dict(overrides or {})
    interviewers = list(interviewers)
    participant_names = list(participant_names)
    questions: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for speaker, text in turns:
        if speaker is None:
            continue
        counts[speaker] += 1
        if "?" in text:
            questions[speaker] += 1
    roles: dict[str, tuple[str, str]] = {}
    for speaker in counts:
        if speaker in overrides:
            roles[speaker] = (overrides[speaker], "researcher")
        elif interviewers and name_matches(speaker, interviewers):
            roles[speaker] = ("interviewer", "interviewers")
        elif participant_names and name_matches(speaker, participant_names):
            roles[speaker] = ("participant", "participants")
        elif GENERIC_INTERVIEWER.match(speaker.strip()):
            roles[speaker] = ("interviewer", "label")
        elif GENERIC_PARTICIPANT.match(speaker.strip()):
            roles[speaker] = ("participant", "label")
    rest = [s for s in counts if s not in roles]
    if rest:
        has_interviewer = any(r == "interviewer" for r, _ in roles.values())
        if not has_interviewer and len(counts) >= 2:
            ratio = {s: questions[s] / counts[s] for s in rest}
            asker = max(rest, key=lambda s: (ratio[s], questions[s], -rest.index(s)))
            if questions[asker] > 0:
                roles[asker] = ("interviewer", "inferred")
                rest.remove(asker)
        for speaker in rest:
            roles[speaker] = ("participant", "inferred")
    return roles
