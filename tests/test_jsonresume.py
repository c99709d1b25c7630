"""JSON Resume import/export (services.documents.jsonresume): pure functions, no DB."""

from __future__ import annotations

import copy
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from services.documents.jsonresume import (
    ProfileData,
    from_json_resume,
    normalize_date,
    to_json_resume,
    validate,
)

SAMPLE_PATH = Path(__file__).parent / "fixtures" / "jsonresume.sample.json"


def load_sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
    return data


def hand_built() -> ProfileData:
    return {
        "profile": {
            "fullName": "Ada Lovelace",
            "headline": "Analyst",
            "bio": "Writes programs for engines that do not exist yet.",
            "location": "London",
            "email": "ada@example.com",
            "phone": None,
            "website": "https://ada.example.com",
            "githubUrl": "https://github.com/ada",
            "linkedinUrl": "https://www.linkedin.com/in/ada-lovelace/",
            "extra": {"image": "https://ada.example.com/me.png"},
        },
        "skills": [
            {
                "name": "Mathematics",
                "category": "Science",
                "level": "Expert",
                "years": 20.0,
                "extra": {"keywords": ["Bernoulli numbers"]},
            },
            {
                "name": "Poetry",
                "category": None,
                "level": None,
                "years": None,
                "extra": {},
            },
        ],
        "experience": [
            {
                "title": "Analyst",
                "company": "Analytical Engine Ltd",
                "location": "London",
                "startDate": "1842-09",
                "endDate": None,
                "current": True,
                "description": ["Wrote note G", "Translated Menabrea"],
                "extra": {"url": "https://engine.example.com"},
            },
            {
                "title": "Student",
                "company": "Home tutoring",
                "location": None,
                "startDate": "1830",
                "endDate": "1835-06-01",
                "current": False,
                "description": [],
                "extra": {},
            },
        ],
        "education": [
            {
                "institution": "Private tutors",
                "degree": "None",
                "field": "Mathematics",
                "startDate": "1829",
                "endDate": "1840",
                "description": ["Not exported: JSON Resume has no field"],
                "courses": ["Calculus", "Logic"],
                "extra": {"score": "A"},
            }
        ],
        "projects": [
            {
                "name": "Note G",
                "role": "Author",
                "startDate": "1843",
                "endDate": None,
                "urls": ["https://example.com/note-g", "https://example.com/mirror"],
                "description": ["First published algorithm"],
                "extra": {"keywords": ["algorithm"], "type": "paper"},
            }
        ],
        "certifications": [
            {
                "name": "Fellow",
                "issuer": "Society",
                "issued": "1840-01",
                "expires": None,
                "credentialUrl": "https://example.com/cert",
                "extra": {},
            }
        ],
        "extraSections": {
            "languages": [{"language": "English", "fluency": "Native speaker"}],
            "awards": [{"title": "Remembered", "date": "1980"}],
        },
    }


# --------------------------------------------------------------------- validation


def test_sample_validates() -> None:
    assert validate(load_sample()) == []


def test_validate_reports_bad_date_with_path() -> None:
    doc = load_sample()
    doc["work"][0]["startDate"] = "2019/03"
    errors = validate(doc)
    assert len(errors) == 1
    assert errors[0].startswith("work[0].startDate: '2019/03' does not match")


def test_validate_reports_types_and_formats() -> None:
    doc = {"basics": {"email": "not-an-email", "profiles": [{"url": 5}]}}
    assert validate(doc) == [
        "basics.email: 'not-an-email' is not a 'email'",
        "basics.profiles[0].url: 5 is not of type 'string'",
    ]
    assert validate([]) == ["(root): [] is not of type 'object'"]  # type: ignore[arg-type]


def test_validate_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("validation tried to use the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    doc = load_sample()
    doc["projects"][0]["endDate"] = "someday"
    assert validate(load_sample()) == []
    assert [e.split(":")[0] for e in validate(doc)] == ["projects[0].endDate"]


# ---------------------------------------------------------------------- the sample


def test_sample_round_trips_exactly() -> None:
    sample = load_sample()
    original = copy.deepcopy(sample)
    data = from_json_resume(sample)
    exported = to_json_resume(data)
    assert exported == original
    assert list(exported) == list(original)  # even the key order
    assert sample == original  # the input is not modified
    assert validate(exported) == []


def test_sample_import_maps_fields() -> None:
    data = from_json_resume(load_sample())
    profile = data["profile"]
    assert profile["fullName"] == "Richard Hendriks"
    assert profile["headline"] == "Programmer"
    assert profile["website"] == "http://richardhendricks.example.com"
    assert profile["location"] == "San Francisco, California, US"
    assert profile["extra"]["location"]["address"] == "2712 Broadway St"
    assert profile["extra"]["image"] == ""
    assert [p["network"] for p in profile["extra"]["profiles"]] == [
        "Twitter",
        "SoundCloud",
    ]
    assert profile["githubUrl"] is None
    assert profile["linkedinUrl"] is None

    (job,) = data["experience"]
    assert job["company"] == "Pied Piper"
    assert job["title"] == "CEO/President"
    assert job["location"] == "Palo Alto, CA"
    assert job["endDate"] == "2014-12-01"
    assert job["current"] is False
    assert job["description"][1] == "Successfully won Techcrunch Disrupt"
    assert job["extra"]["summary"].startswith("Pied Piper is")

    (school,) = data["education"]
    assert school["degree"] == "Bachelor"
    assert school["field"] == "Information Technology"
    assert school["courses"] == ["DB1101 - Basic SQL", "CS2011 - Java Introduction"]
    assert school["extra"] == {"url": "https://www.ou.edu/", "score": "4.0"}

    (project,) = data["projects"]
    assert project["role"] == "Team lead, Designer"
    assert project["extra"]["roles"] == ["Team lead", "Designer"]
    assert project["urls"] == ["http://missdirection.example.com"]
    assert len(project["description"]) == 3

    assert data["skills"][0]["extra"] == {"keywords": ["HTML", "CSS", "Javascript"]}
    assert set(data["extraSections"]) == {
        "$schema",
        "volunteer",
        "awards",
        "publications",
        "languages",
        "interests",
        "references",
        "meta",
    }


def test_sample_export_keeps_bullets_locations_courses_roles_profiles() -> None:
    sample = load_sample()
    exported = to_json_resume(from_json_resume(sample))
    assert exported["work"][0]["highlights"] == sample["work"][0]["highlights"]
    assert exported["work"][0]["location"] == "Palo Alto, CA"
    assert exported["basics"]["location"] == sample["basics"]["location"]
    assert exported["education"][0]["courses"] == sample["education"][0]["courses"]
    assert exported["projects"][0]["roles"] == ["Team lead", "Designer"]
    assert exported["projects"][0]["highlights"] == sample["projects"][0]["highlights"]
    assert exported["basics"]["profiles"] == sample["basics"]["profiles"]


# ----------------------------------------------------------------- edited profiles


def test_edited_fields_override_stored_extras() -> None:
    data = from_json_resume(load_sample())
    data["profile"]["location"] = "Berlin"
    data["projects"][0]["role"] = "Lead"
    data["experience"][0]["extra"]["highlights"] = ["stale"]  # modelled key wins
    data["experience"][0]["description"] = ["New bullet"]
    exported = to_json_resume(data)
    assert exported["basics"]["location"] == {"city": "Berlin"}
    assert exported["projects"][0]["roles"] == ["Lead"]
    assert exported["work"][0]["highlights"] == ["New bullet"]
    assert validate(exported) == []


def test_cleared_fields_are_left_out() -> None:
    data = from_json_resume(load_sample())
    data["profile"]["location"] = None
    data["profile"]["headline"] = ""
    data["projects"][0]["role"] = None
    data["projects"][0]["urls"] = []
    data["experience"][0]["description"] = []
    exported = to_json_resume(data)
    assert "location" not in exported["basics"]
    assert "label" not in exported["basics"]
    assert "roles" not in exported["projects"][0]
    assert "url" not in exported["projects"][0]
    assert "highlights" not in exported["work"][0]


def test_github_and_linkedin_profiles() -> None:
    doc = {
        "basics": {
            "name": "Someone",
            "profiles": [
                {"network": "Twitter", "username": "x", "url": "https://x.example"},
                {
                    "network": "github",
                    "username": "Some1",
                    "url": "https://github.com/some1",
                },
                {"network": "LinkedIn", "url": "https://linkedin.com/in/some-one"},
            ],
        }
    }
    data = from_json_resume(copy.deepcopy(doc))
    assert data["profile"]["githubUrl"] == "https://github.com/some1"
    assert data["profile"]["linkedinUrl"] == "https://linkedin.com/in/some-one"
    # unchanged URLs: the stored entries, spelling and order kept exactly
    assert to_json_resume(data) == doc

    # a changed GitHub URL replaces that entry in place; a cleared one removes it
    data["profile"]["githubUrl"] = "https://github.com/other/"
    data["profile"]["linkedinUrl"] = None
    profiles = to_json_resume(data)["basics"]["profiles"]
    assert profiles == [
        {"network": "Twitter", "username": "x", "url": "https://x.example"},
        {"network": "GitHub", "username": "other", "url": "https://github.com/other/"},
    ]


def test_profiles_generated_from_urls() -> None:
    data = hand_built()
    profiles = to_json_resume(data)["basics"]["profiles"]
    assert profiles == [
        {"network": "GitHub", "username": "ada", "url": "https://github.com/ada"},
        {
            "network": "LinkedIn",
            "username": "ada-lovelace",
            "url": "https://www.linkedin.com/in/ada-lovelace/",
        },
    ]


# ------------------------------------------------------------ hand-built round trip


def test_hand_built_export_validates() -> None:
    exported = to_json_resume(hand_built())
    assert validate(exported) == []
    assert exported["basics"]["location"] == {"city": "London"}
    assert exported["basics"]["image"] == "https://ada.example.com/me.png"
    assert "phone" not in exported["basics"]
    assert exported["languages"] == [
        {"language": "English", "fluency": "Native speaker"}
    ]
    assert exported["projects"][0]["url"] == "https://example.com/note-g"
    assert exported["projects"][0]["roles"] == ["Author"]
    assert exported["certificates"] == [
        {
            "name": "Fellow",
            "date": "1840-01",
            "issuer": "Society",
            "url": "https://example.com/cert",
        }
    ]
    assert exported["skills"][1] == {"name": "Poetry"}
    assert "description" not in exported["education"][0]


def test_current_job_has_no_end_date() -> None:
    data = hand_built()
    data["experience"][0]["endDate"] = "1850"  # ignored while current
    work = to_json_resume(data)["work"]
    assert "endDate" not in work[0]
    assert work[0]["startDate"] == "1842-09"
    assert work[1]["endDate"] == "1835-06-01"

    imported = from_json_resume(to_json_resume(data))
    assert imported["experience"][0]["current"] is True
    assert imported["experience"][0]["endDate"] is None
    assert imported["experience"][1]["current"] is False


def test_export_import_export_is_lossless() -> None:
    first = to_json_resume(hand_built())
    imported = from_json_resume(copy.deepcopy(first))
    second = to_json_resume(imported)
    assert second == first
    assert to_json_resume(from_json_resume(second)) == first

    profile = imported["profile"]
    assert profile["githubUrl"] == "https://github.com/ada"
    assert profile["linkedinUrl"] == "https://www.linkedin.com/in/ada-lovelace/"
    assert profile["location"] == "London"
    assert imported["projects"][0]["role"] == "Author"
    assert imported["education"][0]["courses"] == ["Calculus", "Logic"]
    assert imported["experience"][0]["description"] == [
        "Wrote note G",
        "Translated Menabrea",
    ]


def test_empty_profile() -> None:
    empty = from_json_resume({})
    assert empty["profile"]["fullName"] is None
    assert empty["experience"] == []
    assert empty["extraSections"] == {}
    assert to_json_resume(empty) == {}


# -------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019", "2019"),
        ("2019-03", "2019-03"),
        ("2019-03-07", "2019-03-07"),
        (" 2019-03 ", "2019-03"),
        ("2019/03", "2019-03"),
        ("2019/3", "2019-03"),
        ("03/2019", "2019-03"),
        ("3/2019", "2019-03"),
        ("Mar 2019", "2019-03"),
        ("March 2019", "2019-03"),
        ("sept 2019", "2019-09"),
        ("Dec. 2020", "2020-12"),
    ],
)
def test_normalize_date(value: str, expected: str) -> None:
    assert normalize_date(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "yesterday", "2019-13", "2019-02-30", "13/2019", "Smarch 2019", "19", "0999"],
)
def test_normalize_date_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="date"):
        normalize_date(value)


def test_import_normalises_dates() -> None:
    doc = {
        "work": [{"name": "Hooli", "startDate": "March 2019", "endDate": "2020/01"}],
        "certificates": [{"name": "Cert", "date": "04/2021"}],
    }
    data = from_json_resume(doc)
    assert data["experience"][0]["startDate"] == "2019-03"
    assert data["experience"][0]["endDate"] == "2020-01"
    assert data["certifications"][0]["issued"] == "2021-04"
    assert validate(to_json_resume(data)) == []


def test_import_rejects_unreadable_date_with_path() -> None:
    doc = {"education": [{"institution": "A"}, {"institution": "B", "endDate": "soon"}]}
    with pytest.raises(ValueError, match=r"^education\[1\]\.endDate: .*'soon'"):
        from_json_resume(doc)


def test_import_rejects_wrong_types() -> None:
    with pytest.raises(ValueError, match=r"^work\[0\]\.highlights"):
        from_json_resume({"work": [{"highlights": "one"}]})
    with pytest.raises(ValueError, match=r"^basics\.name"):
        from_json_resume({"basics": {"name": 3}})
    with pytest.raises(ValueError, match=r"^skills: expected a list"):
        from_json_resume({"skills": {"name": "x"}})
