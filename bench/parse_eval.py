"""Recall of the offline resume parser on the shared corpus.

    .venv/bin/python bench/parse_eval.py [--verbose]

For every `../shared/corpus/resumes/*.pdf` (relative to the project root's parent)
listed in EXPECTED, runs `services.documents.sandbox.parse_document` in process
and compares the ResumeData with values written down by hand from reading each
PDF (what a human reads in the document, not what the parser outputs):

- name and email: exact (case-insensitive, whitespace-normalised);
- phone: same digits;
- employers, job titles, schools: recall = found / expected, each expected value
  matched once against the parsed values (a multiset);
- skills: recall, a parsed skill matching with or without a trailing
  parenthetical ("Node.js (MERN stack)" counts as "Node.js").

Prints a table per file and the overall figures. Project targets: name and email
exact on every file, >= 90 % of employers and schools. Skips (exit 0) when the
corpus is absent; exit 0 whatever the figures (it is a benchmark), 1 on a crash.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.documents.sandbox import parse_document  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "resumes"

EXPECTED: dict[str, dict[str, object]] = {
    "alfred_pennyworth_pm.pdf": {
        "name": "Alfred Pennyworth",
        "email": "alfred.pennyworth@email.com",
        "phone": "(123) 456-7890",
        "employers": ["Google", "Amazon", "Apple", "Netflix", "Facebook"],
        "titles": [
            "Product Manager",
            "Software Development Engineer III",
            "Software Development Engineer II",
            "Software Development Engineer I",
            "Software Development Engineer I",
        ],
        "schools": [
            "Stanford University",
            "Massachusetts Institute of Technology",
            "University of California, Berkeley",
        ],
        "skills": [
            "Product management",
            "Agile methodologies",
            "Leadership",
            "Communication",
            "Project management",
            "User Experience Design",
            "Market Research",
            "Data Analysis",
            "Java",
            "Python",
            "JavaScript",
            "HTML/CSS",
            "SQL",
            "AWS",
        ],
    },
    "barry_allen_fe.pdf": {
        "name": "Barry Allen",
        "email": "allthe.stars@google.com",
        "phone": "(123) 456-7890",
        "employers": ["Google"],
        "titles": ["Software Engineer (Front-End)"],
        "schools": ["Indian Institute of Technology Delhi"],
        "skills": [
            "JavaScript",
            "TypeScript",
            "HTML5",
            "CSS3",
            "Python",
            "React",
            "Redux",
            "Angular",
            "Vue.js",
            "Node.js",
            "Express.js",
            "D3.js",
            "Git",
            "Docker",
            "Webpack",
            "Babel",
            "Google Cloud Platform",
            "Firebase",
            "RESTful APIs",
            "GraphQL",
            "Agile Development",
            "Test-Driven Development",
            "Responsive Design",
            "UI/UX",
        ],
    },
    "bruce_wayne_fullstack.pdf": {
        "name": "Bruce Wayne",
        "email": "bwayne@email.com",
        "phone": "(123) 456-7890",
        "employers": ["OpenAI", "Uber", "Facebook"],
        "titles": [
            "MERN Stack Developer",
            "Full Stack Developer",
            "Software Developer",
        ],
        "schools": ["CalTech", "MIT", "UC San Diego"],
        "skills": [
            "JavaScript",
            "TypeScript",
            "MongoDB",
            "Express.js",
            "React",
            "Node.js",
            "RESTful APIs",
            "Git",
            "GitHub",
            "Docker",
            "Kubernetes",
            "Agile",
            "Scrum",
            "Python",
            "Machine Learning basics",
        ],
    },
    "harvey_dent_mle.pdf": {
        "name": "Harvey Dent",
        "email": "hdent@email.com",
        "phone": "(123) 456-7891",
        "employers": ["OpenAI", "Uber", "Facebook"],
        "titles": [
            "Machine Learning Engineer",
            "Data Scientist",
            "Junior Data Analyst",
        ],
        "schools": ["MIT", "UC San Diego"],
        "skills": [
            "Python",
            "R",
            "TensorFlow",
            "PyTorch",
            "Scikit-learn",
            "Keras",
            "SQL",
            "NoSQL",
            "Git",
            "Docker",
            "Kubernetes",
            "Agile",
            "Scrum",
            "Statistics",
            "Data visualization",
            "Deep Learning",
            "Natural Language Processing",
        ],
    },
    "john_doe.pdf": {
        "name": "John Doe",
        "email": "john.doe@email.com",
        "phone": "(123) 456-7890",
        "employers": ["ABC Company, Inc.", "XYZ Solutions"],
        "titles": ["Full Stack Java Developer", "Software Developer"],
        "schools": ["State University"],
        "skills": [
            "Java",
            "J2EE",
            "Spring Boot",
            "Spring MVC",
            "Hibernate",
            "Angular",
            "JavaScript",
            "TypeScript",
            "HTML5",
            "CSS3",
            "Bootstrap",
            "RESTful APIs",
            "SQL",
            "NoSQL",
            "MySQL",
            "MongoDB",
            "Agile",
            "Scrum",
            "Git",
            "GitHub",
            "JUnit",
            "Mockito",
            "Docker",
        ],
    },
    "openresume-resume.pdf": {
        "name": "John Doe",
        "email": "hello@openresume.com",
        "phone": "123-456-7890",
        "employers": ["ABC Company", "DEF Organization", "XYZ University"],
        "titles": [
            "Software Engineer",
            "Software Engineer Intern",
            "Research Assistant",
        ],
        "schools": ["XYZ University"],
        "skills": [
            "HTML",
            "TypeScript",
            "CSS",
            "React",
            "Python",
            "C++",
            "React Hooks",
            "GraphQL",
            "Node.js",
            "SQL",
            "Postgres",
            "NoSQL",
            "Redis",
            "REST API",
            "Git",
            "Teamwork",
            "Creative Problem Solving",
            "Communication",
            "Learning Mindset",
            "Agile",
        ],
    },
}

LIST_FIELDS = ("employers", "titles", "schools", "skills")


def norm(value: str) -> str:
    return " ".join(value.casefold().split())


def core(value: str) -> str:
    """`value` without a trailing parenthetical: "Node.js (MERN stack)" -> "node.js"."""
    return norm(re.sub(r"\s*\([^()]*\)\s*$", "", value))


def recall(expected: list[str], parsed: list[str], *, loose: bool) -> tuple[int, list]:
    """(found, missed): each expected value consumes one equal parsed value."""
    pool = Counter(norm(p) for p in parsed)
    if loose:
        pool.update(core(p) for p in parsed if core(p) != norm(p))
    found, missed = 0, []
    for value in expected:
        keys = [norm(value)] + ([core(value)] if loose else [])
        key = next((k for k in keys if pool[k] > 0), None)
        if key is None:
            missed.append(value)
        else:
            pool[key] -= 1
            found += 1
    return found, missed


def parsed_values(structured: dict) -> dict[str, list[str]]:
    return {
        "employers": [w["company"] for w in structured["workExperience"]],
        "titles": [w["title"] for w in structured["workExperience"]],
        "schools": [e["institution"] for e in structured["education"]],
        "skills": list(structured["additional"]["technicalSkills"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list the misses")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}: skipped")
        return 0

    totals: Counter[str] = Counter()
    header = (
        f"{'file':<28} {'name':>5} {'email':>6} {'phone':>6} "
        f"{'employers':>10} {'titles':>8} {'schools':>8} {'skills':>8}"
    )
    print(header)
    print("-" * len(header))
    misses: list[str] = []
    files = 0
    for filename, expected in EXPECTED.items():
        path = CORPUS / filename
        if not path.is_file():
            print(f"{filename:<28} missing, skipped")
            continue
        files += 1
        structured = dict(parse_document(data=path.read_bytes(), kind="pdf").structured)
        info = structured["personalInfo"]
        name_ok = norm(info["name"]) == norm(str(expected["name"]))
        email_ok = norm(info["email"]) == norm(str(expected["email"]))
        phone_ok = re.sub(r"\D", "", info["phone"]) == re.sub(
            r"\D", "", str(expected["phone"])
        )
        totals.update(name=name_ok, email=email_ok, phone=phone_ok)
        if not name_ok:
            misses.append(f"{filename}: name {info['name']!r}")
        if not email_ok:
            misses.append(f"{filename}: email {info['email']!r}")
        if not phone_ok:
            misses.append(f"{filename}: phone {info['phone']!r}")
        cells = []
        parsed = parsed_values(structured)
        for field in LIST_FIELDS:
            wanted = list(expected[field])  # type: ignore[call-overload]
            found, missed = recall(wanted, parsed[field], loose=field == "skills")
            totals[f"{field}_found"] += found
            totals[f"{field}_expected"] += len(wanted)
            cells.append(f"{found}/{len(wanted)}")
            misses.extend(f"{filename}: {field} missed {value!r}" for value in missed)
        print(
            f"{filename:<28} {'ok' if name_ok else 'MISS':>5} "
            f"{'ok' if email_ok else 'MISS':>6} {'ok' if phone_ok else 'MISS':>6} "
            f"{cells[0]:>10} {cells[1]:>8} {cells[2]:>8} {cells[3]:>8}"
        )
    if not files:
        print("no corpus files found: skipped")
        return 0
    print("-" * len(header))

    def pct(found: int, total: int) -> str:
        return f"{100 * found / total:.0f}%" if total else "n/a"

    overall = [
        pct(totals["name"], files),
        pct(totals["email"], files),
        pct(totals["phone"], files),
        *(
            pct(totals[f"{field}_found"], totals[f"{field}_expected"])
            for field in LIST_FIELDS
        ),
    ]
    print(
        f"{'overall (' + str(files) + ' files)':<28} {overall[0]:>5} {overall[1]:>6} "
        f"{overall[2]:>6} {overall[3]:>10} {overall[4]:>8} {overall[5]:>8} "
        f"{overall[6]:>8}"
    )
    met = (
        totals["name"] == files
        and totals["email"] == files
        and totals["employers_found"] >= 0.9 * totals["employers_expected"]
        and totals["schools_found"] >= 0.9 * totals["schools_expected"]
    )
    print(
        "targets (name, email exact everywhere; employers, schools >= 90%): "
        + ("met" if met else "NOT met")
    )
    if misses and (args.verbose or not met):
        print("\nmisses:")
        for miss in misses:
            print(f"  {miss}")
    elif misses:
        print(f"({len(misses)} misses; --verbose lists them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
