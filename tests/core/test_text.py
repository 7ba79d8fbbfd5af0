import pytest

from suivi.core.text import excerpt, sanitise_html, search_key


def test_search_key_removes_accents_case_and_extra_spaces():
    assert search_key("  Hélène   DUPRÉ ") == "helene dupre"


@pytest.mark.parametrize(
    "dangerous",
    [
        '<script>alert("x")</script>',
        '<p onclick="steal()">',
        '<a href="javascript:steal()">',
        '<img src="x" onerror="steal()">',
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_sanitise_html_removes_scripts_handlers_and_javascript_urls(dangerous):
    # when
    clean = sanitise_html(f"<p>Bonjour</p>{dangerous}")

    # then
    assert "Bonjour" in clean
    for word in ("script", "onclick", "javascript", "onerror", "iframe", "steal", "alert"):
        assert word not in clean.lower()


def test_sanitise_html_keeps_formatting_and_safe_links():
    # when
    clean = sanitise_html('<p><strong>Merci</strong> <a href="https://suivi.example">ici</a></p>')

    # then
    assert "<strong>Merci</strong>" in clean
    assert 'href="https://suivi.example"' in clean
    assert "noopener" in clean


def test_excerpt_cuts_long_text_with_an_ellipsis():
    # when
    short = excerpt("un  deux\ntrois", length=160)
    cut = excerpt("a" * 200, length=10)

    # then
    assert short == "un deux trois"
    assert cut == "a" * 9 + "…"
