import os
import textwrap

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def fr_senter():
    """The real French sentence pipeline, loaded once per test session."""
    from interviewkit.segment import load_segmenter_pipeline

    return load_segmenter_pipeline("fr")


@pytest.fixture
def mini_corpus(tmp_path):
    """A small corpus written for the tests: two transcripts, a verbatims table, participants, manifest, bad files."""
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "P01_entretien.txt").write_text(textwrap.dedent("""\
        Claire Vidal: Bonjour, vous pouvez me raconter ce qui s'est passé avec votre voiture ?
        Sophie: Oui alors euh le lundi matin ma voiture ne démarrait plus du tout. J'ai appelé l'assistance de mon assureur au 06 12 34 56 78 et j'ai attendu quarante minutes.
        Claire Vidal: Et ensuite, comment ça s'est passé ?
        Sophie: La dépanneuse est arrivée au bout de quatre heures. Mon collègue Julien Moreau m'a emmenée au travail. Le garage ne m'a jamais rappelée pour le devis, j'ai dû relancer trois fois.
        """), encoding="utf-8")
    (root / "P02_entretien.srt").write_text(textwrap.dedent("""\
        1
        00:00:01,000 --> 00:00:04,000
        Claire Vidal: Comment s'est passée la livraison de votre cuisine ?

        2
        00:00:04,500 --> 00:00:12,000
        Élodie: Vraiment très bien, les monteurs étaient soigneux et ils ont tout nettoyé après. Le vendeur m'a envoyé un SMS la veille.
        """), encoding="utf-8")
    (root / "verbatims.csv").write_text(
        "respondent_id,persona,nps,verbatim\n"
        "R1,Actif pressé,2,Personne ne m'a rappelé malgré trois relances par mail.\n"
        "R2,Senior attentif,9,Très bon accueil en agence, la conseillère était patiente.\n"
        "R3,Actif pressé,4,\n"
        "R4,Étudiant connecté,1,L'appli plante à chaque connexion depuis la mise à jour.\n",
        encoding="utf-8",
    )
    (root / "participants.csv").write_text(
        "participant_id,name,persona,document,age\n"
        "P01,Sophie Lemaire,Actif pressé,P01_entretien.txt,38\n"
        "P02,Élodie Marchand,Actif pressé,P02_entretien.srt,41\n",
        encoding="utf-8",
    )
    (root / "corpus.yml").write_text(textwrap.dedent("""\
        version: 1
        language: auto
        participants: participants.csv
        interviewers: ["Claire Vidal"]
        files:
          verbatims.csv: {text_column: verbatim, id_column: respondent_id, persona_column: persona}
        """), encoding="utf-8")
    return root
