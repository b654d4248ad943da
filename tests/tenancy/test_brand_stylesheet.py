"""The practice's brand colours arrive as a small stylesheet of its own (pages carry no inline
style under the Content-Security-Policy), cacheable because its address changes with the colour."""

import pytest
from django.test import Client

from tests.conftest import client_at

pytestmark = pytest.mark.django_db


def test_the_stylesheet_sets_the_brand_and_a_readable_text_colour(acme):
    acme.practice.brand_colour = "#f5d90a"
    acme.practice.save()
    response = client_at(acme).get("/branding/colours.css?v=f5d90a")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response.content.decode() == ":root { --brand: #f5d90a; --on-brand: #111111; --brand-ink: #7a6c05; }\n"
    assert "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]


@pytest.mark.parametrize("brand", ["#1f5f8b", "#8a1c1c", "#f5d90a", "#ffffff", "#00ff00", "#777777"])
def test_the_brand_as_text_reads_on_light_surfaces_and_stays_the_brand_where_it_can(brand):
    from coachhub.tenancy.models import LIGHTEST_INK_BACKGROUND, Practice, contrast_ratio

    ink = Practice(brand_colour=brand).brand_ink_colour
    assert contrast_ratio(ink, LIGHTEST_INK_BACKGROUND) >= 4.5 and contrast_ratio(ink, "#ffffff") >= 4.5
    if contrast_ratio(brand, LIGHTEST_INK_BACKGROUND) >= 4.5:
        assert ink == brand
    else:  # the same hue, only darker
        channels, darker = ([int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in (brand, ink))
        assert all(d <= c for c, d in zip(channels, darker)) and ink != "#000000"


def test_pages_link_the_stylesheet_by_colour_so_a_new_colour_is_a_new_address(acme):
    client = client_at(acme)
    assert 'href="/branding/colours.css?v=1f5f8b"' in client.get("/coaches/").content.decode()
    acme.practice.brand_colour = "#aa3300"
    acme.practice.save()
    assert 'href="/branding/colours.css?v=aa3300"' in client.get("/coaches/").content.decode()


def test_each_practice_gets_its_own_colours(acme, globex):
    globex.practice.brand_colour = "#123456"
    globex.practice.save()
    assert "#123456" in client_at(globex).get("/branding/colours.css").content.decode()
    assert "#123456" not in client_at(acme).get("/branding/colours.css").content.decode()


def test_the_bare_domain_has_no_brand_stylesheet(db):
    assert Client(HTTP_HOST="localhost").get("/branding/colours.css").status_code == 404


def test_every_page_sends_the_content_security_policy(acme):
    policy = client_at(acme).get("/coaches/")["Content-Security-Policy"]
    directives = set(policy.split("; "))
    assert {"default-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} <= directives
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
