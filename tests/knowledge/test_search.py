"""Search over live articles: PostgreSQL full text (accents, stemming, language), and
the rule that only live versions are ever returned."""

from datetime import timedelta

import pytest

from suivi.core.clock import frozen_at
from suivi.knowledge import selectors, services

from .conftest import MONDAY, live_article

pytestmark = pytest.mark.postgresql


@pytest.fixture
def articles(editor):
    fr, _ = live_article(
        editor, title="Résiliation du contrat",
        body="Vous pouvez résilier votre abonnement à tout moment depuis votre espace client.",
        topic="resiliation",
    )  # fmt: skip
    en, _ = live_article(
        editor, language="en", title="Cancelling your contract",
        body="You can cancel your subscription at any time from your account.",
        topic="resiliation", translation_of=fr,
    )  # fmt: skip
    invoice, _ = live_article(
        editor, title="Comprendre sa facture", body="La facture détaille chaque prélèvement.",
        topic="factures",
    )  # fmt: skip
    return fr, en, invoice


def test_stemming_finds_the_noun_from_the_verb(articles):
    fr, _en, _invoice = articles

    hits = selectors.search(query="résilier", language="fr")

    assert [hit.article_id for hit in hits] == [fr.pk]
    hit = hits[0]
    assert hit.title == "Résiliation du contrat"
    assert hit.version_id == selectors.live_version(article_id=fr.pk).pk
    assert hit.url == f"/help/fr/{fr.pk}/"
    assert "résilier" in hit.excerpt
    assert hit.rank > 0


def test_accents_are_ignored_both_ways(articles):
    fr, _en, invoice = articles

    assert [h.article_id for h in selectors.search(query="RESILIATION", language="fr")] == [fr.pk]
    assert [h.article_id for h in selectors.search(query="prelevements", language="fr")] == [
        invoice.pk
    ]


def test_each_language_uses_its_own_configuration(articles):
    fr, en, _invoice = articles

    assert [h.article_id for h in selectors.search(query="cancelled", language="en")] == [en.pk]
    assert selectors.search(query="cancelled", language="fr") == []
    both = selectors.search(query="résiliation OR cancel", language=None)
    assert {h.article_id for h in both} == {fr.pk, en.pk}


def test_the_title_ranks_higher_than_the_text(editor):
    in_text, _ = live_article(editor, title="Abonnement", body="Comment changer de facture.")
    in_title, _ = live_article(editor, title="Facture en double", body="Nous remboursons.")

    hits = selectors.search(query="facture", language="fr")

    assert [h.article_id for h in hits] == [in_title.pk, in_text.pk]


def test_retired_drafts_and_scheduled_versions_are_never_found(editor):
    with frozen_at(MONDAY) as hand:
        retired, v1 = live_article(editor, title="Garantie légale", body="Deux ans de garantie.")
        services.version_retire(version=v1, by=editor)
        draft = services.article_create(
            kind="answer", language="fr", title="Garantie commerciale", body="Un an de plus.",
            by=editor,
        )  # fmt: skip
        waiting = services.article_create(
            kind="answer", language="fr", title="Garantie étendue", body="Trois ans.", by=editor
        )
        services.version_schedule(version=waiting.versions.get(), by=editor)

        assert selectors.search(query="garantie", language="fr") == []
        # at the window the scheduled one is found, the others still not
        hand.advance(timedelta(days=1))
        hits = selectors.search(query="garantie", language="fr")
    assert [h.article_id for h in hits] == [waiting.pk]
    assert retired.pk != draft.pk


def test_a_replaced_version_is_no_longer_found(editor):
    article, _v1 = live_article(editor, title="Délais de livraison", body="Livraison en 3 jours.")
    v2 = services.version_draft_create(
        article=article, title="Délais de livraison", body="Livraison en 5 jours ouvrés.", by=editor
    )

    services.version_publish_urgently(version=v2, by=editor, reason="carrier strike")

    hits = selectors.search(query="livraison", language="fr")
    assert [h.version_id for h in hits] == [v2.pk]
    assert "5 jours" in hits[0].text


def test_search_is_one_query(articles, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.search(query="contrat", language=None, limit=5)


def test_odd_queries_do_not_fail(articles):
    for query in ("", "   ", "&|!():*", "'\"", "a" * 5000, "-résilier", "OR"):
        selectors.search(query=query, language="fr")
    assert selectors.search(query="contrat", language="xx")  # unknown language: both


def test_the_statement_is_compiled_once_and_filled_in_at_each_search(editor, monkeypatch):
    # the SQL is built by the ORM once per shape (languages, kind or not, limit); the
    # query, the kind and the clock's time are this search's own every time
    offer, _ = live_article(
        editor, kind="offer", title="Offre fibre", body="La fibre à 30 euros par mois."
    )
    answer, _ = live_article(editor, title="Panne de fibre", body="Redémarrez la box fibre.")
    monkeypatch.setattr(selectors, "_SEARCHES", {})

    assert {h.article_id for h in selectors.search(query="fibre", language="fr")} == {
        offer.pk,
        answer.pk,
    }
    compiled = dict(selectors._SEARCHES)
    assert [h.article_id for h in selectors.search(query="box", language="fr")] == [answer.pk]
    assert [h.article_id for h in selectors.search(query="mois", language="fr")] == [offer.pk]
    assert compiled == selectors._SEARCHES  # the same statement, other words
    assert [h.article_id for h in selectors.search(query="fibre", kind="offer")] == [offer.pk]
    assert [h.article_id for h in selectors.search(query="fibre", kind="answer")] == [answer.pk]
    assert len(selectors._SEARCHES) == 2  # both languages, with a kind: one more
    # (the clock's time is filled in the same way: see the scheduled version above,
    # found by the same statement a day later)
