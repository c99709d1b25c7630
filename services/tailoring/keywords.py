"""Offline keyword extraction from job descriptions.

This module owns the curated skill and domain vocabulary (with aliases), the
term finder shared with resume matching (`find_terms`, `term_canonical`), and
`extract_keywords`, which turns a job description into `JobKeywords`: required
and preferred skills, other salient domain keywords, key responsibilities, the
years of experience asked for, the seniority level, the skills its title names
(its role) and the groups of skills it lists as alternatives ("Vitest or
Jest"). Terms naming collaborators ("with data science teams") are not skills.
Everything here is deterministic and works without network access.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

__all__ = [
    "JobKeywords",
    "extract_keywords",
    "find_terms",
    "is_skill",
    "term_canonical",
    "tokenize",
]

# One entry a line: "Canonical|alias|alias" (a line starting with "|" adds
# aliases to the entry above). The canonical name is an alias itself. An alias
# starting with "=" is matched case-sensitively (for words that are also
# ordinary English: "Spark", "Swift", "Excel"...). Go and R are handled apart
# (see `_context_terms`).
_SKILLS = """
Python|py
Java
JavaScript|js|es6|ecmascript|javascript (es6+)
TypeScript|ts
C++|cpp
C#|csharp|c sharp
.NET|dotnet|.net core|asp.net
Ruby
=Rust
Kotlin
=Swift
Objective-C|objc
Scala
PHP
Perl
Elixir
Erlang
Haskell
Clojure
Dart
Lua
MATLAB
Julia
Bash|shell scripting
PowerShell
Visual Basic|vba|vb.net
Apps Script|appscript|app script|google apps script
SQL
NoSQL
PL/SQL
T-SQL
HTML|html5|semantic html
CSS|css3
HTML/CSS
Sass|scss
Less
Tailwind CSS|tailwind|tailwindcss
Bootstrap
CSS-in-JS|styled-components|emotion css
React|react.js|reactjs
React Native
Redux
MobX
Zustand
Vuex
Pinia
NgRx
Next.js|nextjs
Vue.js|vue|vuejs
Nuxt.js|nuxt
Angular|angularjs|angular.js
Svelte
jQuery
Node.js|node|nodejs
=Express.js|expressjs|=Express
NestJS|nest.js
Deno
D3.js|d3
Webpack
Vite
Babel
Storybook
Jest
Vitest
Mocha
Cypress
Playwright
Selenium
JUnit
Mockito
pytest
GraphQL
REST APIs|rest|rest api|restful|restful api|restful apis|restful services
gRPC
WebSockets|websocket
Django|django rest framework|drf
Flask
FastAPI
=Spring|spring framework
Spring Boot
Spring MVC
Hibernate
J2EE|java ee|jakarta ee
Ruby on Rails|rails
Laravel
ASP.NET MVC
PostgreSQL|postgres|psql
MySQL
SQLite
SQL Server|mssql|microsoft sql server
=Oracle|oracle database|oracle db
MongoDB|mongo
Redis
Cassandra
DynamoDB
Elasticsearch|elastic search
Snowflake
BigQuery
Firebase|firebase auth
Firestore
Supabase
Neo4j
Kafka|apache kafka
RabbitMQ
Celery
=Spark|apache spark|pyspark
Hadoop
Airflow|apache airflow
dbt
Dask
=Ray
Flink
AWS|amazon web services
Azure|microsoft azure
Google Cloud Platform|gcp|google cloud
ECS|amazon ecs
EKS
Lambda|aws lambda
S3|amazon s3
RDS|amazon rds
ElastiCache
SageMaker|amazon sagemaker
Heroku
Vercel
Docker|containerization|containers
Kubernetes|k8s
Helm
Terraform
Ansible
CI/CD|ci cd|continuous integration|continuous delivery|continuous deployment
GitHub Actions
CircleCI
Jenkins
GitLab CI
Git
GitHub
GitLab
Linux|unix
Nginx
Datadog
Prometheus
Grafana
OpenTelemetry
Sentry
Observability
Microservices|microservice|micro-services
Serverless
Event-driven architecture|event-driven|event driven
Distributed systems
System design
Machine Learning|ml|machine learning basics
Deep Learning
Natural Language Processing|nlp
Computer Vision
Large Language Models|llm|llms
Generative AI|genai|gen ai
Reinforcement learning
Statistics|statistical analysis
Data visualization|data visualisation
Data Analysis|data analytics|data analyst
Data science|data scientist
Data engineering
Data pipelines|data pipeline|etl|data processing pipelines|data processing pipeline
Feature stores|feature store
Model registries|model registry
MLOps
Model monitoring|ml monitoring
Time series analysis|time series
PyTorch|torch
TensorFlow|tf
Keras
scikit-learn|sklearn|scikit learn
Hugging Face|huggingface|hugging face transformers
XGBoost
LightGBM
pandas
NumPy
SciPy
Jupyter|jupyter notebooks
MLflow
Kubeflow
Feast
Tecton
=Triton|triton inference server
Evidently
WhyLogs
LangChain
OpenAI API
Tableau
Power BI|powerbi
Looker
Looker Studio|data studio|datastudio|google data studio
=Excel|microsoft excel
Google Analytics
Mixpanel
Amplitude
Segment
Jira
Confluence
Figma
Sketch
Notion
Agile|agile methodologies|agile development|agile methodology|metodologías ágiles
Scrum
Kanban
Test-Driven Development|tdd|test driven development
Unit testing|unit tests|unit test|pruebas unitarias
End-to-end testing|e2e testing|end-to-end tests
Code review|code reviews|revisión de código
Accessibility|wcag|a11y|accessible|web accessibility|=ARIA
|screen reader|screen readers|keyboard navigation
Responsive design|responsive web design|responsive|mobile first
UI/UX|ui ux|ux/ui
UX design|user experience design|user experience|ux
UI design|user interface design|user interfaces|user interface
Design systems|design system|component library|component libraries
Server-side rendering|ssr|server components
Web performance|core web vitals|frontend performance|web vitals
|performance budgets|performance budget
State management
Cross-browser compatibility|cross browser|browser compatibility
Single-page applications|=SPA|=SPAs|single page application
Progressive web apps|=PWA|=PWAs|progressive web app
Front-end|frontend|front end|front-end development
Back-end|backend|back end|back-end development
Full stack|full-stack|fullstack
Mobile development|mobile apps|aplicaciones móviles
Security|application security|appsec
Authentication|oauth|sso
Caching|cache
Query optimization|sql query optimization
Data modeling|data modelling|schema design
Product management|product manager|product management experience
Product strategy|product strategies|product vision
Roadmapping|roadmap|product roadmap|roadmaps
Stakeholder management|stakeholders|stakeholder|align stakeholders
A/B testing|ab testing|a/b tests|a/b test|split testing
Experimentation|experimentation frameworks
User research|customer discovery|customer interviews|user interviews
|usability testing|user testing
Market research
Competitive analysis|competitive research|competitor analysis|competitive landscape
Backlog prioritization|backlog|prioritization|prioritisation
PRDs|prd|product requirements documents|product requirements|product requirement
|product specs|product specifications
OKRs|okr|objectives and key results
KPIs|kpi|key performance indicators|key performance indicator
Go-to-market|go to market|go-to-market strategy|gtm
Sprint planning
Product discovery
Analytics|product analytics|analytics tools
Funnel analysis|funnel
NPS|net promoter score
Project management|gestión de proyectos
Cross-functional collaboration|cross-functional|cross functional
Communication|written communication|communication skills|comunicación
Leadership|team leadership
Mentoring|mentorship
Teamwork|trabajo en equipo|trabajar en equipo
Problem solving|problem-solving
Strategic thinking
"""

# Salient non-skill terms: domains, business models, qualities of systems.
_DOMAIN = """
payments|payment
SaaS
B2B
B2C
API|apis
e-commerce|ecommerce
fintech
banking|banca|bancario
healthcare
marketplace
consumer
scalability|scalable|escalable
reliability
performance|rendimiento
latency|latency-sensitive
high-throughput|throughput
real-time|realtime
on-call
inference
deployment|deploy|despliegue
architecture|arquitectura
databases|database|bases de datos
web applications|web application|web app|aplicaciones web
startup
open source|open-source
AI|artificial intelligence
automation
dashboards|dashboard|tableros
reporting|reports|reportes
customer experience|experiencia del cliente
innovation|innovación
"""


def _spec(text: str) -> list[list[str]]:
    entries: list[list[str]] = []
    for line in text.strip().splitlines():
        if line.startswith("|") and entries:
            entries[-1].extend(line[1:].split("|"))
        elif line.strip():
            entries.append(line.split("|"))
    return entries


def _norm(text: str) -> str:
    """Lower case, runs of spaces and hyphens as one space."""
    return re.sub(r"[\s\-]+", " ", text.strip().lower())


_BEFORE = r"(?<![\w+#./&])"
_AFTER = r"(?![\w+#&]|\.\w|/\w)"


def _alias_regex(alias: str) -> str:
    parts = re.split(r"[\s\-]+", alias.strip())
    return r"[\s\-]*".join(re.escape(part) for part in parts)


@dataclass(frozen=True)
class _Vocabulary:
    canonical: dict[str, str]  # normalised alias -> canonical
    skills: frozenset[str]
    insensitive: re.Pattern[str]
    sensitive: re.Pattern[str]


def _pattern(aliases: list[str], flags: int) -> re.Pattern[str]:
    ordered = sorted(set(aliases), key=lambda a: (-len(a), a))
    body = "|".join(_alias_regex(alias) for alias in ordered)
    return re.compile(f"{_BEFORE}(?:{body}){_AFTER}", flags)


@functools.cache
def _vocabulary() -> _Vocabulary:
    canonical: dict[str, str] = {}
    skills: set[str] = set()
    loose: list[str] = []
    strict: list[str] = []
    for kind, spec in (("skill", _SKILLS), ("domain", _DOMAIN)):
        for entry in _spec(spec):
            name = entry[0].lstrip("=")
            if kind == "skill":
                skills.add(name)
            for raw in entry:
                alias = raw.lstrip("=")
                (strict if raw.startswith("=") else loose).append(alias)
                canonical.setdefault(_norm(alias), name)
    return _Vocabulary(
        canonical=canonical,
        skills=frozenset(skills) | {"Go", "R"},
        insensitive=_pattern(loose, re.IGNORECASE),
        sensitive=_pattern(strict, 0),
    )


# Go and R: only as standalone capitalised words in a list-like skills context
# ("Python, Go and Rust", "in Go", "(R)"); never "go to market", "Go-to-market",
# "R&D", "R-squared" or a sentence starting "Go ...".
_CONTEXT_BEFORE = r"(?:(?<=[,(/:;•·|])|(?<=[,(/:;•·|]\s)|(?<=\band\s)|(?<=\bor\s)|(?<=\bin\s)|(?<=\bwith\s)|(?<=\busing\s)|(?<=^))"  # noqa: E501
_CONTEXT_AFTER = r"(?=\s*[,/);|]|\s+(?:and|or)\b|\s*\.?\s*$|\.\s)"
_GO_R = re.compile(
    rf"{_CONTEXT_BEFORE}(?<![\w+#.&-])(Go|Golang|golang|R)(?![\w+#&'\-])"
    rf"(?!\s+to\b){_CONTEXT_AFTER}",
    re.MULTILINE,
)


def _context_terms(text: str) -> list[tuple[int, int, str]]:
    found = []
    for match in _GO_R.finditer(text):
        word = match.group(1)
        found.append((match.start(1), match.end(1), "R" if word == "R" else "Go"))
    return found


# A term naming the people one works with is not a skill one claims: "alongside
# engineering, data science and go-to-market teams", "with back-end developers",
# "with a team of engineers, product managers and UX designers". The list must
# end with "and"/"or"/"&" when it has several items, and its words are not
# function words, so "with Python or Go as back-end engineer" stays a claim.
_LIST_WORD = (
    r"(?!(?:and|or|as|a|an|the|in|on|for|to|of|at|by|from|using|via|into|our"
    r"|your|their|other|who|which|that)\b)[\w./+#'-]+"
)
_CHUNK = rf"{_LIST_WORD}(?:[ \t]+{_LIST_WORD}){{0,2}}"
_LAST_SEP = r"\s*,?\s+(?:and|or)\s+|\s+&\s+"
_ANY_SEP = rf"\s*,\s*|{_LAST_SEP}"
_COLLABORATORS = re.compile(  # bounded: at most six items, no nested ambiguity
    r"\b(?:with|alongside)\s+(?:(?:the|our|other|fellow|a|an)\s+)*"
    r"(?:(?:team|group)s?\s+of\s+)?"
    rf"(?P<list>{_CHUNK}(?:(?:(?:{_ANY_SEP}){_CHUNK}){{0,4}}(?:{_LAST_SEP}){_CHUNK})?)"
    r"\s+(?:teams?|developers?|engineers?|designers?|managers?|scientists?"
    r"|analysts?|researchers?|specialists?|counterparts|colleagues|partners"
    r"|peers)\b",
    re.IGNORECASE,
)
# Terms that describe the collaboration itself ("with cross-functional teams").
_COLLABORATION = frozenset({"Cross-functional collaboration"})
# A vendor named as the issuer of a certification is not its product: "Oracle
# Certified Professional, Java SE 8 Programmer" shows Java, not Oracle Database.
_ISSUER = re.compile(r"\s+(?:Certified|Certification)\b", re.IGNORECASE)
_ISSUERS = frozenset({"Oracle"})


def _term_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, canonical) of each vocabulary term in `text`, in order,
    without overlaps (the longer alias wins), collaborators and issuers."""
    vocab = _vocabulary()
    spans: list[tuple[int, int, str]] = []
    for pattern in (vocab.insensitive, vocab.sensitive):
        for match in pattern.finditer(text):
            name = vocab.canonical.get(_norm(match.group(0)))
            if name in _ISSUERS and _ISSUER.match(text, match.end()):
                continue
            if name is not None:
                spans.append((match.start(), match.end(), name))
    spans.extend(_context_terms(text))
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    masked = [m.span("list") for m in _COLLABORATORS.finditer(text)]
    out: list[tuple[int, int, str]] = []
    end = -1
    for start, stop, name in spans:
        if start < end:
            continue
        end = stop
        if name not in _COLLABORATION and any(
            lo <= start and stop <= hi for lo, hi in masked
        ):
            continue
        out.append((start, stop, name))
    return out


def find_terms(text: str) -> list[str]:
    """Canonical vocabulary terms (skills and domain words) found in `text`, by
    first appearance, each once. Longer aliases win over the shorter ones they
    contain ("SQL Server" is not also "SQL"). Terms naming collaborators ("with
    data science teams", "with back-end developers") and a vendor named as a
    certification's issuer ("Oracle Certified ...") are left out."""
    return list(dict.fromkeys(name for _, _, name in _term_spans(text)))


def term_canonical(term: str) -> str:
    """The canonical name of `term` when it is a known alias, else `term`."""
    if term in ("Go", "golang", "Golang"):
        return "Go"
    return _vocabulary().canonical.get(_norm(term), term.strip())


def is_skill(term: str) -> bool:
    """Whether canonical `term` is a skill (rather than a domain keyword)."""
    return term in _vocabulary().skills


_TOKEN = re.compile(
    r"A/B testing|CI/CD|UI/UX|PL/SQL|HTML/CSS|\.NET|[A-Za-z][\w]*(?:[.+#][\w+#]*)*"
    r"(?:\.(?:js|NET|net))?"
)


def tokenize(text: str) -> list[str]:
    """Words of `text` keeping technical tokens whole: C++, C#, .NET, Node.js,
    CI/CD, A/B testing, Go, R."""
    return [token.rstrip(".") or token for token in _TOKEN.findall(text)]


# ------------------------------------------------------------------ structure


@dataclass(frozen=True)
class JobKeywords:
    required_skills: list[str]
    preferred_skills: list[str]
    keywords: list[str]
    key_responsibilities: list[str]
    experience_years: int | None
    seniority_level: str | None
    # The skills the posting's title names, its role ("Front-end" for "Senior
    # Frontend Engineer"); they are required skills too.
    role_terms: list[str] = field(default_factory=list)
    # Interchangeable skills ("Vitest or Jest", "Amplitude, Mixpanel, or
    # Looker"): each group is one requirement any member meets.
    alternatives: list[list[str]] = field(default_factory=list)


_HEADINGS: list[tuple[str, str]] = [
    (
        "preferred",
        r"nice to haves?|preferred(?: qualifications| skills)?|bonus(?: points)?"
        r"|pluses|deseables?|valorable",
    ),
    (
        "required",
        r"requirements|required(?: skills| qualifications)?|qualifications"
        r"|must haves?|what you(?:'ll)? (?:need|bring)|who you are|about you"
        r"|you have|skills|requisitos|perfil",
    ),
    (
        "responsibilities",
        r"responsibilities|key responsibilities|what you(?:'ll)? do|the role"
        r"|your role|day[- ]to[- ]day|duties|responsabilidades|funciones",
    ),
    (
        "ignore",
        r"benefits|perks|what we offer|about us|about the company|who we are"
        r"|how to apply|beneficios|sobre nosotros|c[oó]mo aplicar|ofrecemos",
    ),
    (
        "intro",
        r"about the role|descripci[oó]n del trabajo|job description|description"
        r"|overview|puesto de trabajo",
    ),
]
_HEADING = re.compile(
    r"^\s*(?:#+\s*)?(?P<name>"
    + "|".join(f"(?P<{kind}_{i}>{rx})" for i, (kind, rx) in enumerate(_HEADINGS))
    + r")\s*(?::|$)\s*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[•·▪●◦*\-\u2013\u2014]|\d+[.)])\s+")
_PREFERRED = re.compile(
    r"\b(?:nice to have|preferred|preferably|bonus|a plus|plus|desirable|ideally|"
    r"appreciated|advantage|deseable|valorable|se valorar[aá])\b",
    re.IGNORECASE,
)
_REQUIRED = re.compile(
    r"\b(?:must|required|requirements?|you have|qualifications|essential|"
    r"requisitos?|imprescindible)\b",
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"^(?:you will\s+|you'll\s+)?(?:build|design|develop|own|lead|drive|define|"
    r"collaborate|implement|maintain|write|partner|work|manage|mentor|create|"
    r"deliver|ship|author|facilitate|present|prioriti[sz]e|analy[sz]e|improve|"
    r"optimi[sz]e|deploy|architect|support|research|coordinate|establish|"
    r"desarrollar|colaborar|mantener|participar|apoyar|contribuir|realizar)\b",
    re.IGNORECASE,
)


@dataclass
class _Item:
    mode: str
    text: str
    bullet: bool


def _items(text: str) -> list[_Item]:
    """The description as classified pieces: bullets, or sentences of prose,
    each with the section mode it sits in."""
    items: list[_Item] = []
    mode = "intro"
    prose: list[str] = []
    bullet: list[str] | None = None

    def flush() -> None:
        nonlocal bullet
        if bullet is not None:
            items.append(_Item(mode, " ".join(bullet).strip(), True))
            bullet = None
        if prose:
            joined = " ".join(prose)
            for part in re.split(r"(?<=[.!?;])\s+(?=[A-Z(¿¡])|;\s*", joined):
                if part.strip():
                    items.append(_Item(mode, part.strip(), False))
            prose.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
            continue
        heading = _HEADING.match(line)
        if heading is not None:
            flush()
            for key, value in heading.groupdict().items():
                if value and key != "name":
                    mode = key.rsplit("_", 1)[0]
                    break
            line = line[heading.end() :]
            if not line.strip():
                continue
        if _BULLET.match(line):
            flush()
            bullet = [_BULLET.sub("", line, count=1).strip()]
        elif bullet is not None:
            bullet.append(line.strip())
        else:
            prose.append(line.strip())
    flush()
    return items


_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
}
_NUM = r"(\d{1,2}|" + "|".join(_NUMBERS) + r")"
_YEARS = re.compile(
    rf"\b{_NUM}\s*\+?\s*(?:(?:-|\u2013|to)\s*{_NUM}\s*\+?\s*)?(?:years?|yrs?|años)\b",
    re.IGNORECASE,
)


def _experience_years(text: str) -> int | None:
    first: int | None = None
    for match in _YEARS.finditer(text):
        value = match.group(1).lower()
        years = int(value) if value.isdigit() else _NUMBERS[value]
        if years > 30:
            continue
        context = text[match.end() : match.end() + 60].lower()
        if "experience" in context or "experiencia" in context or " of " in context:
            return years
        if first is None:
            first = years
    return first


_SENIORITY: list[tuple[str, str]] = [
    (
        "Intern",
        r"\bintern(?:ship)?s?\b|\btrainee\b|\bpracticantes?\b|\bpr[aá]cticas\b"
        r"|\bestudiantes?\b",
    ),
    ("Junior", r"\bjunior\b|\bjr\.?(?=\s)|\bentry[- ]level\b|\bgraduate\b"),
    ("Mid", r"\bmid[- ]level\b|\bmid[- ]senior\b|\bintermediate\b"),
    ("Senior", r"\bsenior\b|\bsr\.?(?=\s)"),
    ("Staff", r"\bstaff (?=engineer|software|developer|data|scientist)"),
    (
        "Principal",
        r"\bprincipal (?=engineer|software|developer|data|scientist|product"
        r"|architect|designer)",
    ),
    ("Lead", r"\b(?:tech|team|technical) lead\b|\bLead (?=[A-Z])"),
    ("Director", r"\bdirector\b|\bhead of\b|\bvp\b"),
    (
        "Manager",
        r"\b(?:engineering|development|team|people|general) manager\b|"
        r"\bmanager,? (?:of|engineering)\b",
    ),
]


def _seniority(text: str) -> str | None:
    """The level named in the title (first line) or the role sentence, else the
    first level named anywhere."""
    lines = [line for line in text.splitlines() if line.strip()]
    title = lines[0] if lines else ""
    role = re.search(
        r"(?:looking for|hiring|seeking|searching for|join us as|buscando|"
        r"b[uú]squeda de)\s+(?:an?\s+|un[a]?\s+)?([^.,;:]{0,80})",
        text,
        re.IGNORECASE,
    )
    candidates = [title, role.group(1) if role else "", text]
    for chunk in candidates:
        best: tuple[int, str] | None = None
        for level, rx in _SENIORITY:
            flags = 0 if level == "Lead" else re.IGNORECASE
            hit = re.search(rx, chunk, flags)
            if hit is not None and (best is None or hit.start() < best[0]):
                best = (hit.start(), level)
        if best is not None:
            return best[1]
    return None


# Where a posting names its role: a "Job title:"/"Puesto de trabajo:" line near
# the top, a short line opening it ("Senior Backend Engineer"), or the object of
# "looking for"/"hiring"/"seeking" up to "to"/"who"/"for"... ("We are hiring a
# Senior Frontend Engineer to lead ...").
_TITLE_LABEL = re.compile(
    r"^[ \t]*(?:job[ \t]+title|position|role|title|puesto(?:[ \t]+de[ \t]+trabajo)?"
    r"|cargo|vacante)[ \t]*:[ \t]*(?P<title>\S[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
_ROLE_PHRASE = re.compile(
    r"\b(?:looking for|hiring|seeking|searching for|join us as|buscando"
    r"|b[uú]squeda de)\s+(?:an?\s+|un[a]?\s+)?"
    r"(?!(?:for|to|in|at|on|by|with|our|the|para|en|con)\b)"
    r"(?P<title>[^.,;:()!?\n]{1,80})",
    re.IGNORECASE,
)
_ROLE_END = re.compile(
    r"\s(?:to|who|for|with|that|in|at|on|and|from|para|que|con|de|en|y)\s",
    re.IGNORECASE,
)
_TITLE_MAX_WORDS = 8


def _title_candidates(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = "\n".join(lines[:5])
    out = [m.group("title") for m in _TITLE_LABEL.finditer(head)]
    for line in lines[:3]:  # "Acme Corp" / "Senior Backend Engineer" / "Remote"
        if (
            len(line.split()) > _TITLE_MAX_WORDS
            or line.endswith((".", ":", "!", "?"))
            or _HEADING.match(line) is not None
        ):
            break
        out.append(line)
    role = _ROLE_PHRASE.search(text)
    if role is not None:
        out.append(_ROLE_END.split(role.group("title"), maxsplit=1)[0])
    return out


def _role_terms(text: str) -> list[str]:
    """The skills named by the posting's title (the first place naming any)."""
    for title in _title_candidates(text):
        terms = [term for term in find_terms(title) if is_skill(term)]
        if terms:
            return terms
    return []


# Separators of interchangeable items: "A or B", "A, B, or C", "A y/o B".
_OR_GAP = re.compile(r"\s*,?\s*\b(?:or|o|u|and/or|y/o)\s*", re.IGNORECASE)
_COMMA_GAP = re.compile(r"\s*,\s*")


def _or_groups(
    text: str, spans: list[tuple[int, int, str]]
) -> tuple[list[list[str]], set[str]]:
    """Groups of skills `text` (its term `spans`) lists as alternatives ("Spark
    or Ray", "Amplitude, Mixpanel, or Looker"), and the skills it names outside
    such a list."""
    spans = [span for span in spans if is_skill(span[2])]
    chains: list[tuple[list[str], bool]] = []
    previous = -1
    for start, stop, name in spans:
        gap = text[previous:start] if chains else ""
        if chains and _OR_GAP.fullmatch(gap):
            chains[-1][0].append(name)
            chains[-1] = (chains[-1][0], True)
        elif chains and _COMMA_GAP.fullmatch(gap):
            chains[-1][0].append(name)
        else:
            chains.append(([name], False))
        previous = stop
    groups: list[list[str]] = []
    alone: set[str] = set()
    for names, has_or in chains:
        unique = list(dict.fromkeys(names))
        if has_or and len(unique) > 1:
            groups.append(unique)
        else:
            alone.update(unique)
    return groups, alone


_MAX_KEYWORDS = 25
_MAX_RESPONSIBILITIES = 10


def extract_keywords(*, job_description: str) -> JobKeywords:
    """Skills, keywords, responsibilities, years and level of a job description.

    A skill is required unless every sentence naming it reads as optional ("nice
    to have", "preferred", "bonus", "a plus") or sits in a preferred section;
    sentences naming "must"/"required"/"qualifications" are required, and so is
    anything else (the default). Text under benefits/about-us/how-to-apply
    headings is ignored for skills. Lists keep the order of first appearance.

    The skills the title names (`role_terms`) are required and come first.
    Skills listed as alternatives ("Vitest or Jest") form a group of
    `alternatives` unless one of them is also asked for on its own elsewhere.
    """
    required: list[str] = []
    preferred: list[str] = []
    keywords: list[str] = []
    responsibilities: list[str] = []
    groups: list[list[str]] = []
    alone: set[str] = set()
    for item in _items(job_description):
        if item.mode == "ignore":
            continue
        if _PREFERRED.search(item.text) and not re.search(
            r"\bnot required\b", item.text, re.IGNORECASE
        ):
            optional = True
        elif _REQUIRED.search(item.text):
            optional = False
        else:
            optional = item.mode == "preferred"
        if re.search(r"\bnot required\b", item.text, re.IGNORECASE):
            optional = True
        spans = _term_spans(item.text)
        for term in dict.fromkeys(name for _, _, name in spans):
            if not is_skill(term):
                if term not in keywords:
                    keywords.append(term)
            elif optional:
                if term not in preferred:
                    preferred.append(term)
            elif term not in required:
                required.append(term)
        item_groups, item_alone = _or_groups(item.text, spans)
        groups.extend(item_groups)
        alone |= item_alone
        if (
            item.mode == "responsibilities"
            or (item.mode == "intro" and _ACTION.match(item.text))
        ) and len(responsibilities) < _MAX_RESPONSIBILITIES:
            sentence = re.sub(r"^(?:you will|you'll)\s+", "", item.text, flags=re.I)
            sentence = sentence[:1].upper() + sentence[1:]
            if sentence not in responsibilities:
                responsibilities.append(sentence)
    role = _role_terms(job_description)
    required = role + [term for term in required if term not in role]
    preferred = [term for term in preferred if term not in required]
    return JobKeywords(
        required_skills=required,
        preferred_skills=preferred,
        keywords=keywords[:_MAX_KEYWORDS],
        key_responsibilities=responsibilities,
        experience_years=_experience_years(job_description),
        seniority_level=_seniority(job_description),
        role_terms=role,
        alternatives=_alternatives(groups, alone | set(role), required, preferred),
    )


def _alternatives(
    groups: list[list[str]], alone: set[str], required: list[str], preferred: list[str]
) -> list[list[str]]:
    """The groups left once skills asked for on their own are taken out; each
    skill in one group at most, all of a group's skills in one category."""
    out: list[list[str]] = []
    taken = set(alone)
    for group in groups:
        category = required if group[0] in required else preferred
        members = [t for t in group if t not in taken and t in category]
        if len(members) > 1:
            out.append(members)
            taken.update(members)
    return out
