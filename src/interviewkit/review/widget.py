"""``ReviewWidget``: the ipywidgets view over a :class:`ReviewController` (no logic of its own).

Every button has a stable ``description`` and a CSS class (``ik-accept``,
``ik-reject``, ``ik-accept-all``, ``ik-skip``, ``ik-undo``, ``ik-redo``,
``ik-prev``, ``ik-next``, ``ik-edit``, ``ik-add-code``, ``ik-remove``,
``ik-filter``), so browser tests can click them; chip buttons also carry
``ik-tag-FIELD-LABEL``. Unit tests call ``button.click()`` directly.

Keyboard shortcuts. ipywidgets has no global key events, and JupyterLab
extensions such as ipyevents are not assumed, so shortcuts are typed into the
**shortcut box** (a ``Text`` with ``continuous_update``: each key press reaches
Python, is executed and the box is cleared). Click the box once, then:

=====  ==========================================
a      accept every auto tag of the segment, next
1-9    accept tag chip n
r1-r9  reject tag chip n
s      skip (explicit status), next
n / j  next segment        p / k  previous segment
u      undo                y      redo
=====  ==========================================

Corpus text is always HTML-escaped (``html.escape``) before evidence spans are
wrapped in ``<mark>``.
"""
from __future__ import annotations

import html
import re
from typing import Any

import ipywidgets as w

from .controller import ReviewController, Tag
from .labels import MULTI, TAG_FIELDS
from .state import STATUSES

SHORTCUTS = {"a": "accept all", "s": "skip", "n": "next", "j": "next", "p": "previous", "k": "previous",
             "u": "undo", "y": "redo"}
_ALL = "(all)"


def highlight(text: str, spans: list[dict[str, Any]]) -> str:
    """``text`` HTML-escaped, with each evidence span (``start``/``end`` char offsets) in ``<mark>``."""
    bounds = {0, len(text)}
    clean = []
    for s in spans:
        try:
            a, b = max(0, int(s["start"])), min(len(text), int(s["end"]))
        except (KeyError, TypeError, ValueError):
            continue
        if a < b:
            clean.append((a, b, f"{s.get('field', '')}: {s.get('label', '')}"))
            bounds |= {a, b}
    cuts = sorted(bounds)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = html.escape(text[a:b])
        titles = [t for (x, y, t) in clean if x <= a and b <= y]
        if titles:
            out.append(f'<mark class="ik-evidence" title="{html.escape("; ".join(titles), quote=True)}">'
                       f"{piece}</mark>")
        else:
            out.append(piece)
    return "".join(out)


def _css(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")


def _button(description: str, css: str, tooltip: str = "", style: str = "") -> w.Button:
    b = w.Button(description=description, tooltip=tooltip or description, button_style=style,
                 layout=w.Layout(width="auto"))
    b.add_class(css)
    return b


class ReviewWidget(w.VBox):
    """Review segments in a notebook: ``display(ReviewWidget(ReviewController(project, "CV")))``."""

    def __init__(self, controller: ReviewController) -> None:
        self.c = controller
        frame = controller.queue.frame
        labels = controller.labels

        def options(values):
            return [_ALL] + sorted({str(v) for v in values if v is not None and v == v})

        self.f_participant = w.Dropdown(description="Participant", options=options(frame["participant"]))
        self.f_persona = w.Dropdown(description="Persona", options=options(frame["persona"]))
        self.f_stage = w.Dropdown(description="Stage", options=[_ALL, *labels.labels["stage"]])
        self.f_channel = w.Dropdown(description="Channel", options=[_ALL, *labels.labels["channel"]])
        self.f_emotion = w.Dropdown(description="Emotion", options=[_ALL, *labels.labels["emotion"]])
        self.f_irritant = w.Dropdown(description="Irritant", options=[_ALL, "0", "1"])
        self.f_status = w.Dropdown(description="Status", options=[_ALL, "to review", *STATUSES])
        self.f_confidence = w.FloatRangeSlider(description="Confidence", min=0.0, max=1.0, step=0.05,
                                               value=(0.0, 1.0))
        self.f_search = w.Text(description="Search", placeholder="words in the text or codes")
        self.apply_filters = _button("Apply filters", "ik-filter")
        self.apply_filters.on_click(lambda _: self.on_filter())

        self.header = w.HTML()
        self.context_before = w.HTML()
        self.text = w.HTML()
        self.context_after = w.HTML()
        self.chips = w.VBox()
        self.codes = w.VBox()
        self.chip_buttons: dict[str, tuple[w.Button, w.Button]] = {}

        self.prev_button = _button("Previous", "ik-prev", "previous segment (p)")
        self.next_button = _button("Next", "ik-next", "next segment (n)")
        self.accept_all_button = _button("Accept all", "ik-accept-all", "accept every auto tag (a)", "success")
        self.skip_button = _button("Skip", "ik-skip", "skip this segment for now (s)", "warning")
        self.undo_button = _button("Undo", "ik-undo", "undo your last decision (u)")
        self.redo_button = _button("Redo", "ik-redo", "redo (y)")
        self.prev_button.on_click(lambda _: self._act(self.c.previous))
        self.next_button.on_click(lambda _: self._act(self.c.next))
        self.accept_all_button.on_click(lambda _: self._act(self.c.accept_all))
        self.skip_button.on_click(lambda _: self._act(self.c.skip))
        self.undo_button.on_click(lambda _: self._act(self.c.undo))
        self.redo_button.on_click(lambda _: self._act(self.c.redo))

        self.edit_field = w.Dropdown(description="Edit", options=list(TAG_FIELDS))
        self.edit_single = w.Dropdown(options=[])
        self.edit_multi = w.SelectMultiple(options=[], rows=4)
        self.edit_button = _button("Apply edit", "ik-edit")
        self.edit_field.observe(lambda _: self._edit_options(), names="value")
        self.edit_button.on_click(lambda _: self.on_edit())

        self.code_text = w.Text(placeholder="your code (any label)")
        self.add_button = _button("Add code", "ik-add-code")
        self.add_button.on_click(lambda _: self.on_add_code())
        self.code_text.continuous_update = False

        self.shortcuts = w.Text(placeholder="shortcuts: a 1-9 r1-r9 s n p u y", continuous_update=True,
                                description="Keys")
        self.shortcuts.add_class("ik-shortcuts")
        self.shortcuts.observe(self._on_key, names="value")
        self.progress = w.HTML()
        self.saved = w.HTML()
        self.saved.add_class("ik-saved")

        filters = w.VBox([
            w.HBox([self.f_participant, self.f_persona, self.f_status]),
            w.HBox([self.f_stage, self.f_channel, self.f_emotion, self.f_irritant]),
            w.HBox([self.f_confidence, self.f_search, self.apply_filters]),
        ])
        nav = w.HBox([self.prev_button, self.next_button, self.accept_all_button, self.skip_button,
                      self.undo_button, self.redo_button, self.shortcuts])
        edit = w.HBox([self.edit_field, self.edit_single, self.edit_multi, self.edit_button])
        add = w.HBox([self.code_text, self.add_button])
        super().__init__([filters, w.HBox([self.progress, self.saved]), self.header, self.context_before,
                          self.text, self.context_after, self.chips, self.codes, edit, add, nav])
        self.add_class("ik-review")
        controller.on_change(self._on_change)
        self._edit_options()
        self.render()

    # ------------------------------------------------------------------ rendering
    def render(self) -> None:
        item = self.c.current
        p = self.c.progress()
        self.progress.value = (f"<b>{p['reviewed']}</b> / {p['total']} reviewed"
                               f" · {p['skipped']} skipped · {p['remaining']} to go")
        self.chip_buttons = {}
        if item is None:
            self.header.value = "<i>No segment matches the filters.</i>"
            for h in (self.context_before, self.text, self.context_after):
                h.value = ""
            self.chips.children, self.codes.children = (), ()
            return
        who = html.escape(" · ".join(str(x) for x in (item.document, item.speaker, item.participant, item.persona)
                                     if x))
        self.header.value = (f"<b>{item.position + 1} / {item.total}</b> · {who} · "
                             f"<span class='ik-status'>{html.escape(item.status)}</span>")
        self.context_before.value = "".join(self._turn(t) for t in item.context_before)
        self.context_after.value = "".join(self._turn(t) for t in item.context_after)
        spans = [e for t in item.tags + item.codes if t.present for e in t.evidence]
        self.text.value = f"<div class='ik-segment' style='font-size:1.15em'>{highlight(item.text, spans)}</div>"
        self.chips.children = tuple(self._chip(i, t) for i, t in enumerate(item.tags, start=1))
        self.codes.children = tuple(self._code_chip(t) for t in item.codes)

    @staticmethod
    def _turn(t: dict[str, Any]) -> str:
        start = t.get("start")
        stamp = f" [{int(start // 60):02d}:{int(start % 60):02d}]" if isinstance(start, (int, float)) else ""
        text = t["text"] if len(t["text"]) <= 400 else t["text"][:400] + "…"
        return (f"<div class='ik-context' style='color:#666'><b>{html.escape(str(t.get('speaker') or '?'))}</b>"
                f"{stamp}: {html.escape(text)}</div>")

    def _chip(self, n: int, tag: Tag) -> w.HBox:
        name = html.escape(self.c.labels.display(tag.field, tag.label))
        style = "" if tag.present else "text-decoration: line-through; color:#999"
        conf = f" ({tag.confidence:.2f})" if tag.confidence is not None else ""
        label = w.HTML(f"<span style='{style}'>{n}. <b>{html.escape(tag.field)}</b>: {name}{conf} "
                       f"<i>{html.escape(tag.status)}</i></span>")
        key = _css(f"ik-tag-{tag.field}-{tag.label}")
        acc = _button("Accept", "ik-accept", f"accept {tag.field}: {tag.label} ({n})", "success")
        rej = _button("Reject", "ik-reject", f"reject {tag.field}: {tag.label} (r{n})", "danger")
        for b in (acc, rej):
            b.add_class(key)
        acc.on_click(lambda _, t=tag: self.on_accept(t))
        rej.on_click(lambda _, t=tag: self.on_reject(t))
        self.chip_buttons[tag.key] = (acc, rej)
        return w.HBox([label, acc, rej])

    def _code_chip(self, tag: Tag) -> w.HBox:
        label = w.HTML(f"<span class='ik-code'>🏷 {html.escape(tag.label)}</span>")
        rem = _button("Remove", "ik-remove", f"remove code {tag.label}")
        rem.add_class(_css(f"ik-tag-code-{tag.label}"))
        rem.on_click(lambda _, t=tag: self._act(self.c.remove, "code", t.label))
        return w.HBox([label, rem])

    def _edit_options(self) -> None:
        f = self.edit_field.value
        labels = self.c.labels
        multi = labels.kind(f) == MULTI
        self.edit_multi.options = labels.allowed(f) if multi else ()
        self.edit_single.options = () if multi else labels.allowed(f)
        self.edit_multi.layout.display = None if multi else "none"
        self.edit_single.layout.display = "none" if multi else None

    # ------------------------------------------------------------------ handlers
    def _act(self, fn, *args, **kwargs) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # shown in the save indicator; the store is unchanged
            self.saved.value = f"<span style='color:#b00'>⚠ not saved: {html.escape(str(exc))}</span>"
            return None
        finally:
            self.render()

    def on_accept(self, tag: Tag) -> None:
        label = tag.label if self.c.labels.kind(tag.field) == MULTI else None
        self._act(self.c.accept, tag.field, label)

    def on_reject(self, tag: Tag) -> None:
        label = tag.label if self.c.labels.kind(tag.field) == MULTI else None
        self._act(self.c.reject, tag.field, label)

    def on_edit(self) -> None:
        f = self.edit_field.value
        value = list(self.edit_multi.value) if self.c.labels.kind(f) == MULTI else self.edit_single.value
        self._act(self.c.edit, f, value)

    def on_add_code(self) -> None:
        text = self.code_text.value.strip()
        if self._act(self.c.add, text) is not None:
            self.code_text.value = ""

    def on_filter(self) -> int:
        def val(widget):
            return None if widget.value == _ALL else widget.value

        status = val(self.f_status)
        lo, hi = self.f_confidence.value
        n = self._act(self.c.filter, participant=val(self.f_participant), persona=val(self.f_persona),
                      stage=val(self.f_stage), channel=val(self.f_channel), emotion=val(self.f_emotion),
                      irritant=val(self.f_irritant),
                      status=["unreviewed", "skipped"] if status == "to review" else status,
                      confidence=None if (lo, hi) == (0.0, 1.0) else (lo, hi),
                      search=self.f_search.value.strip() or None)
        return n or 0

    def handle_keys(self, keys: str) -> str:
        """Run the shortcuts in ``keys``; returns what is left waiting (e.g. ``"r"`` before its digit)."""
        i = 0
        while i < len(keys):
            k = keys[i].lower()
            if k == "r":
                if i + 1 >= len(keys):
                    return "r"
                if keys[i + 1].isdigit():
                    tag = self._nth_tag(int(keys[i + 1]))
                    if tag is not None:
                        self.on_reject(tag)
                i += 2
                continue
            if k.isdigit():
                tag = self._nth_tag(int(k))
                if tag is not None:
                    self.on_accept(tag)
            elif k in SHORTCUTS:
                fn = {"accept all": self.c.accept_all, "skip": self.c.skip, "next": self.c.next,
                      "previous": self.c.previous, "undo": self.c.undo, "redo": self.c.redo}[SHORTCUTS[k]]
                self._act(fn)
            i += 1
        return ""

    def _nth_tag(self, n: int) -> Tag | None:
        item = self.c.current
        return item.tags[n - 1] if item is not None and 1 <= n <= len(item.tags) else None

    def _on_key(self, change: dict[str, Any]) -> None:
        value = change["new"]
        if not value:
            return
        left = self.handle_keys(value)
        if left != value:
            self.shortcuts.value = left

    def _on_change(self, change: dict[str, Any]) -> None:
        if change.get("kind") == "saved":
            ids = change.get("event_ids") or []
            self.saved.value = (f"<span style='color:#080'>✓ saved {html.escape(change['action'])} "
                                f"(event #{ids[-1] if ids else '?'}, {html.escape(change['saved_at'][11:19])} UTC)"
                                "</span>")
        elif change.get("kind") == "error":
            self.saved.value = f"<span style='color:#b00'>⚠ not saved: {html.escape(change['message'])}</span>"
