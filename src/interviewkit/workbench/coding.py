"""Notebook 02: tagging, the codebook editor, the reviewer widget and the agreement dashboard.

* :func:`run_tagging`: :func:`interviewkit.project_tagging.tag_project` with a progress bar, using the
  project's codebook (``PROJECT/codebook.yml``) when there is one, else the bundled codebook.
* :class:`CodebookSession` (logic) and :class:`CodebookEditor` (widget): pick a field and a label, type a
  pattern, see at once which customer segments it matches and which tags it would change. The preview
  re-annotates the parsed Docs kept by tagging (``cache/parsed-*.sqlite``) with the edited codebook: no
  text is parsed again. « Enregistrer et recoder » writes ``PROJECT/codebook.yml`` (version bumped) and
  re-tags (only the rule layers run; human decisions are never touched).
* :func:`review_widget`: :class:`interviewkit.review.ReviewWidget` for a coder (blind mode for double coding).
* :func:`agreement_tables` / :class:`AgreementDashboard`: coder vs coder and auto vs human kappa tables.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ConfigError, InterviewkitError
from .messages import message_html, table_html
from .progress import ProgressBar
from .steps import StepMissing, friendly, require

CODEBOOK_FILE = "codebook.yml"  # = project_tagging.PROJECT_CODEBOOK
PROFILE = "full"
PATTERN_KINDS = ("term", "phrase", "lower", "lemma", "regex")


# ------------------------------------------------------------------------------------------ codebook

def project_codebook_path(project) -> Path:
    """``PROJECT/codebook.yml``: the project's edited codebook (absent until the first save); the one
    ``interviewkit tag`` uses by default too (:func:`interviewkit.project_tagging.default_codebook_for`)."""
    from ..project_tagging import project_codebook_path as path_of

    return path_of(project)


def project_codebook(project):
    """The project's codebook when saved, else the bundled one (a fresh object: safe to edit)."""
    from ..codebook import load_codebook

    path = project_codebook_path(project)
    return load_codebook(path if path.exists() else None)


def bump_version(version: str) -> str:
    """``"2025.1"`` → ``"2025.1-p1"`` → ``"2025.1-p2"``: the version of a codebook edited in a project.

    >>> bump_version("2025.1"), bump_version("2025.1-p9")
    ('2025.1-p1', '2025.1-p10')
    """
    m = re.fullmatch(r"(.*)-p(\d+)", str(version))
    return f"{m.group(1)}-p{int(m.group(2)) + 1}" if m else f"{version}-p1"


def save_project_codebook(project, codebook) -> Path:
    """Write ``codebook`` to ``PROJECT/codebook.yml`` (its version bumped); returns the path."""
    codebook.version = bump_version(codebook.version)
    return codebook.save(project_codebook_path(project))


# ------------------------------------------------------------------------------------------ tagging

def require_tagged(project) -> None:
    """Inside notebook 02: the "tag first" message points to this notebook's tagging cell, not to 02."""
    require(project, "import")
    try:
        require(project, "coding")
    except StepMissing:
        raise StepMissing("coding", "Aucun segment n'est encore codé : exécutez d'abord la cellule « Codage "
                                    "automatique » ci-dessus (avec RUN_TAGGING = True).",
                          "No segment is tagged yet: run the automatic tagging cell above first (with "
                          "RUN_TAGGING = True).") from None


def run_tagging(project, codebook=None, progress: bool = True):
    """Tag the current customer segments that need it (incremental); returns the ``TagRunReport``.

    ``codebook``: a path or None for the project's codebook (``PROJECT/codebook.yml``, else the bundled one).
    """
    from ..project_tagging import default_codebook_for, tag_project

    require(project, "import")
    codebook = default_codebook_for(project, codebook)
    bar = ProgressBar("Codage / tagging", unit="segment", disable=not progress)
    try:
        return tag_project(project, codebook=codebook, profile=PROFILE, progress=bar)
    finally:
        bar.close()


def tagging_summary_html(project, report=None) -> str:
    """What tagging did and how the customer segments are tagged (stage and irritant counts)."""
    from ..project_tagging import auto_tags, codebook_used

    parts = []
    if report is not None:
        parts.append(message_html("success", f"Codage terminé : {report.tagged} segment(s) codé(s), "
                                             f"{report.reused} inchangé(s).", report.summary(),
                                  detail=codebook_used(project, report.run_id)))
    tags = auto_tags(project)
    if len(tags):
        stages = tags["stage"].fillna("").str.split(";").explode()
        stages = stages[stages != ""].value_counts().rename_axis("stage").reset_index(name="segments")
        from ..journeymap.model import STAGE_LABELS

        stages["stage"] = [f"{STAGE_LABELS.get(s, s)} ({s})" for s in stages["stage"]]
        parts.append(f"<small>{len(tags)} segments clients codés / tagged customer segments · "
                     f"{int(tags['irritant'].sum())} irritants</small>")
        parts.append(table_html(stages))
    return "".join(parts)


@friendly
def tag(project, progress: bool = True):
    """Notebook cell: run tagging and show a summary (message when nothing is imported yet)."""
    from IPython.display import HTML, display

    report = run_tagging(project, progress=progress)
    display(HTML(tagging_summary_html(project, report)))
    return report


# ------------------------------------------------------------------------------------------ editor logic

@dataclass
class Preview:
    """A pattern tried on the corpus: ``matches`` (one row per matching segment: segment_id, document,
    participant, text, match, had_label, has_label), the ``rule`` id, and ``gained``/``lost`` (segments
    where the label appears/disappears)."""

    field: str
    label: str
    rule: str
    matches: pd.DataFrame
    gained: list[str]
    lost: list[str]
    not_cached: int = 0


def _has(result, field: str, label: str) -> bool:
    value = getattr(result, field)
    if isinstance(value, list):
        return label in value
    if field == "irritant":
        return bool(value)
    return str(value) == label


class CodebookSession:
    """The codebook being edited and the corpus it is tried on (customer segments of the current documents,
    read from the parse cache). Nothing is written before :meth:`save`."""

    def __init__(self, project, codebook=None) -> None:
        require_tagged(project)
        self.project = project
        self.book = codebook if codebook is not None else project_codebook(project)
        self.added: list[tuple[str, str, str, Any]] = []  # field, label, lang, Pattern
        self._docs: dict[str, dict[str, Any]] | None = None
        self._frame: pd.DataFrame | None = None
        self._baseline: dict[tuple[str, str], dict[str, Any]] = {}
        self.not_cached = 0

    # -- corpus ---------------------------------------------------------------------------------
    def _nlp(self, lang: str):
        from ..project_tagging import DEFAULT_MODEL, rules_only_pipeline

        return rules_only_pipeline(lang, DEFAULT_MODEL, PROFILE)

    def frame(self) -> pd.DataFrame:
        """Customer segments: segment_id, document, participant, persona, text, text_hash, language."""
        if self._frame is None:
            seg = self.project.query(
                """SELECT s.segment_id, d.name AS document, t.participant_id AS participant, p.persona, s.text,
                          s.text_hash, d.language
                   FROM segments s JOIN turns t ON t.turn_id = s.turn_id
                   JOIN documents d ON d.document_id = s.document_id
                   LEFT JOIN participants p ON p.participant_id = t.participant_id
                   WHERE d.is_current = 1 AND t.role = 'participant' ORDER BY d.path, t.idx, s.idx""")
            seg["language"] = seg["language"].map(lambda v: "en" if v == "en" else "fr")
            self._frame = seg
        return self._frame

    def docs(self) -> dict[str, dict[str, Any]]:
        """language -> {segment_id: parsed Doc} from the parse cache (segments not cached are counted in
        ``not_cached``: run tagging to parse them)."""
        if self._docs is not None:
            return self._docs
        from ..project_tagging import DEFAULT_MODEL, PipelineRegistry, doc_from_bytes, parsed_doc_cache, pipeline_key

        registry = PipelineRegistry(self.project)
        frame = self.frame()
        self._docs, self.not_cached = {}, 0
        for lang, rows in frame.groupby("language"):
            pid = registry.get(pipeline_key(lang, PROFILE, DEFAULT_MODEL))
            if pid is None:
                self.not_cached += len(rows)
                continue
            cache = parsed_doc_cache(self.project, pid)
            try:
                data = cache.get_many(rows["text_hash"].tolist())
            finally:
                cache.close()
            vocab = self._nlp(lang).vocab
            docs = {}
            for sid, h in zip(rows["segment_id"], rows["text_hash"]):
                if h in data:
                    docs[sid] = doc_from_bytes(vocab, data[h])
                else:
                    self.not_cached += 1
            self._docs[lang] = docs
        if not any(self._docs.values()):
            raise StepMissing("coding", "Aucun segment analysé n'est en cache : relancez le codage (cellule "
                                        "« Codage automatique ») avant d'éditer le codebook.",
                              "No parsed segment in the cache: run tagging again before editing the codebook.")
        return self._docs

    def _tagger(self, book, lang: str):
        from ..tagging import JourneyTagger

        return JourneyTagger(codebook=book, lang=lang, profile=PROFILE, nlp=self._nlp(lang))

    def _results(self, book, lang: str) -> dict[str, Any]:
        key = (book.hash, lang)
        if key not in self._baseline:
            tagger = self._tagger(book, lang)
            self._baseline = {k: v for k, v in self._baseline.items() if k[0] == book.hash}
            self._baseline[key] = {sid: tagger.annotate(doc) for sid, doc in self.docs().get(lang, {}).items()}
        return self._baseline[key]

    # -- edits ----------------------------------------------------------------------------------
    def labels(self, field: str) -> list[tuple[str, str]]:
        """(display name, label id) of a field, French names first."""
        return [(f"{self.book.label(field, lid).label_fr} ({lid})", lid) for lid in self.book.label_ids(field)]

    def patterns(self, field: str, label: str, lang: str = "fr") -> list[str]:
        """The label's patterns as YAML-like strings."""
        return [str(p.to_obj()) for p in self.book.patterns(field, label, lang)]

    def preview(self, field: str, label: str, value: Any, kind: str = "term", lang: str = "fr",
                weight: float = 1.0) -> Preview:
        """Try a pattern without keeping it: which segments it matches and which tags would change."""
        if isinstance(value, str) and not value.strip():
            raise ConfigError("NB05", "the pattern is empty", hint="type a word or an expression")
        trial = self.book.copy()
        idx = len(trial.patterns(field, label, lang)) if field in trial.labels and label in trial.labels[field] else 0
        pat = trial.add_pattern(field, label, value, kind=kind, lang=lang, weight=weight)
        rule = f"{field}.{label}.{pat.id}" if pat.id else f"{field}.{label}.{lang}[{idx}]"
        tagger = self._tagger(trial, lang)
        before = self._results(self.book, lang)
        frame = self.frame().set_index("segment_id")
        rows, gained, lost = [], [], []
        for sid, doc in self.docs().get(lang, {}).items():
            cues = [c for c in tagger.annotator.match(doc) if c.rule == rule]
            old = before[sid]
            if not cues and not _has(old, field, label):
                continue
            new = tagger.annotate(doc)
            had, has = _has(old, field, label), _has(new, field, label)
            if has and not had:
                gained.append(sid)
            if had and not has:
                lost.append(sid)
            if cues:
                row = frame.loc[sid]
                rows.append({"segment_id": sid, "document": row["document"], "participant": row["participant"],
                             "text": row["text"], "match": " | ".join(dict.fromkeys(c.text for c in cues)),
                             "spans": [(c.start_char, c.end_char) for c in cues], "had_label": had,
                             "has_label": has})
        matches = pd.DataFrame(rows, columns=["segment_id", "document", "participant", "text", "match", "spans",
                                              "had_label", "has_label"])
        return Preview(field, label, rule, matches, gained, lost, self.not_cached)

    def add(self, field: str, label: str, value: Any, kind: str = "term", lang: str = "fr", weight: float = 1.0):
        """Keep the pattern in the working codebook (not saved yet); returns it."""
        pat = self.book.add_pattern(field, label, value, kind=kind, lang=lang, weight=weight)
        self.added.append((field, label, lang, pat))
        return pat

    def undo(self):
        """Take the last added pattern out again; returns it (None when there is none)."""
        if not self.added:
            return None
        field, label, lang, pat = self.added.pop()
        patterns = self.book.labels[field][label].patterns[lang]
        for i in range(len(patterns) - 1, -1, -1):
            if patterns[i] is pat:
                return self.book.remove_pattern(field, label, i, lang)
        return None

    def save(self, retag: bool = True, progress: bool = True):
        """Save ``PROJECT/codebook.yml`` and (by default) re-tag; returns ``(path, TagRunReport | None)``."""
        path = save_project_codebook(self.project, self.book)
        self.added = []
        report = run_tagging(self.project, codebook=path, progress=progress) if retag else None
        return path, report


def _highlight(text: str, spans: list[tuple[int, int]]) -> str:
    out, cursor = [], 0
    for a, b in sorted(spans):
        if a < cursor:
            continue
        out.append(html.escape(text[cursor:a]))
        out.append(f"<mark class='ik-match'>{html.escape(text[a:b])}</mark>")
        cursor = b
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def preview_html(preview: Preview, max_rows: int = 50) -> str:
    m = preview.matches
    summary = message_html(
        "info" if len(m) else "warning",
        f"{len(m)} segment(s) correspondent au motif ; l'étiquette apparaît sur {len(preview.gained)} segment(s) et "
        f"disparaît de {len(preview.lost)}.",
        f"{len(m)} segment(s) match the pattern; the label is gained on {len(preview.gained)} and lost on "
        f"{len(preview.lost)}.",
        detail=f"règle / rule {preview.rule}" + (f" · {preview.not_cached} segment(s) non analysés / not parsed"
                                               if preview.not_cached else ""))
    if not len(m):
        return summary
    shown = m.head(max_rows).copy()
    shown["text"] = [_highlight(str(t), s) for t, s in zip(shown["text"], shown["spans"])]
    shown["effet / effect"] = ["+ étiquette" if h and not o else ("déjà / already" if h else "sous le seuil / below")
                               for o, h in zip(shown["had_label"], shown["has_label"])]
    for col in ("document", "participant"):
        shown[col] = shown[col].map(lambda v: html.escape(str(v)) if v is not None else "")
    return summary + table_html(shown[["segment_id", "document", "participant", "text", "effet / effect"]],
                                max_rows=max_rows, escape=False) + \
        (f"<small>… {len(m) - max_rows} de plus / more</small>" if len(m) > max_rows else "")


class CodebookEditor:
    """Widget over a :class:`CodebookSession` (``display(editor.widget)``)."""

    def __init__(self, project, codebook=None) -> None:
        import ipywidgets as w

        from ..codebook import LABEL_FIELDS

        self.session = CodebookSession(project, codebook)
        book = self.session.book
        self.field = w.Dropdown(options=list(LABEL_FIELDS), value="channel", description="Champ")
        self.label = w.Dropdown(description="Étiquette")
        self.lang = w.Dropdown(options=list(book.languages), value="fr" if "fr" in book.languages else book.languages[0],
                               description="Langue")
        self.kind = w.Dropdown(options=list(PATTERN_KINDS), value="term", description="Type")
        self.value = w.Text(description="Motif", placeholder="ex. pigeon voyageur")
        self.weight = w.BoundedFloatText(value=1.0, min=-5.0, max=5.0, step=0.1, description="Poids")
        self.preview_button = w.Button(description="Aperçu / preview", icon="search")
        self.add_button = w.Button(description="Ajouter / add", button_style="info")
        self.undo_button = w.Button(description="Retirer le dernier / undo")
        self.save_button = w.Button(description="Enregistrer et recoder / save & re-tag", button_style="primary")
        for b, css in ((self.preview_button, "ik-cb-preview"), (self.add_button, "ik-cb-add"),
                       (self.undo_button, "ik-cb-undo"), (self.save_button, "ik-cb-save")):
            b.add_class(css)
            b.layout = w.Layout(width="auto")
        self.preview_button.on_click(lambda _: self.on_preview())
        self.add_button.on_click(lambda _: self.on_add())
        self.undo_button.on_click(lambda _: self.on_undo())
        self.save_button.on_click(lambda _: self.on_save())
        self.field.observe(lambda _: self._labels(), names="value")
        self.label.observe(lambda _: self._show_patterns(), names="value")
        self.lang.observe(lambda _: self._show_patterns(), names="value")
        self.patterns = w.HTML()
        self.pending = w.HTML()
        self.result = w.HTML()
        self.output = w.Output()
        self.widget = w.VBox([
            w.HTML("<b>Éditeur de codebook / codebook editor</b> — l'aperçu réutilise les segments déjà analysés "
                   "(rien n'est ré-analysé) / the preview reuses the parsed segments"),
            w.HBox([self.field, self.label, self.lang]), self.patterns,
            w.HBox([self.kind, self.value, self.weight]),
            w.HBox([self.preview_button, self.add_button, self.undo_button, self.save_button]),
            self.pending, self.output, self.result])
        self._labels()
        self._pending()

    def _labels(self) -> None:
        options = self.session.labels(self.field.value)
        self.label.options = options
        self.label.value = options[0][1] if options else None
        self._show_patterns()

    def _show_patterns(self) -> None:
        if self.label.value is None:
            self.patterns.value = ""
            return
        pats = self.session.patterns(self.field.value, self.label.value, self.lang.value)
        shown = ", ".join(html.escape(p) for p in pats[:40]) + (" …" if len(pats) > 40 else "")
        self.patterns.value = f"<small>{len(pats)} motif(s) / pattern(s) : {shown}</small>"

    def _pending(self) -> None:
        n = len(self.session.added)
        self.pending.value = (f"<small>{n} motif(s) ajouté(s), non enregistré(s) / pattern(s) added, not saved yet"
                              "</small>" if n else "")

    def _args(self) -> dict[str, Any]:
        return dict(field=self.field.value, label=self.label.value, value=self.value.value.strip(),
                    kind=self.kind.value, lang=self.lang.value, weight=float(self.weight.value))

    def on_preview(self) -> Preview | None:
        try:
            preview = self.session.preview(**self._args())
        except InterviewkitError as exc:
            self.result.value = message_html("error", "Motif refusé.", "Pattern refused.", detail=str(exc))
            return None
        self.result.value = preview_html(preview)
        return preview

    def on_add(self):
        try:
            preview = self.session.preview(**self._args())
            pat = self.session.add(**self._args())
        except InterviewkitError as exc:
            self.result.value = message_html("error", "Motif refusé.", "Pattern refused.", detail=str(exc))
            return None
        self.value.value = ""
        self.result.value = message_html("success", "Motif ajouté (pas encore enregistré).",
                                         "Pattern added (not saved yet).") + preview_html(preview)
        self._show_patterns()
        self._pending()
        return pat

    def on_undo(self):
        pat = self.session.undo()
        self.result.value = message_html("info", "Dernier motif retiré." if pat else "Rien à retirer.",
                                         "Last pattern removed." if pat else "Nothing to remove.")
        self._show_patterns()
        self._pending()
        return pat

    def on_save(self):
        self.output.clear_output()
        with self.output:
            try:
                path, report = self.session.save(retag=True)
            except InterviewkitError as exc:
                self.result.value = message_html("error", "Enregistrement impossible.", "Could not save.",
                                                 detail=str(exc))
                return None
        self.result.value = message_html(
            "success", f"Codebook enregistré ({self.session.book.version}) et segments recodés : {report.tagged}.",
            f"Codebook saved and segments re-tagged: {report.tagged}.", detail=str(path))
        self._pending()
        return path, report


@friendly
def codebook_editor(project):
    """The :class:`CodebookEditor` widget (a message when tagging has not run)."""
    return CodebookEditor(project).widget


# ------------------------------------------------------------------------------------------ review

def review_labels(project):
    """The review label set of the project's codebook."""
    from ..review import LabelSet

    return LabelSet.from_codebook(project_codebook(project))


@friendly
def review_widget(project, coder: str, blind: bool = False):
    """The reviewer widget for ``coder`` (``blind=True``: second coder who must not see the first)."""
    from ..review import ReviewController, ReviewWidget

    require_tagged(project)
    if not str(coder or "").strip():
        raise ConfigError("NB06", "give your coder id (initials) in the parameters cell", value=coder,
                          hint='e.g. CODER = "CV"')
    return ReviewWidget(ReviewController(project, coder=str(coder).strip(), blind=blind,
                                         labels=review_labels(project)))


# ------------------------------------------------------------------------------------------ agreement

def coders(project) -> list[str]:
    """Coders with at least one decision."""
    return [r[0] for r in project.conn.execute(
        "SELECT DISTINCT coder FROM decisions WHERE action NOT IN ('undo', 'redo') ORDER BY coder")]


def field_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per field: segments compared, mean agreement, kappa (the field's ``(all)`` row for single-valued
    fields, else the mean kappa of its labels that someone used), labels used."""
    if table is None or table.empty:
        return pd.DataFrame(columns=["field", "n", "agreement", "kappa", "labels"])
    rows = []
    for f, g in table.groupby("field", sort=False):
        all_row = g[g["label"] == "(all)"]
        used = g[(g["label"] != "(all)") & ((g["a_yes"].fillna(0) > 0) | (g["b_yes"].fillna(0) > 0))]
        if len(all_row):
            kappa, agreement = all_row["kappa"].iloc[0], all_row["agreement"].iloc[0]
        else:
            kappa = used["kappa"].mean() if len(used) else float("nan")
            agreement = used["agreement"].mean() if len(used) else g["agreement"].mean()
        rows.append({"field": f, "n": int(g["n"].max()), "agreement": round(float(agreement), 3),
                     "kappa": round(float(kappa), 3) if kappa == kappa else float("nan"), "labels": len(used)})
    return pd.DataFrame(rows)


def agreement_tables(project, coder_a: str | None = None, coder_b: str | None = None) -> dict[str, Any]:
    """Everything the dashboard shows: ``coders``; ``pair`` (coder_agreement table) and ``pair_summary``
    or ``pair_message``; ``auto`` {coder or "(tous)": auto_agreement table}; ``auto_summary`` (one row per
    coder and field); ``disagreements`` (count of unresolved segment × field differences)."""
    from ..review import auto_agreement, coder_agreement, disagreements

    labels = review_labels(project)
    out: dict[str, Any] = {"coders": coders(project), "pair": None, "pair_summary": None, "pair_message": None,
                           "auto": {}, "auto_summary": None, "disagreements": None}
    names = out["coders"]
    if coder_a is None and len(names) >= 2:
        coder_a, coder_b = names[0], names[1]
    if coder_a and coder_b and coder_a != coder_b:
        try:
            out["pair"] = coder_agreement(project, coder_a, coder_b, labels)
            out["pair_summary"] = field_summary(out["pair"])
            out["disagreements"] = int(len(disagreements(project, coder_a, coder_b, labels)))
        except InterviewkitError as exc:
            out["pair_message"] = str(exc)
    summaries = []
    for who in [None, *names]:
        try:
            table = auto_agreement(project, who, labels)
        except InterviewkitError:
            continue
        key = who or "(tous / all)"
        out["auto"][key] = table
        summary = field_summary(table)
        summary.insert(0, "coder", key)
        summaries.append(summary)
    if summaries:
        out["auto_summary"] = pd.concat(summaries, ignore_index=True)
    return out


def _kappa_style(df: pd.DataFrame) -> str:
    def colour(v):
        try:
            v = float(v)
        except (TypeError, ValueError):
            return ""
        if v != v:
            return ""
        return "#d5f5e3" if v >= 0.8 else ("#fcf3cf" if v >= 0.6 else "#fadbd8")

    if df is None or df.empty:
        return "<i>(vide / empty)</i>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for _, row in df.iterrows():
        cells = []
        for c in df.columns:
            v = row[c]
            style = f" style='background:{colour(v)}'" if c == "kappa" else ""
            text = "" if v is None or (isinstance(v, float) and v != v) else (f"{v:.3f}" if isinstance(v, float)
                                                                             else str(v))
            cells.append(f"<td{style}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class='ik-table ik-kappa'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def agreement_html(tables: dict[str, Any], coder_a: str | None = None, coder_b: str | None = None) -> str:
    parts = []
    if not tables["coders"]:
        return message_html("info", "Aucune décision de revue pour l'instant : révisez des segments avec le widget "
                                    "ci-dessus, puis actualisez.",
                            "No review decision yet: review segments with the widget above, then refresh.")
    parts.append("<h4>Codeur contre codeur / coder vs coder</h4>")
    if tables["pair_summary"] is not None:
        parts.append(f"<small>{html.escape(str(coder_a or ''))} × {html.escape(str(coder_b or ''))} · "
                     f"{tables['disagreements']} désaccord(s) à résoudre / disagreement(s) to resolve</small>")
        parts.append(_kappa_style(tables["pair_summary"]))
        parts.append("<details><summary>par étiquette / per label</summary>"
                     + _kappa_style(tables["pair"].round(3)) + "</details>")
    elif tables["pair_message"]:
        parts.append(message_html("info", "Pas de segment révisé en commun par ces deux codeurs.",
                                  "These two coders have no reviewed segment in common.",
                                  detail=tables["pair_message"]))
    else:
        parts.append(message_html("info", "Il faut deux codeurs (mode aveugle) pour mesurer l'accord.",
                                  "Two coders (blind mode) are needed to measure agreement."))
    parts.append("<h4>Codage automatique contre humain / auto vs human</h4>")
    if tables["auto_summary"] is not None:
        parts.append(_kappa_style(tables["auto_summary"]))
    else:
        parts.append(message_html("info", "Aucun segment codé automatiquement n'a encore été révisé.",
                                  "No auto-tagged segment has been reviewed yet."))
    parts.append("<small>κ ≥ 0,8 très bon · 0,6–0,8 correct · &lt; 0,6 à discuter / kappa ≥ 0.8 very good, "
                 "0.6–0.8 fair, &lt; 0.6 to discuss</small>")
    return "".join(parts)


class AgreementDashboard:
    """Coder pickers, a refresh button, the coder-vs-coder and auto-vs-human tables."""

    def __init__(self, project) -> None:
        import ipywidgets as w

        self.project = project
        self.coder_a = w.Dropdown(description="Codeur A")
        self.coder_b = w.Dropdown(description="Codeur B")
        self.refresh_button = w.Button(description="Actualiser / refresh", icon="refresh")
        self.refresh_button.add_class("ik-agreement-refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.tables_html = w.HTML()
        self.tables: dict[str, Any] = {}
        self.widget = w.VBox([w.HTML("<b>Accord inter-codeurs / agreement</b>"),
                              w.HBox([self.coder_a, self.coder_b, self.refresh_button]), self.tables_html])
        self.refresh()

    def refresh(self) -> dict[str, Any]:
        names = coders(self.project)
        a, b = self.coder_a.value, self.coder_b.value
        self.coder_a.options = names
        self.coder_b.options = names
        if len(names) >= 2:
            self.coder_a.value = a if a in names else names[0]
            self.coder_b.value = b if b in names and b != self.coder_a.value else \
                next(n for n in names if n != self.coder_a.value)
        self.tables = agreement_tables(self.project, self.coder_a.value, self.coder_b.value)
        self.tables_html.value = agreement_html(self.tables, self.coder_a.value, self.coder_b.value)
        return self.tables


@friendly
def agreement_dashboard(project):
    """The :class:`AgreementDashboard` widget (a message when tagging has not run)."""
    require_tagged(project)
    return AgreementDashboard(project).widget
