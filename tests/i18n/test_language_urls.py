"""The language lives in the URL; Swedish is unprefixed; the first visit follows the browser."""

import pytest


def html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def item(make):
    organisation = make.organisation(name="Bromölla kommun", municipality_code="1272", slug="bromolla")
    return make.intervention(
        organisation,
        title="Språkcafé",
        summary="Samtal på svenska.",
        description="Svensk beskrivning.",
        translations={"en": {"title": "Language café", "summary": "Talk in Swedish.", "description": ""},
                      "ar": {"title": "مقهى اللغة", "summary": "", "description": ""}},
    )


@pytest.mark.parametrize(
    "path, lang, direction",
    [("/", "sv", "ltr"), ("/en/", "en", "ltr"), ("/ar/", "ar", "rtl"), ("/fa/", "fa", "rtl"),
     ("/so/", "so", "ltr"), ("/ti/", "ti", "ltr"), ("/uk/", "uk", "ltr")],
)
def test_html_lang_and_dir(client, app, path, lang, direction):
    page = html(client.get(path))
    assert f'<html lang="{lang}" dir="{direction}">' in page


def test_swedish_prefix_redirects_to_the_unprefixed_url(client, item):
    response = client.get(f"/sv/interventions/{item.id}")
    assert response.status_code in (301, 308)
    assert response.location.endswith(f"/interventions/{item.id}")


def test_links_keep_the_language(client, item):
    page = html(client.get(f"/en/interventions/{item.id}"))
    assert 'href="/en/municipalities/bromolla"' in page
    assert 'href="/en/interventions"' in page


def test_alternates_and_switcher_name_each_language_in_itself(client, item):
    page = html(client.get(f"/interventions/{item.id}"))
    for code in ("sv", "en", "ar", "fa", "so", "ti", "uk"):
        assert f'hreflang="{code}"' in page
    for name in ("العربية", "فارسی", "Soomaali", "ትግርኛ", "Українська", "English", "Svenska"):
        assert name in page
    assert f'href="/en/interventions/{item.id}"' in page


def test_first_visit_follows_accept_language(client, app):
    response = client.get("/", headers={"Accept-Language": "ar, en;q=0.8"})
    assert response.status_code == 302 and response.location.endswith("/ar/")


def test_a_chosen_language_is_not_overridden_by_the_browser(client, app):
    client.get("/en/")
    response = client.get("/", headers={"Accept-Language": "ar"})
    assert response.status_code == 200  # the visitor came back to Swedish on purpose


def test_translation_shown_where_it_exists_else_swedish_marked(client, item):
    english = html(client.get(f"/en/interventions/{item.id}"))
    assert '<h1 lang="en" dir="ltr">Language café</h1>' in english
    assert '<div lang="sv" dir="ltr">' in english  # the description exists only in Swedish
    assert "The description is only available in Swedish." in english

    arabic = html(client.get(f"/ar/interventions/{item.id}"))
    assert 'lang="ar" dir="rtl">مقهى اللغة' in arabic
    assert '<p class="lead" lang="sv" dir="ltr">Samtal på svenska.</p>' in arabic  # its own LTR block

    swedish = html(client.get(f"/interventions/{item.id}"))
    assert "finns bara på svenska" not in swedish


def test_swedish_interface_comes_from_the_catalogue(client, app):
    page = html(client.get("/interventions"))
    assert "Hoppa till huvudinnehållet" in page and "Alla insatser" in page


def test_unknown_language_prefix_is_a_404(client, app):
    assert client.get("/xx/interventions").status_code == 404
