import html
import re

import ipywidgets as w
import pytest

from interviewkit.review import ReviewController
from interviewkit.review import events as E
from interviewkit.review.widget import ReviewWidget, highlight


@pytest.fixture
def widget(project):
    return ReviewWidget(ReviewController(project, "CV"))


def _buttons(root):
    out = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, w.Button):
            out.append(node)
        stack.extend(getattr(node, "children", ()))
    return out


def _by_class(root, css):
    return [b for b in _buttons(root) if css in b._dom_classes]


def test_highlight_escapes_the_corpus_text():
    text = 'Le <script>alert("x")</script> & co'
    out = highlight(text, [{"field": "stage", "label": 'a"b', "start": 3, "end": 11},
                           {"field": "x", "label": "y", "start": 7, "end": 30}, {"start": "bad"}])
    assert "<script>" not in out and "&amp; co" in out
    assert re.sub(r"</?mark[^>]*>", "", out) == html.escape(text)
    assert out.count("<mark") == 3  # [3,7) one span, [7,11) two, [11,30) one
    assert 'title="stage: a&quot;b"' in out
    assert highlight("a<b", []) == "a&lt;b"


def test_every_button_is_findable(widget):
    buttons = _buttons(widget)
    assert all(b.description and any(c.startswith("ik-") for c in b._dom_classes) for b in buttons)
    for css, desc in [("ik-accept-all", "Accept all"), ("ik-skip", "Skip"), ("ik-undo", "Undo"),
                      ("ik-redo", "Redo"), ("ik-prev", "Previous"), ("ik-next", "Next"), ("ik-edit", "Apply edit"),
                      ("ik-add-code", "Add code"), ("ik-filter", "Apply filters")]:
        assert [b.description for b in _by_class(widget, css)] == [desc]
    chips = _by_class(widget, "ik-tag-stage-leave")
    assert {b.description for b in chips} == {"Accept", "Reject"}
    assert "ik-shortcuts" in widget.shortcuts._dom_classes


def test_chip_buttons_record_decisions(widget, project):
    accept, reject = widget.chip_buttons["stage:leave"]
    reject.click()
    ev = E.load_events(project)
    assert ev[["action", "field", "label"]].values.tolist() == [["reject", "stage", "leave"]]
    assert "✓ saved reject" in widget.saved.value
    assert "line-through" in widget.chips.children[0].children[0].value
    widget.chip_buttons["stage:leave"][0].click()
    widget.chip_buttons["emotion:sadness"][1].click()  # reject a single-valued field: back to neutral
    assert E.load_events(project)["action"].tolist() == ["reject", "accept", "reject"]
    assert "emotion</b>: neutral" in widget.chips.children[1].children[0].value


def test_edit_add_code_skip_undo_redo_and_filters(widget, project):
    widget.edit_field.value = "channel"
    assert widget.edit_multi.layout.display is None and widget.edit_single.layout.display == "none"
    widget.edit_multi.value = ("email", "phone")
    widget.edit_button.click()
    widget.code_text.value = "résiliation <urgente>"
    widget.add_button.click()
    assert widget.code_text.value == ""
    assert "résiliation &lt;urgente&gt;" in widget.codes.children[0].children[0].value
    _by_class(widget, "ik-remove")[0].click()
    assert widget.codes.children == ()
    first = widget.c.segment_id
    widget.skip_button.click()
    assert widget.c.segment_id != first and "0</b> / 10 reviewed · 1 skipped" in widget.progress.value
    widget.undo_button.click()
    assert widget.c.segment_id == first
    widget.redo_button.click()
    widget.next_button.click()
    widget.prev_button.click()
    assert [e for e in E.load_events(project)["action"]] == ["edit", "add", "remove", "skip", "undo", "redo"]
    widget.f_stage.value = "support"
    widget.f_search.value = "personne"
    assert widget.on_filter() == 1
    widget.f_stage.value = "discover"
    widget.apply_filters.click()
    widget.f_emotion.value = "joy"
    widget.apply_filters.click()
    assert "No segment matches" in widget.header.value


def test_errors_show_in_the_save_indicator(widget, project):
    widget.code_text.value = "   "
    widget.add_button.click()
    assert "not saved" in widget.saved.value and "E807" in widget.saved.value
    assert E.load_events(project).empty


def test_keyboard_shortcuts(widget, project):
    first = widget.c.segment_id
    widget.shortcuts.value = "r"          # waits for the chip number
    assert widget.shortcuts.value == "r"
    widget.shortcuts.value = "r1"
    assert widget.shortcuts.value == ""
    widget.shortcuts.value = "2"          # accept chip 2 (emotion)
    widget.shortcuts.value = "a"          # accept all, next
    assert widget.c.segment_id != first
    widget.shortcuts.value = "p"
    assert widget.c.segment_id == first
    widget.shortcuts.value = "u"
    widget.shortcuts.value = "s"
    widget.shortcuts.value = "9"          # no chip 9: ignored
    ev = E.load_events(project)
    assert ev["action"].tolist()[:3] == ["reject", "accept", "accept"]
    assert ev["action"].tolist()[-2:] == ["undo", "skip"]
