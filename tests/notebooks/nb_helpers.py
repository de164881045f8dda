"""A small French corpus written for the workbench tests: two interviews, a participants file, and 60
survey verbatims on three recurring irritants (phone wait, late delivery, buggy app), with a manifest."""
from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

P01 = textwrap.dedent("""\
    Claire Vidal: Bonjour, pouvez-vous me raconter votre dernier contact avec le service client ?
    Sophie Lemaire: J'ai appelé le service client trois fois la semaine dernière. Personne ne m'a rappelée, c'est inadmissible.
    Claire Vidal: Et la livraison, comment s'est-elle passée ?
    Sophie Lemaire: Le livreur est arrivé avec deux jours de retard. J'ai dû aller le chercher au dépôt, avenue Roger Salengro.
    Claire Vidal: Avez-vous utilisé l'application ?
    Sophie Lemaire: Oui, l'application plante à chaque connexion depuis la mise à jour. J'ai fini par résilier mon abonnement.
    """)
P02 = textwrap.dedent("""\
    Claire Vidal: Comment avez-vous connu la marque ?
    Marc Dubois: Un ami m'en a parlé au travail. J'ai comparé les prix sur le site avant d'acheter.
    Claire Vidal: Et le paiement ?
    Marc Dubois: Le paiement en ligne a été refusé deux fois sans explication. J'ai dû appeler ma banque pour comprendre. La conseillère, Mme Durand, m'a rappelé au 06 12 34 56 78 le lendemain.
    Claire Vidal: Et la livraison ?
    Marc Dubois: Très bien, le livreur était aimable et ponctuel, vraiment content du service.
    """)
PARTICIPANTS = ("participant_id,name,persona,document\n"
                "P01,Sophie Lemaire,Actif pressé,P01_entretien.txt\n"
                "P02,Marc Dubois,Senior attentif,P02_entretien.txt\n")
MANIFEST = textwrap.dedent("""\
    version: 1
    language: fr
    participants: participants.csv
    interviewers: ["Claire Vidal"]
    files:
      verbatims.csv: {text_column: verbatim, id_column: respondent_id, persona_column: persona}
    """)

THEMES = {
    "phone": ["J'ai attendu {n} minutes au téléphone avant d'avoir un conseiller.",
              "Le service client au téléphone ne répond jamais, {n} minutes d'attente.",
              "Impossible de joindre quelqu'un par téléphone, j'ai raccroché après {n} minutes.",
              "Encore {n} minutes de musique d'attente au téléphone, c'est insupportable."],
    "delivery": ["Mon colis est arrivé avec {n} jours de retard, livraison catastrophique.",
                 "La livraison devait prendre deux jours, j'ai attendu {n} jours mon colis.",
                 "Colis jamais livré à temps, {n} jours de retard sans aucune nouvelle.",
                 "Le livreur n'est pas passé, mon colis a {n} jours de retard."],
    "app": ["L'application plante à chaque connexion depuis {n} jours.",
            "Impossible de me connecter à l'application, bug depuis {n} jours.",
            "L'appli se ferme toute seule, {n} plantages aujourd'hui.",
            "L'application mobile bugue, la connexion échoue {n} fois de suite."],
}


def verbatims_csv() -> str:
    rows = ["respondent_id,persona,verbatim"]
    personas = ["Actif pressé", "Senior attentif", "Étudiant connecté"]
    i = 0
    for theme, templates in THEMES.items():
        for k in range(20):
            i += 1
            text = templates[k % len(templates)].format(n=k + 3)
            rows.append(f'R{i:03d},{personas[k % 3]},"{text}"')
    return "\n".join(rows) + "\n"


def write_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "P01_entretien.txt").write_text(P01, encoding="utf-8")
    (root / "P02_entretien.txt").write_text(P02, encoding="utf-8")
    (root / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    (root / "verbatims.csv").write_text(verbatims_csv(), encoding="utf-8")
    (root / "corpus.yml").write_text(MANIFEST, encoding="utf-8")
    return root


def write_kernelspec(root: Path) -> Path:
    """A ``python3`` kernelspec running this interpreter (the venv's), in a folder for ``JUPYTER_PATH``."""
    folder = root / "kernels" / "python3"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (interviewkit tests)", "language": "python"}), encoding="utf-8")
    return root


def outputs_text(nb) -> str:
    """Every output of an executed notebook as one string (HTML, text, streams, errors; entities decoded)."""
    import html

    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            elif out.get("output_type") == "error":
                parts.append("ERROR " + out.get("ename", "") + ": " + out.get("evalue", ""))
            else:
                data = out.get("data", {})
                parts.append(str(data.get("text/html", "")) + str(data.get("text/plain", "")))
    return html.unescape("\n".join(parts))


def widget_text(nb) -> str:
    """The stored widget state (values of HTML widgets, descriptions, classes) as one string."""
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    return json.dumps(state, ensure_ascii=False)


def errors(nb) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells for o in c.get("outputs", [])
            if o.get("output_type") == "error"]


def env_without_proxies() -> dict[str, str]:
    env = dict(os.environ)
    for key in list(env):
        if key.lower().endswith("_proxy"):
            env.pop(key)
    return env
