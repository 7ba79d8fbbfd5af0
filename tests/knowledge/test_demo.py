from suivi.demo.knowledge import ENTRIES, load_knowledge_demo
from suivi.knowledge import selectors
from suivi.knowledge.models import Article

from .conftest import MONDAY


def test_the_demo_knowledge_base_is_bilingual_live_and_searchable(editor):
    from suivi.core.clock import frozen_at

    with frozen_at(MONDAY):
        created = load_knowledge_demo(editor=editor)
        again = load_knowledge_demo(editor=editor)
        rows = selectors.articles_for_editors().rows
        hits = selectors.search(query="résilier", language="fr")
        english = selectors.search(query="moving", language="en")

    assert created == Article.objects.count() == 25 and again == 0
    assert len(ENTRIES) == 13
    missing = [row.article.topic for row in rows if row.missing_translation]
    assert missing == ["coupure"]
    assert all(row.live is not None for row in rows)
    assert [row.article.topic for row in rows if row.scheduled] == ["offre-fibre"]
    assert hits and hits[0].title == "Résilier votre contrat"
    assert english and english[0].title == "Moving home without a break in supply"
