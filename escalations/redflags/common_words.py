"""Everyday words one edit away from a flag word: never read as typos (issue 15, after round 11).

``vocabulary.NOT_TYPOS`` takes these in. A word here still takes its class when it is a class
word itself or shares a class word's stem; only the one-typo reading is refused ("what" is not
"wheat", "would" not "wound", "waiting" not "writing", "hasta" not "harta", "lunes" not
"luces"). Function words and frequent words of both languages, not a text's words: a word
that is a common misspelling of a flag word ("tried" for "tired", "caigo") stays out.
"""

from __future__ import annotations

__all__ = ["COMMON_WORDS"]

COMMON_WORDS: frozenset[str] = frozenset(
    str.split(
        # English function words and frequent words
        "what when then than that this with have from they them were been will would could "
        "should there their where which while about after also only into over some such very "
        "your just like know want need take make come going said says much many more most "
        "other these those well here back even away down made each both same long little good "
        "great first last next before under between through during today tomorrow thank "
        "thanks does doing done waiting saying acting feeding couch shower singing slight "
        "killer leaning peeing white reads line lined info table cleaned daily print fees "
        "liver flight starving planes steak scratchy shallow bowl operation chile closer "
        "mowing burst starter shaving tick ticks ticked"
        # Spanish
        " que como pero para porque cuando donde esta estoy tengo tiene hace desde hasta "
        "sobre entre todo cada mucho poco otra otro mismo bien solo sola ahora antes despues "
        "luego siempre nunca tambien tanto casa cosa cosas dice dijo hacer puede puedo quiero "
        "saber veces semana cuenta lunes horas quede quedo sueno entiende llena lleva ratas "
        "hondo mando corre comida enero visita frente linea carro broma partio chamo contar "
        "pelando varias pasas pasan pana suero fuera molido caldo quicio tiras pajar gomitas "
        "habra pegue cabron raspo carga"
    )
)
