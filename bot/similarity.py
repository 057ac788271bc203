"""Text similarity without a downloaded model: TF-IDF over character n-grams, across en/es/fr.

Character n-grams (3 to 5 characters, inside words, accents folded) match what word counts miss in
three languages: inflections ("resistencias", "resistance", "résistances" share ``sist``, ``esist``…)
and typos. Used to group similar contributions in the report (:mod:`bot.report.synthesis`) and to
find questions already asked on a panel (:mod:`bot.panel.duplicates`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

NGRAMS = (3, 4, 5)
MAX_DF = 0.6  # n-grams in more than this share of the texts say nothing about similarity

_URL = re.compile(r"https?://\S+|<[@#&!]?\d+>|<a?:\w+:\d+>")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

Vector = dict[str, float]


def fold(text: str) -> str:
    """Lowercase, accents removed, links and mentions dropped."""
    text = _URL.sub(" ", text.lower())
    if text.isascii():  # nothing to decompose (most English texts): skip the walk over every character
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Words a dialogue on practice uses often whose es/fr forms share few letters with the English one:
# each becomes a shared "concept" feature (``w:fear`` for fear, miedo, peur…), so the same idea in
# three languages meets. Accents folded; plural and feminine forms by prefix (see :func:`concept`).
_GLOSSARY = {
    "fear": ("miedo", "temor", "peur", "crainte"),
    "power": ("poder", "pouvoir"),
    "privilege": ("privilegio", "privilege"),
    "lose": ("perder", "perdre", "losing", "perte", "perdida"),
    "training": ("formacion", "capacitacion", "formation", "train"),
    "gender": ("genero", "genre"),
    "resistance": ("resistencia", "resist", "resiste", "resisten"),
    "time": ("tiempo", "temps"),
    "organisation": ("organizacion", "organisation", "organization", "institucion", "institution"),
    "participant": ("participante", "participant"),
    "women": ("mujer", "femme", "woman"),
    "men": ("hombre", "homme", "man"),
    "equality": ("igualdad", "egalite"),
    "change": ("cambio", "changement", "transformacion", "transformation"),
    "knowledge": ("conocimiento", "connaissance", "saber", "savoir"),
    "tool": ("herramienta", "outil"),
    "strategy": ("estrategia", "strategie"),
    "support": ("apoyo", "soutien", "appui"),
    "leader": ("lider", "dirigeant", "jefe", "chef", "direccion", "direction", "manager"),
    "money": ("dinero", "argent", "funding", "financiacion", "financement", "fondos", "fonds"),
    "resource": ("recurso", "ressource"),
    "learning": ("aprendizaje", "apprentissage"),
    "practice": ("practica", "pratique"),
    "lack": ("falta", "manque", "carencia"),
    "need": ("necesidad", "necesita", "besoin"),
    "trainer": ("formador", "formadora", "formateur", "formatrice", "facilitador", "facilitateur"),
    "violence": ("violencia", "violence"),
    "right": ("derecho", "droit"),
    "culture": ("cultura", "culture"),
    "policy": ("politica", "politique", "politic"),
    "safe": ("seguro", "segura", "securite"),
    "space": ("espacio", "espace"),
    "dialogue": ("dialogo", "dialogue"),
    "listen": ("escuchar", "ecouter"),
    "confront": ("confrontar", "enfrentar", "confronter", "affronter"),
    "openly": ("abiertamente", "ouvertement"),
    "session": ("sesion", "seance"),
}
_CONCEPT = {form: key for key, forms in _GLOSSARY.items() for form in (key, *forms)}
_CONCEPT_BOOST = 5.0  # a shared concept weighs as much as the n-grams of a whole shared word


def concept(word: str) -> str | None:
    """The glossary concept of a folded word: exact, else its longest known prefix (plurals, genders)."""
    if word in _CONCEPT:
        return _CONCEPT[word]
    for end in range(len(word) - 1, 3, -1):
        found = _CONCEPT.get(word[:end])
        if found is not None:
            return found
    return None


def ngrams(text: str) -> Counter[str]:
    """Character n-grams inside words, each word padded with spaces (scikit-learn's ``char_wb``), and the
    glossary's concepts."""
    found: list[str] = []
    for word in _WORD.findall(fold(text)):
        shared = concept(word)
        if shared is not None:
            found.append(f"w:{shared}")
        padded = f" {word} "
        found += [padded[i:i + n] for n in NGRAMS for i in range(len(padded) - n + 1)]
    return Counter(found)  # counted once, in C


def tfidf(texts: Sequence[str]) -> list[Vector]:
    """Sublinear TF-IDF vectors, L2-normalised; n-grams common to most texts are dropped."""
    counts = [ngrams(text) for text in texts]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(texts)
    # A feature every text shares cannot tell them apart (a glossary concept would otherwise dominate).
    ceiling = n if n <= 2 else n - 1 if n <= 4 else max(2, int(MAX_DF * n))
    # Each feature's weight: its idf, a concept's boosted (a gram never starts with "w:": it holds no ":").
    weight = {gram: (math.log((1 + n) / (1 + d)) + 1) * (_CONCEPT_BOOST if gram.startswith("w:") else 1.0)
              for gram, d in df.items() if d <= ceiling}
    vectors = []
    for c in counts:
        v = {gram: (1 + math.log(k)) * weight[gram] for gram, k in c.items() if gram in weight}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors.append({gram: x / norm for gram, x in v.items()})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(k, 0.0) for k, x in a.items())
