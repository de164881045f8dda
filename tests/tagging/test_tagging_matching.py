"""The pattern matchers on small hand-made Docs (blank pipeline, lemmas set by hand)."""
from __future__ import annotations

from interviewkit.codebook import Pattern
from interviewkit.tagging.matching import PatternIndex, RuleMeta


def index(nlp, *patterns: tuple[str, str], exceptions=None) -> PatternIndex:
    idx = PatternIndex(nlp.vocab, nlp.make_doc, "fr", exceptions or {})
    for i, (kind, value) in enumerate(patterns):
        idx.add(Pattern(kind=kind, value=value), RuleMeta(rule=f"r{i}", field="channel", label=f"l{i}"))
    return idx


def found(idx, doc) -> list[tuple[str, str]]:
    return [(m.meta.rule, doc[m.start:m.end].text) for m in idx(doc)]


def test_term_matches_lemma_or_written_form(blank_fr, make_doc):
    idx = index(blank_fr, ("term", "rappeler"))
    doc = make_doc(blank_fr, "Personne ne m'a rappelé", {"rappelé": "rappeler"})
    assert found(idx, doc) == [("r0", "rappelé")]
    # lemmatiser missed the form: the written-form inflections still match
    doc = make_doc(blank_fr, "il m'a rappelée hier")
    assert found(idx, doc) == [("r0", "rappelée")]


def test_accent_and_case_insensitive(blank_fr, make_doc):
    idx = index(blank_fr, ("term", "reçu"), ("lower", "sav"), ("phrase", "toujours pas reçu"))
    for text in ("Toujours pas recu", "TOUJOURS PAS REÇU", "toujours pas reçu"):
        doc = make_doc(blank_fr, text)
        assert ("r2", text) in found(idx, doc), text
    doc = make_doc(blank_fr, "Le SAV et le Sav")
    assert [t for r, t in found(idx, doc) if r == "r1"] == ["SAV", "Sav"]


def test_lemma_exceptions_fix_mislemmatised_forms(blank_fr, make_doc):
    # fr_core_news_sm lemmatises "SMS" as "sm" and "bugue" as "bugu"
    doc = make_doc(blank_fr, "un SMS et une appli qui bugue", {"SMS": "sm", "bugue": "bugu"})
    plain = index(blank_fr, ("lemma", "sms"), ("lemma", "buguer"))
    assert found(plain, doc) == []
    fixed = index(blank_fr, ("lemma", "sms"), ("lemma", "buguer"), exceptions={"sms": "sms", "bugue": "buguer"})
    assert found(fixed, doc) == [("r0", "SMS"), ("r1", "bugue")]


def test_gaps_and_wildcards(blank_fr, make_doc):
    idx = index(blank_fr, ("term", "personne ne ... rappeler"), ("term", "au bout de * semaine"))
    doc = make_doc(blank_fr, "personne ne m'a jamais rappelé", {"rappelé": "rappeler"})
    assert found(idx, doc) == [("r0", "personne ne m'a jamais rappelé")]
    doc = make_doc(blank_fr, "au bout de trois semaines", {"semaines": "semaine"})
    assert found(idx, doc) == [("r1", "au bout de trois semaines")]
    # a gap does not cross punctuation
    doc = make_doc(blank_fr, "personne ne , rappelé", {"rappelé": "rappeler"})
    assert found(idx, doc) == []


def test_regex_snaps_to_tokens(blank_fr, make_doc):
    idx = index(blank_fr, ("regex", r"\b0[1-9](?:[ .]?\d{2}){4}\b"))
    doc = make_doc(blank_fr, "appelez le 01 23 45 67 89 svp")
    assert found(idx, doc) == [("r0", "01 23 45 67 89")]


def test_token_patterns_fast_path_and_matcher(blank_fr, make_doc):
    idx = index(blank_fr, ("tokens", [{"LOWER": {"IN": ["on", "ils"]}}, {"LOWER": "m'"}]),
                ("tokens", [{"LOWER": "plus"}, {"IS_PUNCT": True}]),
                ("tokens", [{"LOWER": "très"}, {"IS_ALPHA": True, "OP": "+"}]))
    doc = make_doc(blank_fr, "On m'a dit que ça ne marche plus. Très très bien")
    hits = found(idx, doc)
    assert ("r0", "On m'") in hits and ("r1", "plus.") in hits
    assert any(r == "r2" for r, _ in hits)  # the spaCy Matcher path (operators)


def test_overlapping_variants_of_one_rule_are_deduplicated(blank_fr, make_doc):
    idx = index(blank_fr, ("term", "service client"))
    doc = make_doc(blank_fr, "le service client du service client")
    assert [t for _, t in found(idx, doc)] == ["service client", "service client"]
