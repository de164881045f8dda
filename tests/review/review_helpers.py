"""Shared data for the review tests: inline transcripts and auto tags written the way the tagger stores them."""
import json
import textwrap


P01 = textwrap.dedent("""\
    Claire Vidal: Bonjour, pouvez-vous me raconter votre dernier contact avec le service client ?
    Sophie: J'ai appelé le service client trois fois la semaine dernière. Personne ne m'a rappelée, c'est inadmissible.
    Claire Vidal: Et la livraison, comment s'est-elle passée ?
    Sophie: Le livreur est arrivé à l'heure avec ma commande. Il était vraiment très aimable.
    Claire Vidal: Avez-vous utilisé l'application ?
    Sophie: Oui, l'application plante à chaque connexion depuis la mise à jour. J'ai fini par résilier mon abonnement.
    """)
P02 = textwrap.dedent("""\
    Claire Vidal: Comment avez-vous connu la marque ?
    Marc: Un ami m'en a parlé au travail. J'ai comparé les prix sur le site avant d'acheter.
    Claire Vidal: Et le paiement ?
    Marc: Le paiement en ligne a été refusé deux fois sans explication. J'ai dû appeler ma banque pour comprendre.
    """)

# auto tags per (document, turn index, segment index)
AUTO = {
    ("P01_entretien.txt", 1, 0): dict(stage="support", channel="phone", emotion="neutral", valence=0, irritant=0,
                                     moments="", conf={"stage": 0.9, "channel": 0.95, "emotion": 0.5}),
    ("P01_entretien.txt", 1, 1): dict(stage="support", channel="phone", emotion="anger", valence=-2, irritant=1,
                                     moments="irritating", conf={"stage": 0.6, "emotion": 0.7, "irritant": 0.8}),
    ("P01_entretien.txt", 3, 0): dict(stage="deliver", channel="", emotion="neutral", valence=0, irritant=0,
                                     moments="", conf={"stage": 0.85, "emotion": 0.5}),
    ("P01_entretien.txt", 3, 1): dict(stage="deliver", channel="", emotion="joy", valence=2, irritant=0,
                                     moments="enchanting", conf={"stage": 0.4, "emotion": 0.9}),
    ("P01_entretien.txt", 5, 0): dict(stage="use", channel="app", emotion="anger", valence=-1, irritant=1,
                                     moments="irritating", conf={"stage": 0.7, "channel": 0.9, "irritant": 0.9}),
    ("P01_entretien.txt", 5, 1): dict(stage="leave", channel="", emotion="sadness", valence=-1, irritant=0,
                                     moments="breaking_point", conf={"stage": 0.3, "emotion": 0.4}),
    ("P02_entretien.txt", 1, 0): dict(stage="discover", channel="", emotion="neutral", valence=0, irritant=0,
                                     moments="", conf={"stage": 0.8}),
    ("P02_entretien.txt", 1, 1): dict(stage="consider;purchase", channel="web", emotion="neutral", valence=0,
                                     irritant=0, moments="", conf={"stage": 0.55, "channel": 0.9}),
    ("P02_entretien.txt", 3, 0): dict(stage="purchase", channel="web", emotion="confusion", valence=-1, irritant=1,
                                     moments="irritating", conf={"stage": 0.75, "irritant": 0.65}),
    ("P02_entretien.txt", 3, 1): dict(stage="purchase", channel="phone", emotion="neutral", valence=0, irritant=0,
                                     moments="", conf={"stage": 0.5, "channel": 0.8}),
}


def write_auto_tags(project, auto=AUTO, run_version="2025.1"):
    """Insert (or replace) auto tags the way ``interviewkit tag`` stores them; evidence spans on first words."""
    segs = project.segments().set_index(["document", "turn_index", "segment_index"])
    with project.transaction():
        run_id = project.conn.execute(
            "INSERT INTO tag_runs (started_at, codebook_version, codebook_hash, pipeline_id, status) "
            "VALUES ('2025-01-01T00:00:00', ?, 'hash', 'test', 'done')", (run_version,)).lastrowid
        for key, tags in auto.items():
            seg = segs.loc[key]
            text = seg["text"]
            evidence = []
            for field in ("stage", "channel", "moments"):
                for label in filter(None, tags[field].split(";")):
                    word_end = text.find(" ", 3)
                    evidence.append({"field": field, "label": label, "rule": f"{field}.{label}.fr[0]",
                                     "start": 0, "end": word_end, "text": text[:word_end], "weight": 1.0})
            if tags["emotion"] != "neutral":
                evidence.append({"field": "emotion", "label": tags["emotion"], "rule": f"emotion.{tags['emotion']}.fr[0]",
                                 "start": len(text) - 6, "end": len(text) - 1, "text": text[-6:-1], "weight": 1.0})
            project.conn.execute(
                """INSERT OR REPLACE INTO auto_tags (segment_id, run_id, text_hash, codebook_hash, pipeline_id, stage,
                   channel, emotion, valence, irritant, moments, lane, confidence_json, evidence_json)
                   VALUES (?, ?, 'h', 'hash', 'test', ?, ?, ?, ?, ?, ?, 'customer', ?, ?)""",
                (seg["segment_id"], run_id, tags["stage"], tags["channel"], tags["emotion"], tags["valence"],
                 tags["irritant"], tags["moments"], json.dumps(tags["conf"]), json.dumps(evidence)))
    return run_id


def seg_id(project, document, turn, seg):
    s = project.segments()
    row = s[(s.document == document) & (s.turn_index == turn) & (s.segment_index == seg)]
    return row["segment_id"].iloc[0]


def synthetic_project(path, n_segments, seed=0):
    """A project of ``n_segments`` customer segments (100 documents, 2 sentences per turn) with auto tags,
    written straight into the store (no ingestion): for speed measurements."""
    import random

    import interviewkit as ik

    rng = random.Random(seed)
    p = ik.open_project(path)
    stages = ["discover", "consider", "purchase", "deliver", "use", "support", "leave"]
    channels = ["web", "app", "email", "phone", "store", "chat", "sms", "social", "mail"]
    emotions = ["joy", "trust", "surprise", "anger", "sadness", "fear", "confusion", "neutral"]
    words = ["livraison", "colis", "appel", "conseiller", "facture", "remboursement", "application", "agence",
             "attente", "très", "jamais", "rapide", "déçue", "ravi", "problème", "réponse"]
    docs, turns, segs, tags = [], [], [], []
    n_docs = 100
    per_doc = n_segments // n_docs
    with p.transaction():
        p.conn.execute("INSERT INTO tag_runs (started_at, codebook_version, codebook_hash, pipeline_id, status) "
                       "VALUES ('2025-01-01', 'synthetic', 'h', 'p', 'done')")
        p.conn.executemany("INSERT INTO participants (participant_id, persona, source) VALUES (?, ?, 'test')",
                           [(f"P{i:03d}", f"persona {i % 5}") for i in range(n_docs)])
        turn_id = 0
        for d in range(n_docs):
            docs.append((d + 1, f"/corpus/P{d:03d}.txt", f"P{d:03d}.txt", "x", 1, 1, "plain", "transcript", "fr",
                         "utf-8", f"P{d:03d}", 0, "2025-01-01"))
            for k in range(per_doc):
                t_idx, s_idx = divmod(k, 2)
                if s_idx == 0:
                    turn_id += 1
                    turns.append((turn_id, d + 1, t_idx, f"P{d:03d}", "participant", "test", f"P{d:03d}", "…"))
                text = " ".join(rng.choice(words) for _ in range(8))
                sid = f"D{d + 1:04d}-T{t_idx:04d}-S{s_idx:02d}"
                segs.append((sid, d + 1, turn_id, s_idx, 0, len(text), text, "h"))
                st = ";".join(sorted(rng.sample(stages, rng.choice([0, 1, 1, 2]))))
                ch = ";".join(rng.sample(channels, rng.choice([0, 1, 1])))
                conf = {"stage": round(rng.random(), 2), "channel": round(rng.random(), 2)}
                ev = [{"field": "stage", "label": lab, "rule": f"stage.{lab}.fr[{rng.randint(0, 3)}]", "start": 0,
                       "end": 5, "text": text[:5], "weight": 1.0} for lab in st.split(";") if lab]
                tags.append((sid, 1, "h", "h", "p", st, ch, rng.choice(emotions), rng.randint(-2, 2),
                             rng.randint(0, 1), "", "customer", json.dumps(conf), json.dumps(ev)))
        p.conn.executemany(
            """INSERT INTO documents (document_id, path, name, content_hash, version, is_current, format, kind,
               language, encoding, participant_id, pseudonymised, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            docs)
        p.conn.executemany("INSERT INTO turns (turn_id, document_id, idx, speaker, role, role_source, participant_id,"
                           " text) VALUES (?,?,?,?,?,?,?,?)", turns)
        p.conn.executemany("INSERT INTO segments (segment_id, document_id, turn_id, idx, start_char, end_char, text,"
                           " text_hash) VALUES (?,?,?,?,?,?,?,?)", segs)
        p.conn.executemany(
            """INSERT INTO auto_tags (segment_id, run_id, text_hash, codebook_hash, pipeline_id, stage, channel,
               emotion, valence, irritant, moments, lane, confidence_json, evidence_json)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", tags)
    return p
