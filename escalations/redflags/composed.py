"""Word classes and expressions for the composed patterns of issue 15's third pass (the
patterns are in ``concepts.py``; ``vocabulary.py`` merges these into ``CLASSES`` and
``EXPRESSIONS``).

Each class is a systematic list for one part of a composition, not the words of a seen text:

* self-harm as intent + means + finality: ``MEANS`` (rope, gun, bridge …), ``FINALITY`` ("I'm
  done", goodbye letters, "can't go on", "sin salida"), ``GO_ON`` ("keep going", "seguir");
* a symptom with a severity or urgency cue: ``URGENT`` (911, the ER, urgencias), ``FLOW``
  (spurting, a chorros) with a ``WOUND``, ``DOUBLED`` + ``DOSE``, ``OVERDID`` ("me pasé con"),
  ``EXCESS_UNKNOWN`` ("no sé cuántas");
* a described sign: ``STOOL`` + ``BLACK_TARRY``, an ``ALLERGEN`` (food, sting) with swelling
  (``PUFF``), ``FAINTISH`` in pregnancy, ``FEEL`` the baby move, ``BREATHE_IN`` ("jalar aire").
"""

from __future__ import annotations

__all__ = ["COMPOSED_CLASSES", "COMPOSED_EXPRESSIONS"]

# name → (English words, Spanish words), space-separated, as vocabulary.CLASSES
COMPOSED_CLASSES: dict[str, tuple[str, str]] = {
    # the means of self-harm
    "MEANS": (
        "rope noose gun guns pistol rifle shotgun firearm razor razors blade blades knife "
        "belt cord bridge ledge",
        "cuerda soga lazo pistola arma escopeta rifle navaja navajas cuchilla cuchillo cinturon "
        "puente cornisa",
    ),
    # a farewell or the end of the road ("I'm done", "goodbye letters", "sin salida")
    "FINALITY": (
        "done goodbye goodbyes farewell letters letter note notes over enough final forgive",
        "despedida despedirme despido adios cartas carta salida aguanto final =perdonen =perdoname",
    ),
    # going on living ("any reason to keep going", "no le veo caso a seguir")
    "GO_ON": ("going continue continuing carry", "seguir continuar adelante"),
    # a wound that bleeds ("cut my hand … it's spurting"); FLOW: blood leaving fast
    "WOUND": (
        "cut cuts gash wound wounds laceration stab stabbed sliced",
        "cortada cortadura herida heridas corte corte navajazo apunalado",
    ),
    "FLOW": (
        "spurting squirting gushing pouring spraying streaming soaked soaking",
        "chorros chorro brota brotando empapado empapada empapo chisguetea",
    ),
    # black or tarry stool, coffee-ground vomit: bleeding inside
    "STOOL": ("stool stools poop poo bm bowel feces", "heces popo caca evacuaciones excremento"),
    "BLACK_TARRY": ("black tarry tar maroon", "negro negra negras negros alquitran"),
    # a dose taken twice or more
    "DOSE": ("dose doses dosage", "dosis"),
    "DOUBLED": ("doubled tripled doubling double triple twice", "doble triple duplique dos"),
    "OVERDID": ("overdid overdone", ""),
    # what a severe allergic reaction follows: a food or a sting
    "ALLERGEN": (
        "peanut peanuts nut nuts shrimp shellfish seafood prawns crab lobster bee wasp hornet "
        "sting stung sesame",
        "cacahuate cacahuates mani nuez nueces mariscos camaron camarones abeja avispa "
        "picadura pico ajonjoli",
    ),
    "PUFF": ("puffing puff puffs ballooning", "inflando inflada inflado"),
    "FAINTISH": (
        "faint fainting fainted dizzy lightheaded woozy",
        "desmayo desmayar desmayarme mareada mareado desvanecer",
    ),
    # a call for help now: with a symptom class, a flag (chest, bleeding, breathing)
    "URGENT": (
        "911 ambulance er emergency urgent asap",
        "911 ambulancia urgencias emergencia urgente",
    ),
    "FEEL": ("felt feel feeling", "siento senti sentido sentir"),
    # an asthma attack, a rescue medicine that does not help
    "ASTHMA": ("asthma asthmatic", "asma asmatico asmatica"),
    "RESCUE": ("inhaler puffer nebulizer neb albuterol", "inhalador bomba nebulizador salbutamol"),
    "HELPING": ("helping help helps working", "ayuda ayudando sirve funciona"),
    # an infection moving on: a red streak, redness spreading
    "SPREADING": ("spreading spread streak streaks streaking", "extendiendo extiende rayas raya"),
}

# class → exact normalised word runs, as phrases.EXPRESSIONS
COMPOSED_EXPRESSIONS: dict[str, tuple[str, ...]] = {
    "FAINTISH": ("pass out", "passing out", "black out", "blacking out"),
    "EXCESS_UNKNOWN": (
        "dont know how many",
        "not sure how many",
        "no idea how many",
        "who knows how many",
        "no se cuantas",
        "no se cuantos",
        "no sabemos cuantas",
        "no sabemos cuantos",
    ),
    "URGENT": ("call 911", "the er", "emergency room", "sala de emergencias", "llamo al 911"),
    "BREATHE_IN": (
        "jalar aire",
        "agarrar aire",
        "tomar aire",
        "catch my breath",
        "catch her breath",
        "catch his breath",
    ),
    "OVERDID": ("me pase con", "me pase de", "me excedi con", "se paso con", "went overboard with"),
    "FINALITY": (
        "cant go on",
        "can not go on",
        "no way out",
        "no point",
        "ya no puedo mas",
        "ya no aguanto",
        "no aguanto mas",
        "sin salida",
        "this is the end",
        "say goodbye",
    ),
    "GO_ON": ("keep going", "go on", "carry on", "seguir adelante", "seguir viviendo"),
}
