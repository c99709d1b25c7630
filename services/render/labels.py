"""Section headings of a rendered resume, per language, and the CJK font variant a
language wants (Han characters have regional glyph forms).

A language without headings here falls back to its base language, then English.
"""

from __future__ import annotations

LABEL_KEYS = (
    "summary",
    "experience",
    "projects",
    "education",
    "skills",
    "languages",
    "certifications",
    "awards",
)

LABELS: dict[str, tuple[str, ...]] = {
    "en": (
        "Summary",
        "Experience",
        "Projects",
        "Education",
        "Skills",
        "Languages",
        "Certifications",
        "Awards",
    ),
    "de": (
        "Profil",
        "Berufserfahrung",
        "Projekte",
        "Ausbildung",
        "Kenntnisse",
        "Sprachen",
        "Zertifizierungen",
        "Auszeichnungen",
    ),
    "fr": (
        "Profil",
        "Expérience professionnelle",
        "Projets",
        "Formation",
        "Compétences",
        "Langues",
        "Certifications",
        "Distinctions",
    ),
    "es": (
        "Perfil",
        "Experiencia",
        "Proyectos",
        "Formación",
        "Habilidades",
        "Idiomas",
        "Certificaciones",
        "Premios",
    ),
    "it": (
        "Profilo",
        "Esperienza",
        "Progetti",
        "Formazione",
        "Competenze",
        "Lingue",
        "Certificazioni",
        "Premi",
    ),
    "nl": (
        "Profiel",
        "Werkervaring",
        "Projecten",
        "Opleiding",
        "Vaardigheden",
        "Talen",
        "Certificeringen",
        "Prijzen",
    ),
    "zh": (
        "个人简介",
        "工作经历",
        "项目经历",
        "教育背景",
        "专业技能",
        "语言能力",
        "证书与培训",
        "荣誉奖项",
    ),
    "zh-hant": (
        "個人簡介",
        "工作經歷",
        "專案經歷",
        "教育背景",
        "專業技能",
        "語言能力",
        "證照與培訓",
        "榮譽獎項",
    ),
    "ja": (
        "概要",
        "職歴",
        "プロジェクト",
        "学歴",
        "スキル",
        "語学",
        "資格",
        "受賞歴",
    ),
    "ko": (
        "요약",
        "경력",
        "프로젝트",
        "학력",
        "기술",
        "어학",
        "자격증",
        "수상 경력",
    ),
}

_TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def _traditional(tag: str) -> bool:
    return any(tag == t or tag.startswith(t + "-") for t in _TRADITIONAL)


def labels(language: str) -> dict[str, str]:
    tag = language.lower()
    base = tag.split("-", 1)[0]
    key = "zh-hant" if base == "zh" and _traditional(tag) else base
    return dict(zip(LABEL_KEYS, LABELS.get(key, LABELS["en"]), strict=True))


def cjk_variant(language: str) -> str:
    """The Noto CJK family suffix for a language: SC, TC, HK, JP or KR."""
    tag = language.lower()
    base = tag.split("-", 1)[0]
    if base == "ja":
        return "JP"
    if base == "ko":
        return "KR"
    if base == "zh" and (tag.startswith("zh-hk") or tag.startswith("zh-mo")):
        return "HK"
    if base == "zh" and _traditional(tag):
        return "TC"
    return "SC"
