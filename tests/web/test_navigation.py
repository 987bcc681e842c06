"""The main navigation: links grouped into 台账 / 治理 / 管理 menus, each role seeing the links it saw before."""

from __future__ import annotations

import lxml.html
import pytest

REGISTERS = ["/units/", "/people/", "/apps/", "/accounts/", "/groups/", "/forms/", "/elements/"]
OVERSIGHT = ["/findings/", "/filings/", "/cases/", "/notices/", "/clues/", "/surveys/", "/reports/"]
# Who sees which link (the conditions the single-row navigation had): section label → hrefs, None = top level.
EXPECTED = {
    "admin": {None: ["/", "/inbox/"], "台账": REGISTERS, "治理": OVERSIGHT, "管理": ["/import/", "/users/"]},
    "county": {None: ["/", "/inbox/"], "台账": REGISTERS, "治理": OVERSIGHT, "管理": ["/import/"]},
    "province": {None: ["/", "/inbox/"], "台账": REGISTERS, "治理": OVERSIGHT, "管理": ["/import/"]},
    "department": {
        None: ["/", "/inbox/"],
        "台账": REGISTERS,
        "治理": ["/findings/", "/filings/", "/cases/", "/notices/"],
        "管理": ["/import/"],
    },
    "discipline": {
        None: ["/", "/inbox/"],
        "台账": REGISTERS,
        "治理": ["/findings/", "/filings/", "/cases/", "/notices/", "/clues/", "/reports/"],
    },
    "cadre": {
        None: ["/", "/inbox/"],
        "台账": REGISTERS[:-1] + ["/elements/issues/"],
        "治理": ["/findings/", "/filings/", "/notices/"],
    },
}


def navigation(client, path: str):
    """The page's main navigation element."""
    response = client.get(path)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode()).get_element_by_id("mainnav")


def sections(nav) -> dict[str | None, list[str]]:
    """Section label (None for top-level links) → the hrefs it offers, in order."""
    found: dict[str | None, list[str]] = {}
    for link in nav.iter("a"):
        menu = next((a for a in link.iterancestors("details")), None)
        label = menu.find("summary").text_content().strip() if menu is not None else None
        found.setdefault(label, []).append(link.get("href"))
    return found


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_its_links_grouped_into_sections(cast, as_user, who):
    assert sections(navigation(as_user(getattr(cast, who)), "/")) == EXPECTED[who]


def test_the_active_page_and_its_section_are_marked(cast, as_user):
    nav = navigation(as_user(cast.county), "/groups/")
    current = nav.xpath(".//*[@aria-current]")
    assert [(e.tag, e.get("aria-current"), e.text_content().strip()) for e in current] == [
        ("summary", "true", "台账"),
        ("a", "page", "工作群"),
    ]
    # No menu is open on arrival: on an office screen an open menu would cover the page.
    assert not nav.xpath(".//details[@open]")


def test_the_home_page_marks_no_section(cast, as_user):
    nav = navigation(as_user(cast.cadre), "/")
    assert [e.get("href") for e in nav.xpath(".//*[@aria-current]")] == ["/"]


def test_section_labels_are_translated(cast, as_user):
    client = as_user(cast.county)
    client.cookies["django_language"] = "en"
    labels = [s.text_content().strip() for s in navigation(client, "/").iter("summary")]
    assert labels == ["Registers", "Oversight", "Administration"]
