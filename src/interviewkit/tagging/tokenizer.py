"""Run-on sentences in customer writing: "en magasin.pour essayer", "super site!Je recommande".

spaCy's tokenizer keeps any ``word.word`` whole when it looks like a web address to its URL pattern,
which accepts a bare ``magasin.pour``; and it never splits ``site!Je``. A missing space after a full
stop, an exclamation or a question mark is common in reviews and tweets (8 % of our real evaluation
texts have one), and it glued two words into one token that no rule could match. The base pipelines
(:func:`~interviewkit.tagging.tagger.load_base_pipeline`) therefore keep spaCy's URL match only for
strings with a scheme, ``www.``, an ``@`` or a common top-level domain, and split ``.``, ``!`` and ``?``
between two words. The changed tokenizer still serialises (the patterns stay compiled regexes).

>>> import spacy
>>> nlp = split_run_on_sentences(spacy.blank("fr"))
>>> [t.text for t in nlp("Achat en magasin.pour essayer, voir free.fr")]
['Achat', 'en', 'magasin', '.', 'pour', 'essayer', ',', 'voir', 'free.fr']
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.util import compile_infix_regex

TOKENIZER_VERSION = "run-on-1"  # part of the pipeline id: Docs cached with another tokenisation are not reused
TLDS = ("com", "fr", "net", "org", "eu", "be", "ch", "lu", "ca", "io", "info", "biz", "co", "uk", "de", "es",
        "it", "gouv", "app", "me", "tv", "ly", "us", "ma", "tn", "dz", "re", "bzh", "paris", "shop", "store")
_ADDRESS = (r"(?=[a-z][a-z0-9+.-]*://|www\.|\S*@|\S*?\.(?:" + "|".join(TLDS) + r")(?![a-zà-ÿ]))")
RUN_ON = (r"(?<=[a-zà-ÿ]{2})\.(?=[a-zà-ÿ]{2})", r"(?<=[A-Za-zÀ-ÿ]{2})[!?]+(?=[A-Za-zÀ-ÿ])")


def split_run_on_sentences(nlp: Language) -> Language:
    """Change ``nlp``'s tokenizer in place (once) as the module says; returns ``nlp``."""
    tok = nlp.tokenizer
    if not hasattr(tok, "url_match") or any(p in tok.infix_finditer.__self__.pattern for p in RUN_ON):
        return nlp
    if tok.url_match is not None:
        orig = tok.url_match.__self__
        flags = re.match(r"(?:\(\?[aiLmsux]+\))*", orig.pattern).group()  # global flags stay in front
        body = orig.pattern[len(flags):]
        tok.url_match = re.compile(flags + _ADDRESS + "(?:" + body + ")", orig.flags | re.IGNORECASE).match
    infixes = list(nlp.Defaults.infixes or []) + list(RUN_ON)
    tok.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp
