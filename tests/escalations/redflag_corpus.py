"""The first red-flag corpus: synthetic patient messages (SMS / portal style) in English and
Spanish, and what the built-in concepts (escalations.redflags.vocabulary) must make of them.
Kept as a regression list beside the evaluation corpus
(``escalations/redflags/data/red_flag_corpus/*.tsv``, scored by ``bench/red_flags_eval.py``);
the pathway kind a text must reach is the concepts' routing.

No real people: every text is invented. Three lists:

* ``HITS`` — red flags that must be found, with the pathway kind(s) they must reach;
* ``BENIGN`` — everyday texts, some close to a red flag in wording, that must NOT hit;
* ``KNOWN_FALSE_ALARMS`` — benign texts that DO hit, kept to document the accepted cost: a missed
  red flag is worse than a false alarm, so figures of speech containing a listed phrase escalate.

A text moves from ``BENIGN`` to ``KNOWN_FALSE_ALARMS`` only after a review of the vocabulary; it
never stays in ``BENIGN`` by weakening it.
"""

from __future__ import annotations

from escalations.choices import PathwayKind

NURSE = PathwayKind.NURSE_TRIAGE.value
BEHAVIORAL = PathwayKind.BEHAVIORAL_HEALTH.value

# (language, text, kinds that must be among the hits)
HITS: tuple[tuple[str, str, frozenset[str]], ...] = (
    # --- English ---
    ("en", "MY CHEST HURTS, chest-pain since 2am!!", frozenset({NURSE})),
    ("en", "I cant breathe", frozenset({NURSE})),
    ("en", "can\u2019t breathe", frozenset({NURSE})),
    ("en", "I can not breathe, please hurry", frozenset({NURSE})),
    ("en", "i cant breath", frozenset({NURSE})),
    ("en", "CANT CATCH MY BREATH", frozenset({NURSE})),
    ("en", "trouble breathing\nplease call back ASAP", frozenset({NURSE})),
    ("en", "shortness of breath when I walk to the mailbox, getting worse", frozenset({NURSE})),
    ("en", "I cannot breathe and my chest is tight", frozenset({NURSE})),
    ("en", "chest pain and shortness of breath", frozenset({NURSE})),
    ("en", "Having crushing chest pressure and my left arm is numb", frozenset({NURSE})),
    ("en", "pain in my chest when I breathe in", frozenset({NURSE})),
    ("en", "I think I am having a heart attack", frozenset({NURSE})),
    ("en", "my husband is having a stroke i think, his face is drooping", frozenset({NURSE})),
    ("en", "Dad's speech is slurred and he seems confused", frozenset({NURSE})),
    ("en", "sudden weakness in my left arm and leg", frozenset({NURSE})),
    ("en", "Mom passed out in the kitchen and won\u2019t wake up", frozenset({NURSE})),
    ("en", "he's unresponsive!!!", frozenset({NURSE})),
    ("en", "my son had a seizure at school today", frozenset({NURSE})),
    ("en", "Her lips are blue!!! pls call", frozenset({NURSE})),
    ("en", "my baby is choking", frozenset({NURSE})),
    ("en", "coughing up blood this morning", frozenset({NURSE})),
    ("en", "vomiting blood, what do I do", frozenset({NURSE})),
    ("en", "bleeding heavily after the procedure yesterday", frozenset({NURSE})),
    ("en", "My throat is closing after the new antibiotic", frozenset({NURSE})),
    ("en", "severe allergic reaction to the shot, hives everywhere", frozenset({NURSE})),
    ("en", "took too many pills 😢", frozenset({NURSE})),
    ("en", "I think I overdosed on my insulin", frozenset({NURSE})),
    ("en", "I took an OVERDOSE of my sleeping pills", frozenset({NURSE})),
    ("en", "worst headache of my life, came on suddenly", frozenset({NURSE})),
    ("en", "no chest pain but my arm is numb and I feel awful", frozenset({NURSE})),
    ("en", "I don't know if it's chest pain or just stress", frozenset({NURSE})),
    ("en", "i want to kill myself", frozenset({BEHAVIORAL})),
    ("en", "I'm going to end my life tonight", frozenset({BEHAVIORAL})),
    ("en", "been feeling suicidal again since the new dose", frozenset({BEHAVIORAL})),
    ("en", "I don\u2019t want to live anymore", frozenset({BEHAVIORAL})),
    ("en", "everyone would be better off without me", frozenset({BEHAVIORAL})),
    ("en", "I keep cutting myself and I can't stop", frozenset({BEHAVIORAL})),
    ("en", "i wanna die", frozenset({BEHAVIORAL})),
    ("en", "no reason to live since my wife passed", frozenset({BEHAVIORAL})),
    ("en", "thinking about suicide a lot lately", frozenset({BEHAVIORAL})),
    ("en", "I want to hurt myself", frozenset({BEHAVIORAL})),
    ("en", "took too many pills, I want to die", frozenset({NURSE, BEHAVIORAL})),
    # --- Spanish ---
    ("es", "tengo dolor de pécho y me falta el aire", frozenset({NURSE})),
    ("es", "me duele el pecho desde anoche", frozenset({NURSE})),
    ("es", "mi esposo tiene dolor en el pecho y suda mucho", frozenset({NURSE})),
    ("es", "dolores de pecho otra vez!!", frozenset({NURSE})),
    ("es", "PRESION EN EL PECHO y falta de aire", frozenset({NURSE})),
    ("es", "creo que es un infarto", frozenset({NURSE})),
    ("es", "mi papá tuvo un ataque al corazón", frozenset({NURSE})),
    ("es", "NO PUEDO RESPIRAR", frozenset({NURSE})),
    ("es", "no puede respirar mi bebé", frozenset({NURSE})),
    ("es", "le falta el aire a mi abuela", frozenset({NURSE})),
    ("es", "tengo dificultad para respirar", frozenset({NURSE})),
    ("es", "me estoy ahogando", frozenset({NURSE})),
    ("es", "mi papa tiene la boca torcida, creo que es un derrame cerebral", frozenset({NURSE})),
    ("es", "creo que le dio una embolia", frozenset({NURSE})),
    ("es", "mi hijo tuvo una convulsión en la escuela", frozenset({NURSE})),
    ("es", "Mi mamá se desmayó y no despierta", frozenset({NURSE})),
    ("es", "está inconsciente!!", frozenset({NURSE})),
    ("es", "sangrado abundante después de la cirugía", frozenset({NURSE})),
    ("es", "mi hija está sangrando mucho", frozenset({NURSE})),
    ("es", "estoy vomitando sangre", frozenset({NURSE})),
    ("es", "se me cierra la garganta con la medicina nueva", frozenset({NURSE})),
    ("es", "reacción alérgica grave a la inyección", frozenset({NURSE})),
    ("es", "tomé demasiadas pastillas 😢", frozenset({NURSE})),
    ("es", "sobredosis de mi hija", frozenset({NURSE})),
    ("es", "creo que mi hijo está envenenado", frozenset({NURSE})),
    ("es", "no tengo dolor de pecho pero el brazo está dormido", frozenset({NURSE})),
    ("es", "Quiero morir.", frozenset({BEHAVIORAL})),
    ("es", "Quiero morirme", frozenset({BEHAVIORAL})),
    ("es", "me quiero morir, ya no aguanto", frozenset({BEHAVIORAL})),
    ("es", "quiero matarme", frozenset({BEHAVIORAL})),
    ("es", "me voy a matar", frozenset({BEHAVIORAL})),
    ("es", "he pensado en suicidarme", frozenset({BEHAVIORAL})),
    ("es", "tengo pensamientos suicidas", frozenset({BEHAVIORAL})),
    ("es", "intento de suicidio ayer", frozenset({BEHAVIORAL})),
    ("es", "ya no quiero vivir", frozenset({BEHAVIORAL})),
    ("es", "quiero quitarme la vida", frozenset({BEHAVIORAL})),
    ("es", "pensando en acabar con mi vida", frozenset({BEHAVIORAL})),
    ("es", "a veces quiero hacerme daño", frozenset({BEHAVIORAL})),
    ("es", "estaría mejor muerta", frozenset({BEHAVIORAL})),
    ("es", "SOBREDOSIS!! quiero morir", frozenset({NURSE, BEHAVIORAL})),
)

# (language, text) that the built-in lists must not flag.
BENIGN: tuple[tuple[str, str], ...] = (
    # --- English ---
    ("en", "my bill is killing me"),
    # known false alarms until the figure-of-speech idiom class (phrases.IDIOMS) took them
    ("en", "this bill almost gave me a heart attack"),
    ("es", "casi me da un infarto cuando vi la factura"),
    ("en", "I'm dying to know my balance"),
    ("en", "I need a refill of my blood pressure pills"),
    ("en", "When is my chest x-ray appointment?"),
    ("en", "signed up for a painting class at the community center"),
    ("en", "are the breath test results ready?"),
    ("en", "I can't log in to the portal"),
    ("en", "I cannot find my EOB anywhere"),
    ("en", "what are your hours on saturday"),
    ("en", "I need to reschedule my physical therapy"),
    ("en", "my insurance card was denied at the pharmacy"),
    ("en", "Pain management referral please"),
    ("en", "I was charged twice for the same visit"),
    ("en", "my gums were bleeding after the cleaning, can I get a checkup"),
    ("en", "I have a headache from this hold music lol"),
    ("en", "killing time in the waiting room"),
    ("en", "the pills are too big to swallow, is there a liquid?"),
    ("en", "Is the flu shot covered?"),
    ("en", "need the heart monitor appointment moved to friday"),
    ("en", "I ran out of my cholesterol pills"),
    # --- Spanish ---
    ("es", "pechuga de pollo"),
    ("es", "quiero saber mi saldo"),
    ("es", "me muero de risa con este portal"),
    ("es", "me muero de hambre, ¿a qué hora abren?"),
    ("es", "necesito una cita para mi presión arterial"),
    ("es", "me duele la cabeza de tanto esperar"),
    ("es", "¿Cuál es el horario de la farmacia?"),
    ("es", "no puedo entrar al portal"),
    ("es", "no puedo pagar la factura completa"),
    ("es", "necesito un plan de pagos"),
    ("es", "mi tarjeta del seguro no funciona"),
    ("es", "me falta un documento para la solicitud"),
    ("es", "me cobraron por falta de pago"),
    ("es", "tengo una pregunta sobre la factura de la radiografía de tórax"),
    ("es", "quiero cortarme el pelo antes de la cita"),
    ("es", "mi jefe me va a matar si llego tarde"),
    ("es", "quiero vivir más sano, ¿tienen nutricionista?"),
    ("es", "la receta de mi mamá se terminó"),
    # idioms whose flag words are not the symptom (vocabulary.IDIOMS)
    ("en", "What a stroke of luck, my claim was approved!"),
    ("en", "I need a refill of my seizure medication"),
    ("en", "choking hazard warning on the pill bottle cap?"),
    ("en", "food poisoning last week, need a note for work"),
    # was a known false alarm until the context layer (escalations/redflags/context.py): a
    # question for information ("prevention") sets the match aside
    ("en", "picking up suicide prevention flyers for my church group"),
)

# (language, text, kind it reaches): benign texts that the built-in lists DO flag, by design.
KNOWN_FALSE_ALARMS: tuple[tuple[str, str, str], ...] = (
    ("en", "I hurt myself lifting boxes, need an appointment", BEHAVIORAL),
    ("es", "no quiero vivir en otra ciudad, ¿hay clínica cerca?", BEHAVIORAL),
)
