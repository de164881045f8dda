"""Synthetic evidence frames for the journey-map tests (tags written by hand: the product never invents tags)."""
from __future__ import annotations

import pandas as pd

COLUMNS = ["segment_id", "document", "participant", "persona", "role", "turn_index", "segment_index", "start",
           "text", "stage", "channel", "emotion", "valence", "irritant", "moments", "lane", "topic_id",
           "topic_label"]
ACTIF, SENIOR = "Actif pressé", "Senior attentif"
PERSONA_OF = {"P01": ACTIF, "P02": ACTIF, "P03": ACTIF, "P04": SENIOR, "P05": SENIOR}
SCRIPT = "<script>alert(1)</script> franchement le service client."
IMG = "<img src=x onerror=alert(1)> le service client ne répond jamais."
FORMULA = "=SOMME(A1:A3) c'est ce que je leur dois, paraît-il."


def seg(sid, participant, text, stage, channel="", emotion="neutral", valence=0, irritant=0, moments="",
        lane="customer", topic_id=None, topic_label=None, role="participant", turn=0):
    return {
        "segment_id": sid, "document": f"{participant}_entretien.txt", "participant": participant,
        "persona": PERSONA_OF.get(participant), "role": role, "turn_index": turn, "segment_index": 0,
        "start": None, "text": text, "stage": stage, "channel": channel, "emotion": emotion, "valence": valence,
        "irritant": irritant, "moments": moments, "lane": lane, "topic_id": topic_id, "topic_label": topic_label,
    }


def evidence_rows() -> list[dict]:
    wait = {"topic_id": 3, "topic_label": "attente de la dépanneuse"}
    desk = {"topic_id": 7, "topic_label": "service client injoignable"}
    return [
        # Actif pressé, support: three participants call their insurer; two wait for the tow truck.
        seg("S01", "P01", "J'ai appelé l'assureur dès huit heures.", "support", "phone", turn=1),
        seg("S02", "P02", "J'ai appelé mon assureur tout de suite.", "support", "phone", turn=1),
        seg("S03", "P03", "Alors j'appelle l'assureur depuis le parking.", "support", "phone", turn=1),
        seg("S04", "P01", "J'ai attendu la dépanneuse pendant quatre heures.", "support", "", "anger", -2, 1,
            "breaking_point", **wait, turn=2),
        seg("S05", "P02", "On a attendu la dépanneuse tout l'après-midi.", "support", "", "anger", -1, 1, "",
            **wait, turn=2),
        seg("S06", "P01", SCRIPT, "support", "phone", "sadness", -1, 1, "", **desk, turn=3),
        seg("S07", "P02", IMG, "support", "phone", "sadness", -1, 1, "", **desk, turn=3),
        seg("S08", "P03", FORMULA, "support", "", "anger", -2, 1, "breaking_point", topic_id=-1, turn=3),
        seg("S09", "P01", "Le garage a commandé la pièce chez le fournisseur.", "support", "", lane="backstage", turn=4),
        seg("S10", "P02", "Ils ont transmis mon dossier au service sinistres.", "support", "", lane="backstage", turn=4),
        seg("S11", "P03", "Le garage a commandé la pièce le lendemain.", "support", "", lane="backstage", turn=4),
        seg("S12", "P02", "Le dépanneur a été adorable, il m'a ramenée chez moi.", "support", "", "joy", 2, 0,
            "enchanting", lane="frontstage", turn=5),
        # Actif pressé, purchase: one participant only -> not enough evidence.
        seg("S13", "P01", "J'ai payé en ligne sans souci.", "purchase", "web", "joy", 1, turn=6),
        # Senior attentif, support: letters, no answer (irritants without a topic).
        seg("S20", "P04", "J'ai écrit une lettre à la mutuelle.", "support", "mail", turn=1),
        seg("S21", "P05", "J'ai envoyé une lettre recommandée à la mutuelle.", "support", "mail", turn=1),
        seg("S22", "P04", "Je n'ai pas reçu de réponse pendant deux mois.", "support", "mail", "sadness", -1, 1, "",
            turn=2),
        seg("S23", "P05", "Je n'ai jamais reçu la réponse de la mutuelle.", "support", "mail", "sadness", -1, 1, "",
            turn=2),
        seg("S24", "P05", "J'ai payé puis appelé le service client.", "purchase;support", "phone", turn=3),
        seg("S25", "P04", "Bonjour.", "", turn=0),
        # Not customer speech: ignored.
        seg("S90", "P01", "Et ensuite, qu'avez-vous fait ?", "support", "phone", role="interviewer", turn=0),
    ]


def make_frame(rows=None) -> pd.DataFrame:
    return pd.DataFrame(rows if rows is not None else evidence_rows(), columns=COLUMNS)
