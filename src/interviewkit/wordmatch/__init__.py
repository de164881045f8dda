"""Word matching without spaCy: accent and inflection variants (:mod:`.text`), the literal anchors of
regular expressions and token patterns (:mod:`.anchors`), and what each pattern word accepts
(:mod:`.specs`).

The rule layers (:mod:`interviewkit.tagging.matching`) compile codebook patterns with these; the first
pass of a selective re-tag (:mod:`interviewkit.retag_prefilter`) reads the same conditions before any
pipeline is loaded, so nothing here may import spaCy.
"""
