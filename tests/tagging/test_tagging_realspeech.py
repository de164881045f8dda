"""Real customer speech: no accents, capitals, SMS spellings, fixed expressions, valence coherence."""
from __future__ import annotations

import pytest

from interviewkit.wordmatch.text import inflections

FIELDS = ("stage", "channel", "emotion", "irritant")


def _core(r):
    return {f: getattr(r, f) for f in FIELDS}


@pytest.mark.parametrize("profile", ["lookup_tagger", "sm_tagger"])
def test_accentless_and_capital_forms_tag_like_the_written_form(profile, request):
    tagger = request.getfixturevalue(profile)
    ref = tagger.tag_one("J'ai été facturé deux fois, personne ne répond à ma réclamation.")
    assert ref.stage == ["purchase", "support"] and ref.irritant == 1
    for variant in ("j ai ete facture deux fois, personne ne repond a ma reclamation",
                    "JAI ETE FACTURE DEUX FOIS, PERSONNE NE REPOND A MA RECLAMATION"):
        assert _core(tagger.tag_one(variant)) == _core(ref), variant
    assert tagger.tag_one("JAI ETE FACTURE DEUX FOIS, PERSONNE NE REPOND A MA RECLAMATION").valence == -2


@pytest.mark.parametrize("sms, written", [
    ("tjrs pas recu mon colis", "toujours pas reçu mon colis"),
    ("jattend tjs le technicien", "j'attends toujours le technicien"),
    ("pb avec ma facture", "problème avec ma facture"),
    ("g eu un pb ac ma resiliation", "j'ai eu un problème avec ma résiliation"),
])
def test_sms_spellings_are_read_through_lemma_exceptions(sm_tagger, sms, written):
    a, b = sm_tagger.tag_one(sms), sm_tagger.tag_one(written)
    assert b.stage and _core(a) == _core(b), (sms, _core(a), _core(b))


def test_sms_complaint_is_an_irritant(sm_tagger, lookup_tagger):
    for tagger in (sm_tagger, lookup_tagger):
        r = tagger.tag_one("slt, tjrs pas de rdv pr le technicien, c relou")
        assert r.irritant == 1 and r.emotion == "anger" and "deliver" in r.stage
        assert tagger.tag_one("jattend tjs l'appel, ça fait 3 semaines").irritant == 1


def test_fixed_expression_is_not_negated_by_a_detached_ne(sm_tagger):
    r = sm_tagger.tag_one("Je n'ai rien à redire.")
    assert r.emotion == "trust" and r.irritant == 0 and r.valence == 1
    # a real negation is still read
    neg = sm_tagger.tag_one("Je ne suis pas satisfait du tout.")
    assert neg.emotion == "anger" and neg.valence < 0


def test_valence_sign_follows_the_emotion(sm_tagger):
    r = sm_tagger.tag_one("Franchement, pas de mauvaise surprise.")
    assert r.emotion == "trust" and r.valence == 1
    assert any(e["rule"] == "decide.coherence" for e in r.evidence)
    for text in ("Le colis est arrivé ouvert et il manque une pièce.", "Service impeccable, merci !"):
        t = sm_tagger.tag_one(text)
        assert (t.valence > 0) == (t.emotion in ("joy", "trust")), (text, t.emotion, t.valence)


def test_inflections_do_not_invent_function_words_or_other_words():
    assert "chez" not in inflections("cher", "fr")
    assert "mars" not in inflections("marre", "fr")
    assert {"prends", "vendu", "livrée", "rappelle"} <= (
        inflections("prendre", "fr") | inflections("vendre", "fr") | inflections("livrer", "fr")
        | inflections("rappeler", "fr"))


def test_broad_pain_point_lexicon(sm_tagger):
    texts = ["on m'a raccroché au nez", "dossier perdu", "le technicien est reparti sans rien faire",
             "mon compte a été débité à tort", "ça laisse à désirer", "on m'a forcé la main"]
    assert [sm_tagger.tag_one(t).irritant for t in texts] == [1] * len(texts)
    calm = ["Le dossier a été traité en 48h.", "Aucun problème avec la livraison.", "Je vais renouveler mon abonnement."]
    assert [sm_tagger.tag_one(t).irritant for t in calm] == [0] * len(calm)


@pytest.mark.parametrize("text, channels", [
    ("Trois appels pour avoir une info.", ["phone"]),
    ("J'ai trouvé les poignées en rayon.", ["store"]),
    ("Click & collect prêt en 2h.", ["web", "store"]),
    ("Impossible de me connecter depuis la mise à jour.", ["app"]),
    ("Achat en 3 clics.", ["web"]),
])
def test_channel_cues_of_customer_speech(sm_tagger, text, channels):
    assert sorted(sm_tagger.tag_one(text).channel) == sorted(channels)


# --------------------------------------------------------------- codebook 2025.4: review-style verbatims

def test_pas_de_negates_what_follows_not_the_word_before(sm_tagger):
    r = sm_tagger.tag_one("livraison, retour, commande pas de soucis")
    assert r.irritant == 0 and r.valence >= 0
    assert sm_tagger.tag_one("ça marche pas depuis lundi").irritant == 1  # a bare "pas" still looks back


def test_rhetorical_question_is_satisfaction(sm_tagger):
    r = sm_tagger.tag_one("Paiement accepté, colis reçu. Que demander de plus ?")
    assert r.irritant == 0 and r.emotion == "joy" and r.valence > 0


@pytest.mark.parametrize("text", ["jamais déçu", "jamais ete decu de mes commandes", "je n'ai jamais été déçue"])
def test_never_disappointed_is_trust_with_or_without_accents(sm_tagger, text):
    r = sm_tagger.tag_one(text)
    assert r.emotion == "trust" and r.valence > 0 and r.irritant == 0, text


def test_a_pattern_repeated_is_one_piece_of_evidence(sm_tagger):
    # "vendeur" is a weak store cue (a marketplace seller): saying it three times is not a shop
    r = sm_tagger.tag_one("Le vendeur ne répond pas, le vendeur refuse le retour, bref ce vendeur est injoignable.")
    assert "store" not in r.channel
    assert "store" in sm_tagger.tag_one("Le vendeur du magasin m'a bien conseillé.").channel


def test_product_named_phone_is_not_the_phone_channel(sm_tagger):
    assert "phone" not in sm_tagger.tag_one("J'ai commandé un téléphone neuf, il est arrivé cassé.").channel
    assert "phone" in sm_tagger.tag_one("J'ai appelé trois fois le service client.").channel


def test_i_recommend_is_not_a_registered_letter(sm_tagger):
    assert "mail" not in sm_tagger.tag_one("Je ne recommande pas ce site, à fuir.").channel
    assert "mail" in sm_tagger.tag_one("J'ai envoyé une lettre recommandée avec accusé de réception.").channel


@pytest.mark.parametrize("text", ["Méfiez-vous de ce site.", "Ne commandez pas chez eux, passez votre chemin.",
                                  "Je reste client depuis 10 ans."])
def test_warnings_and_loyalty_are_the_leave_stage(sm_tagger, text):
    r = sm_tagger.tag_one(text)
    assert "leave" in r.stage and "purchase" not in r.stage, (text, r.stage)


def test_choice_and_search_are_the_consider_stage(sm_tagger):
    for text in ("Large choix et prix intéressants.", "J'ai trouvé rapidement ce que je cherchais."):
        assert "consider" in sm_tagger.tag_one(text).stage, text


def test_disappointment_names_the_emotion_of_a_long_complaint(sm_tagger):
    text = ("Très déçue : colis jamais reçu, remboursement refusé, j'attends depuis trois semaines "
            "et personne ne répond à mes réclamations.")
    r = sm_tagger.tag_one(text)
    assert r.irritant == 1 and r.emotion == "sadness" and r.valence == -2
    # anger words still win, and a stray positive word never turns a complaint positive
    assert sm_tagger.tag_one(text.replace("Très déçue", "C'est honteux, une arnaque")).emotion == "anger"
    super_ = sm_tagger.tag_one("Super, colis jamais reçu, remboursement refusé et personne ne répond.")
    assert super_.irritant == 1 and super_.valence < 0


def test_no_problem_as_always_is_not_still_not(sm_tagger):
    r = sm_tagger.tag_one("Comme toujours pas de problème avec ce site.")
    assert r.irritant == 0 and r.emotion == "trust"
    assert sm_tagger.tag_one("Toujours pas de remboursement.").irritant == 1


def test_asking_how_is_confusion_showing_how_is_not(sm_tagger):
    assert sm_tagger.tag_one("Comment faire ? Je suis dépassée, on ne précise ni où ni comment.").emotion == "confusion"
    assert sm_tagger.tag_one("Le conseiller m'a montré comment faire un virement, très gentil.").emotion != "confusion"


def test_thanks_around_a_complaint_is_not_joy(sm_tagger):
    r = sm_tagger.tag_one("plus possible de joindre qui que ce soit par téléphone, jamais personne ne répond.. "
                          "service client à chier... merci free!!")
    assert r.irritant == 1 and r.emotion == "anger" and r.valence < 0
    assert any(e["rule"] == "decide.irritant_not_positive" for e in r.evidence)
    # praise that outweighs a small problem keeps the positive emotion
    ok = sm_tagger.tag_one("Très contente, produit excellent, livraison rapide et livreur adorable, "
                           "juste un petit retard.")
    assert ok.emotion == "joy" and ok.valence > 0


def test_never_any_problem_negates_forward_only(sm_tagger):
    r = sm_tagger.tag_one("une entreprise très sérieuse jamais de soucis dans les livraisons")
    assert r.emotion == "trust" and r.irritant == 0 and r.valence > 0


@pytest.mark.parametrize("text", [
    "en tout cas je ne vais plus commander chez eux !!",
    "Jamais plus je ne commanderais sur ce site !",
    "j'étais une très bonne cliente, mais maintenant j'irais sur Amazon",
    "C'était ma première commande chez eux. Et bien entendu la dernière.",
    "je passerai plus par vous",
    "Je ne suis pas prête d'y retourner.",
])
def test_not_buying_again_is_the_leave_stage(sm_tagger, text):
    assert "leave" in sm_tagger.tag_one(text).stage, text


@pytest.mark.parametrize("text", [
    "ca fait 4j que j'ai plus de fibre suite à un incident collectif",
    "pas d'internet depuis samedi midi et aucune information",
    "ma box ne fonctionne plus depuis hier",
])
def test_being_without_the_service_is_the_use_stage(sm_tagger, text):
    assert "use" in sm_tagger.tag_one(text).stage, text


@pytest.mark.parametrize("text, channel", [
    ("possible de passer en dm ? ça fait une semaine", "social"),
    ("que quelqu'un réponde à mes messages sur messenger svp", "social"),
    ("j'ai essayé via le service whatsapp, 0 réponse", "social"),
    ("je leur ai écrit par la messagerie du site", "chat"),
    ("impossible de vous joindre via le 3244", "phone"),
    ("le téléconseiller m'a raccroché au nez", "phone"),
    ("la barre de recherche ne sert à rien, la fiche produit est fausse", "web"),
])
def test_channels_of_tweets_and_reviews(sm_tagger, text, channel):
    assert channel in sm_tagger.tag_one(text).channel, (text, sm_tagger.tag_one(text).channel)


def test_confusion_is_the_customer_not_understanding(sm_tagger):
    assert sm_tagger.tag_one("Je ne comprends pas pourquoi ma commande a été annulée.").emotion == "confusion"
    assert sm_tagger.tag_one("vous avez l'air de ne pas comprendre avec vos messages automatiques").emotion != "confusion"
    assert sm_tagger.tag_one("la chaîne 37 n'apparait pas sur oqee svp").emotion != "confusion"


def test_polite_requests_and_subscribers_are_not_read_literally(sm_tagger):
    r = sm_tagger.tag_one("svp où sont les replays de la chaîne ? merci de votre aide")
    assert r.emotion != "joy"
    assert "purchase" not in sm_tagger.tag_one("bonjour je suis abonné mobile, pourriez-vous me joindre svp").stage
    assert "phone" not in sm_tagger.tag_one("je vous rappelle que je paye mon abonnement").channel
    assert "social" in sm_tagger.tag_one("ils ne répondent même pas sur les réseaux").channel
    assert "leave" in sm_tagger.tag_one("vous venez de perdre un client, ciao.").stage


@pytest.mark.parametrize("text", [
    "depuis 48h j'ai plus de wifi",
    "j'ai pas la wifi depuis hier !!",
    "ça capte plus là, remettez la connexion",
    "vos serveurs sont hs ?",
])
def test_colloquial_outages_are_irritants(sm_tagger, text):
    r = sm_tagger.tag_one(text)
    assert r.irritant == 1 and r.valence < 0, (text, r.evidence)


def test_comparative_plus_is_not_an_outage(sm_tagger):
    assert sm_tagger.tag_one("ça marche plus vite qu'avant").irritant == 0


def test_a_calm_question_about_an_outage_is_neutral_a_repeated_one_is_not(sm_tagger):
    calm = sm_tagger.tag_one("plus aucune connexion chez moi. avez-vous des soucis dans les yvelines ?")
    assert calm.irritant == 1 and calm.emotion == "neutral" and calm.valence == -1
    assert not any(e["rule"] == "derive.frustration_when_irritant" for e in calm.evidence)
    again = sm_tagger.tag_one("il se passe quoi encore ? free down")
    assert again.irritant == 1 and again.emotion == "anger"
    plain = sm_tagger.tag_one("j'ai plus internet depuis hier")
    assert plain.emotion == "anger"
    assert any(e["rule"] == "derive.frustration_when_irritant" for e in plain.evidence)


def test_tweet_words_that_are_not_journey_steps(sm_tagger):
    assert "email" not in sm_tagger.tag_one("vos serveurs de mail sont hs ?").channel
    assert "email" in sm_tagger.tag_one("je vous ai envoyé un mail hier").channel
    assert "purchase" not in sm_tagger.tag_one("je paie 40€ par mois pour avoir ce débit ?").stage
    assert "purchase" in sm_tagger.tag_one("j'ai payé ma commande en ligne").stage
    assert "discover" not in sm_tagger.tag_one("plus possible de zapper les pubs sur tmc").stage
    assert "discover" in sm_tagger.tag_one("j'ai vu une pub sur Insta pour ce forfait").stage
    assert "discover" not in sm_tagger.tag_one("10j que j'ai validé ma demande de déménagement").stage


def test_bare_thanks_is_politeness_exclaimed_thanks_is_joy(sm_tagger):
    assert sm_tagger.tag_one("vous avez des nouvelles du technicien ? merci.").emotion != "joy"
    assert sm_tagger.tag_one("Pris en charge un samedi matin pour un pneu crevé. Merci !!").emotion == "joy"


def test_plea_and_worry_cues(sm_tagger):
    assert sm_tagger.tag_one("je vais devoir partir de chez vous... :-(").emotion == "sadness"
    assert sm_tagger.tag_one("c'était mieux avant, 3 pannes en 2 semaines").emotion == "sadness"
    assert sm_tagger.tag_one("je risque de perdre mon travail sans connexion").emotion == "fear"
