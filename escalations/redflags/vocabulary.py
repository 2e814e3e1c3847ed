"""The built-in red-flag vocabulary: word classes, multi-word expressions and idioms (the
concepts built from them are in ``concepts.py``).

A **word class** is a set of words that mean the same thing for detection (``CHEST``: chest,
sternum, pecho, tórax …), per language. A text word belongs to a class when

* it is one of the class's words after normalisation (``normalize.py``), or
* its Snowball stem, in the word's language (English or Spanish), is the stem of one of them
  (``hurting`` → ``hurt``; ``sangrando`` → ``sangr``) — only for stems of four letters or more:
  shorter stems (``mor`` for morir, which is also the stem of ``morados``) are too ambiguous, so
  those classes list their forms, or
* it has five letters or more and is one edit (a letter left out, added, changed, or two
  neighbours swapped) away from a class word of five letters or more that starts with the same
  letter (``brething``, ``siezure``, ``sangrnado``), unless it is itself a common word
  (:data:`NOT_TYPOS`: ``bills`` is never ``pills``, ``dolares`` never ``dolores``).

A **multi-word expression** (:data:`EXPRESSIONS`, ``phrases.py``) puts a class on a run of exact
words ("too many", "de repente", "dolor de cabeza").

An **idiom** (:data:`IDIOMS`, ``phrases.py``) is a run of words in which the flag words do not
mean the symptom ("blood pressure", "chest x-ray", "off my chest", "stroke of luck", "side
effects", "análisis de sangre"): the words inside it take no class.
"""

from __future__ import annotations

from escalations.redflags.broadened import BROAD_CLASSES, BROAD_EXPRESSIONS
from escalations.redflags.circumstances import CIRCUMSTANCE_CLASSES, CIRCUMSTANCE_EXPRESSIONS
from escalations.redflags.common_words import COMMON_WORDS
from escalations.redflags.composed import COMPOSED_CLASSES, COMPOSED_EXPRESSIONS
from escalations.redflags.families import FAMILY_CLASSES, FAMILY_EXPRESSIONS, FAMILY_IDIOMS
from escalations.redflags.families10 import (
    ROUND10_CLASSES,
    ROUND10_EXPRESSIONS,
    ROUND10_IDIOMS,
)
from escalations.redflags.families12 import (
    ROUND12_CLASSES,
    ROUND12_EXPRESSIONS,
    ROUND12_IDIOMS,
)
from escalations.redflags.families13 import (
    ROUND13_CLASSES,
    ROUND13_EXPRESSIONS,
    ROUND13_IDIOMS,
)
from escalations.redflags.lay_signs import LAY_CLASSES, LAY_EXPRESSIONS
from escalations.redflags.mentions import MENTION_IDIOMS
from escalations.redflags.phrases import EXPRESSIONS as _EXPRESSIONS
from escalations.redflags.phrases import IDIOMS as _IDIOMS

__all__ = ["CLASSES", "EXPRESSIONS", "IDIOMS", "NOT_TYPOS"]

# Runs of words (expressions and idioms) are in phrases.py; re-exported here.

# --- word classes: name → (English words, Spanish words), space-separated -----------------------
# A word written "=word" is matched as written only (its stem is shared with unrelated words).

CLASSES: dict[str, tuple[str, str]] = {
    # body
    "CHEST": ("chest sternum breastbone thoracic", "pecho torax pechos toracico toracica"),
    "HEART": ("heart", "corazon corazoncito"),
    "THROAT": ("throat airway airways", "garganta"),
    # Facial swelling alone (after dental work, an injury) is not anaphylaxis: only the tongue,
    # lips, mouth and eyelids, or swelling together with hives.
    "MOUTH_PARTS": ("tongue lips lip mouth eyelids", "lengua labios labio boca parpados"),
    "HIVES": ("hives welts itching itchy", "ronchas urticaria comezon picazon"),
    "FACE": ("face mouth smile lip lips", "cara boca sonrisa rostro"),
    "SPEECH": ("speech words talk talking speaking speak", "habla hablar hablando palabras voz"),
    "SIDE": ("side half", "lado lados mitad"),
    "WRIST": ("wrist wrists arms thighs veins", "venas vena munecas muneca brazos piernas"),
    "RIBS": ("ribs nostrils", "costillas nariz"),
    "SKIN": ("skin lips face fingers nails", "piel labios cara unas"),
    # pain and the like
    "PAIN": (
        "pain pains hurt hurts hurting ache aches aching pressure tight tightness tightening "
        "squeezing squeeze crushing heavy heaviness stabbing discomfort burning killing "
        "elephant sore clutching grabbing pressing presses weight brick bricks vise vice sharp "
        "throbbing pinching ripping tearing agony constricting "
        "constricted band pushing compressing achy stabbed burns",
        "dolor dolores duele duelen dolia dolio doliendo adolorido presion opresion apretado "
        "apretada aprieta apretando punzada punzadas peso pesadez ardor arde ardiendo quema "
        "quemando molestia piquete piquetes punzante oprime desgarro pesado pesada aplastando "
        "aplasta estruja agudo apretaran aprietan aprieta estrujan estrujando oprimiendo "
        "presionando comprimiendo piedra quemazon ardiente encajado",
    ),
    "ATTACK": ("attack arrest", "ataque paro"),
    "CARDIAC": ("cardiac coronary", "cardiaco cardiaca cardiaco"),
    "INFARCT": ("infarction heartattack heartattacks", "infarto infartando infartado"),
    # stroke
    "STROKE": ("stroke strokes", "derrame embolia ictus cerebrovascular trombosis"),
    "DROOP": (
        "droop uneven drooping droops drooped droopy crooked lopsided sagging =fell fallen",
        "caida cayo caido torcida torcido chueca chueco ladeada paralizada",
    ),
    "SLUR": (
        "slurred slurring slur garbled jumbled mumbling gibberish",
        "arrastra arrastrando arrastrada enredada trabada incoherente",
    ),
    "NUMB": (
        "numb numbness weak weakness paralyzed paralysed limp tingling =dead dangling",
        "entumido entumecido entumecida =dormido =dormida =durmio debil debilidad fuerza "
        "paralizado paralizada adormecido adormecida",
    ),
    "SUDDEN": ("sudden suddenly abruptly", "repentino repentina derepente"),
    "WORST": ("worst", "peor"),
    "HEADACHE": ("headache headaches migraine", "jaqueca migrana cefalea"),
    # breathing
    "BREATHE": (
        "breathe breath breathing breathes breathed",
        "respirar respira respiro respirando respiracion respiraba",
    ),
    "AIR": ("air", "aire"),
    "CANT": (
        "cant cannot couldnt unable barely hardly not stopped stop wont cnt cudnt cant",
        "no =dejo paro casi",
    ),
    "TROUBLE": (
        "trouble difficulty difficult hard struggling struggle labored laboured effort",
        "dificultad dificil cuesta costaba trabajo batallando batalla esfuerzo",
    ),
    "SHORT": ("short shortness out", "falta faltaba sin"),
    "CHOKE": (
        "gasping gasp choking choked suffocating suffocate panting",
        "ahogo ahoga ahogando ahogar asfixia asfixiando sofoco jadea jadeando",
    ),
    "BLUE": (
        "blue purple gray grey bluish blueish purplish grayish greyish",
        "morado morados moradas azul azules azulado azulada azulados azuladas",
    ),
    "FAST": ("fast rapid rapidly racing pounding", "rapido acelerado agitado"),
    "SINK": ("pull pulling sucking sinking flaring flare", "hunden hunde marcan aletea aleteando"),
    "ENTER": ("get getting", "entra llega pasa"),
    # suicide and self-harm
    "SUICIDE": (
        "suicide suicidal suicidality unalive kms",
        "suicidio suicida suicidas suicidarme suicidar suicidarse autolesion",
    ),
    "KILL": ("kill killing killed murder hang hanging shoot drown", ""),
    "MATAR": ("", "matar mato matando matare matarte ahorcar ahorcarme"),
    "SELF": ("myself self meself herself himself", ""),
    "SELF_ES": ("", "me se"),
    "WANT": (
        "want wanna wish going gonna plan planning ready will rather",
        "quiero quisiera queria querer voy pienso planeo ganas deseo desear",
    ),
    "DIE": ("die dying dead death", "morir muero muera muerto muerta muerte"),
    "WISH": ("wish", "ojala"),
    "END": ("end ending ended take taking finish", ""),
    "END_ES": ("", "acabar terminar quitar quito acabo quitarse"),
    "MY": ("my own her his their", ""),
    "LIFE": ("life", ""),
    "VIDA": ("", "vida"),
    "LIVE": ("live living alive exist existing", "vivir viviendo vivo existir"),
    "NOT": (
        "dont not no never nothing doesnt didnt hasnt havent isnt wont",
        "no nada nunca ningun ninguna",
    ),
    "REASON": ("reason point purpose", "razon sentido motivo caso"),
    "HARM": (
        "hurt hurting harm harming cut cutting burn burning",
        "lastimar lastimo lastimando cortar cortando corto dano herir",
    ),
    "BETTER": ("better happier easier", "mejor felices feliz"),
    "CONFUSED": (
        "confused confusion disoriented incoherent",
        "confundido confundida desorientado desorientada confusion",
    ),
    "PROPERLY": ("properly clearly normally straight", "bien claro"),
    "BREATHLESS": ("breathless winded", "=ahogado =ahogada sofocado sofocada"),
    "TURNING": ("turning turned going", "poniendo puso pone volviendo"),
    "BE_HERE": ("here around alive exist", "aqui vivo viva existir"),
    "ANYMORE": ("anymore", "ya"),
    "JUMP": ("jump jumping jumped", "tirarme aventarme lanzarme saltar tirar aventar lanzar"),
    "SEE": ("see seeing", "ver veo"),
    "ARM_JAW": ("arm jaw shoulder", "brazo mandibula hombro quijada"),
    "SWEAT": ("sweating sweaty sweat clammy", "sudando sudor sudoroso sudorosa"),
    "SAVED": (
        "=saved stockpiled stockpiling hoarding hoarded",
        "=guardadas =guardados =juntando",
    ),
    "EYE": ("eye", "ojo"),
    # one arm, leg or hand (with a side: "left arm", "brazo derecho")
    "LIMB": ("arm arms leg legs hand hands foot", "brazo brazos pierna piernas mano manos pie"),
    "LEFTRIGHT": ("left right", "izquierdo izquierda derecho derecha"),
    "ODD": (
        "funny weird wrong strange garbled nonsense off different mixed scrambled",
        "raro rara extrano extrana chistoso diferente",
    ),
    "FIND": ("find", "encontrar encuentra"),
    "SENTENCE": ("sentence sentences", "frase frases oracion"),
    "LIFT": ("lift raise hold", "levantar alzar sostener"),
    "STRAW": ("straw", "popote pajita"),
    "WALK": ("walk stand", "caminar pararse"),
    "BREAST": ("breast", "seno"),
    "FOREVER": ("forever permanently", "siempre"),
    "MIXED": ("mixed mixing mix", "mezclo mezcle mezclando mezclado"),
    "ALCOHOL": (
        "alcohol booze liquor vodka whiskey beer beers wine tequila drinking drunk",
        "alcohol cerveza cervezas vino tequila licor borracho borracha",
    ),
    "WORK": ("work works working", "funciona sirve responde"),
    "GRUNT": ("grunting grunts grunt", "quejido quejidos pujando"),
    "LESS": ("less decreased slower fewer", "menos"),
    "STARE": ("staring stare stares", "mirada"),
    "THINK": ("think thinking thought hope hoping", "pienso pensando"),
    "PAD": ("pad pads tampon tampons", "toalla toallas tampon tampones"),
    "EVERY": ("every", "cada"),
    "WEEKS": ("weeks wks", "semanas"),
    "STOPV": ("stop stops stopping stopped", "para paraba parar detiene detener"),
    "STAY": ("stay keep", "mantener"),
    "WHEEZE": (
        "wheezing wheeze wheezes wheezy whistling whistle",
        "silbido silbidos chiflido silba silbando silbar chifla chiflando",
    ),
    "HEIGHT": (
        "bridge building roof balcony cliff window train traffic",
        "puente edificio techo balcon azotea ventana tren",
    ),
    "WORTH": ("worth", "vale valer"),
    "TIRED": ("tired sick", "cansado cansada canse harto harta"),
    "SLEEP": ("sleep", "dormir dormirme"),
    "VISION": ("vision sight eyesight", "vista"),
    "VISION_LOSS": ("lost black dark double gone blind", "perdi perdio negro oscuro doble"),
    "NOBODY": ("nobody noone", "nadie"),
    "MISS": ("miss notice care", "extranaria extranarian extranar notaria"),
    "EVERYTHING": ("everything things", "todo"),
    "ENDV": ("end ending ended", ""),
    "DISAPPEAR": ("disappear vanish", "desaparecer esfumarme"),
    "SHAKE": ("shaking shakes shook", "temblando sacudiendo temblar tiembla temblaba"),
    "JERK": (
        "jerking jerks twitching convulsing stiff rigid",
        "sacudidas espasmos tieso tiesa rigido rigida",
    ),
    "DANO": ("", "dano danos"),
    "LASTIMAR": ("", "lastimar lastimarme herir"),
    "CHILD": (
        "toddler kid kids child son daughter grandson granddaughter baby boy girl",
        "nino nina ninos hijo hija nieto nieta bebe chiquito chiquita",
    ),
    "WITHOUT": ("without", "sin"),
    "ME": ("me", "mi"),
    "WAKE": ("wake waking woke awake", "despertar despierta despierte"),
    "DOSE_INTENT": ("purpose intentionally deliberately", "proposito"),
    # overdose and poisoning
    "OVERDOSE": ("overdose overdosed overdosing od", "sobredosis"),
    # a child swallowing something, not taking their medicine
    "INGESTED": (
        "swallowed ate eaten drank ingested chewed",
        "trago trague tragado tragaron comio comido bebio mastico ingirio ingerio",
    ),
    "TOOK": (
        "took taken swallowed ate eaten drank ingested downed",
        "tomar tome tomo tomando tomado tomaste tomaron trago trague tragado tragar comio "
        "comido bebio bebido",
    ),
    "TAKE": ("take taking swallow swallowing", ""),
    "EXCESS": (
        "double triple extra bunch handful overdid whole entire twice",
        "demasiadas demasiados demasiado doble triple monton puno",
    ),
    "ALL": ("all everything whole", "todas todos todo entero completo"),
    "PILLS": (
        "pills syrup antidepressants antipsychotics benzos pill tablets tablet meds medication "
        "medications medicine capsules bottle insulin tylenol oxy opioids oxycodone percocet "
        "oxys oxycontin vicodin fentanyl heroin morphine methadone xanax valium klonopin ambien "
        "adderall ibuprofen advil aspirin acetaminophen benadryl lithium painkillers opiates",
        "pastillas pastilla jarabe antidepresivos ansioliticos tabletas pildoras medicinas "
        "medicamentos capsulas frasco insulina caja paracetamol ibuprofeno aspirina clonazepam "
        "tramadol fentanilo",
    ),
    "ACCIDENT": ("accidentally", ""),
    # a count of pills nobody takes at once
    "COUNT": (
        " ".join(str(number) for number in range(5, 101))
        + " five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty",
        "cinco seis siete ocho nueve diez doce quince veinte treinta",
    ),
    "TOXIC": (
        "bleach poison detergent cleaner antifreeze battery batteries pod pods chemicals "
        "chemical lye pesticide gasoline ammonia windex lysol clorox drano disinfectant",
        "cloro lejia veneno detergente pila pilas raticida insecticida quimicos gasolina "
        "amoniaco blanqueador limpiador limpiadores desinfectante destapacanos fabuloso pinol",
    ),
    "POISONED": (
        "poisoned poisoning intoxicated",
        "envenenado envenenada envenenamiento intoxicado intoxicada intoxicacion",
    ),
    # bleeding
    "BLEED": (
        "bleed nosebleed nosebleeds bleeding bleeds bled blood bloody",
        "sangre sangrar sangrando sangrado sangro sangra sangrada",
    ),
    "HEAVY": (
        "heavily heavy lot alot lots much everywhere soaked soaking pouring gushing spurting "
        "severe profusely tons crazy nonstop squirting spraying",
        # "un montón", "un chingo"
        "mucho mucha muchisimo muchisima abundante chorros empape empapado empapada bastante "
        "demasiado demasiada monton montones chingo",
    ),
    "HEMORRHAGE": (
        "hemorrhage hemorrhaging haemorrhage hemorrhaged",
        "hemorragia desangrando desangra desangrandose",
    ),
    "VOMIT": (
        "vomit vomiting vomited puking coughing cough coughed spitting spit",
        "vomito vomitando vomitar vomita tose tosiendo tos echando escupiendo escupo escupe",
    ),
    # anaphylaxis
    "ANAPHYLAXIS": ("anaphylaxis anaphylactic", "anafilaxia anafilactico anafilactica"),
    "CLOSE": (
        "closing close closed swelling swollen swelled tight shut tightening",
        "cierra cerrando cerrada hinchada hinchado inflamada hinchando apretada apretado",
    ),
    "SWELL": (
        "swelling swollen swelled swell puffy puffed huge bigger enormous",
        "hinchada hinchado hinchados hinchadas hincho inflamada hinchazon enorme enormes inflamo "
        "inflamaron inflamado inflamados",
    ),
    "SEVERE": (
        "severe bad badly serious major horrible terrible awful intense unbearable worst",
        "grave severa severo fuerte fuertes horrible terrible intenso intensa insoportable",
    ),
    "ALLERGIC": ("allergic", "alergica alergico"),
    "REACTION": ("reaction reactions", "reaccion reacciones"),
    "SWALLOW": ("swallow swallowing", "tragar pasar"),
    "EPIPEN": ("epipen epinephrine adrenaline", "epipen epinefrina adrenalina"),
    "USED": ("used gave injected needed", "use puse inyecte usar"),
    # pregnancy
    "PREGNANT": (
        "pregnant pregnancy gestation =expecting",
        "embarazada embarazo embarazadas gestacion encinta",
    ),
    "PREG_SIGN": (
        "bleeding bleed blood spotting contractions contraction cramps cramping leaking fluid "
        "blurry blurred seizure spots flashing",
        "sangrado sangrando sangre manchado contracciones contraccion colicos colico liquido "
        "borroso borrosa convulsion lucecitas luces manchitas estrellitas",
    ),
    # swollen feet are common in pregnancy; a swollen face or hands is a sign of preeclampsia
    "FACE_HANDS": ("face hands fingers", "cara manos dedos"),
    "MOVE": ("move moved moving kick kicked kicking", "mueve movido moverse mover muevo"),
    "MISCARRIAGE": (
        "miscarriage miscarrying miscarried ectopic preeclampsia eclampsia",
        "preeclampsia eclampsia ectopico",
    ),
    "WATER": ("", "fuente aguas"),
    "BROKE": ("", "rompio rompieron revento reventaron rompe"),
    # infants
    "INFANT": (
        "baby babies newborn infant bub bby",
        "bebe bebes bebito bebita bebecito bebesito bebesita neonato lactante",
    ),
    "FEVER": (
        "fever feverish temperature temp thermometer hot",
        "fiebre calentura temperatura termometro febril caliente hirviendo",
    ),
    # sepsis
    "SEPSIS": ("sepsis septic septicemia", "sepsis septico septica septicemia"),
    "INFECTION": (
        "infection infected uti pneumonia cellulitis abscess pus wound kidney",
        "infeccion infectado infectada neumonia celulitis absceso pus herida rinon",
    ),
    "SEPSIS_SIGN": (
        "confused confusion disoriented delirious mottled blotchy lethargic shaking shivering "
        "rigors racing clammy pale drowsy lethargy incoherent nonsensical",
        "confundido confundida desorientado desorientada delirando manchas moteada temblando "
        "tiritando acelerado letargico temblores escalofrios tiemblo tiembla tiritar palida palido "
        "manchada manchado somnolienta somnoliento adormilada adormilado",
    ),
    # a reaction to a (new) medication
    "RASH": (
        "rash rashes hives welts swelling swollen swelled blisters blistering peeling puffy itchy "
        "itching",
        "ronchas sarpullido salpullido urticaria hinchazon hinchado hinchada hincho ampollas "
        "erupcion roncha",
    ),
    "MED": (
        "medication medications medicine med meds pill pills antibiotic antibiotics "
        "prescription dose amoxicillin penicillin drug tablets",
        "medicina medicamento medicamentos pastilla pastillas antibiotico dosis amoxicilina "
        "penicilina receta recetaron tratamiento",
    ),
    "NEW": (
        "new started starting start first began since after yesterday",
        "nueva nuevo nuevas nuevos empece empezar comence primera desde ayer",
    ),
    # seizures, consciousness
    "SEIZURE": (
        "seizure seizures seizing convulsing convulsion convulsions",
        "convulsion convulsiones convulsionando convulsiono",
    ),
    "EPILEPTIC": ("epileptic", "epileptico epileptica"),
    "UNCONSCIOUS": (
        "unconscious unresponsive fainted collapsed unconsious fainting",
        "inconsciente desmayo desmayada desmayado desmaye desvanecio",
    ),
    "LOSE": ("lost lose losing", "perdio perdi perder perdiendo"),
    "CONSCIOUS": ("consciousness conscious", "conocimiento conciencia sentido"),
    "WONT": ("wont not cant isnt wouldnt", "no"),
    "RESPOND": ("respond responding responsive", "reacciona responde reaccionaba respondia"),
}

# the composed patterns' classes and expressions (composed.py), merged in
if set(COMPOSED_CLASSES) & set(CLASSES):  # pragma: no cover - a build-time guard
    raise ValueError("a composed class shares its name with a vocabulary class")
CLASSES.update(COMPOSED_CLASSES)
EXPRESSIONS: dict[str, tuple[str, ...]] = dict(_EXPRESSIONS)
for _name, _runs in COMPOSED_EXPRESSIONS.items():
    EXPRESSIONS[_name] = EXPRESSIONS.get(_name, ()) + _runs
# the classes broadened by kind of wording (broadened.py): new classes, or words added to one
for _name, (_english, _spanish) in BROAD_CLASSES.items():
    _old_english, _old_spanish = CLASSES.get(_name, ("", ""))
    CLASSES[_name] = (f"{_old_english} {_english}".strip(), f"{_old_spanish} {_spanish}".strip())
for _name, _runs in BROAD_EXPRESSIONS.items():
    EXPRESSIONS[_name] = EXPRESSIONS.get(_name, ()) + _runs
# the families added after round 9 (families.py), merged the same way
# and after rounds 10 to 13 (families10.py; lay_signs.py, circumstances.py; families12.py,
# families13.py)
for _classes in (
    FAMILY_CLASSES,
    ROUND10_CLASSES,
    LAY_CLASSES,
    CIRCUMSTANCE_CLASSES,
    ROUND12_CLASSES,
    ROUND13_CLASSES,
):
    for _name, (_english, _spanish) in _classes.items():
        _old_english, _old_spanish = CLASSES.get(_name, ("", ""))
        CLASSES[_name] = (
            f"{_old_english} {_english}".strip(),
            f"{_old_spanish} {_spanish}".strip(),
        )
for _expressions in (
    FAMILY_EXPRESSIONS,
    ROUND10_EXPRESSIONS,
    LAY_EXPRESSIONS,
    CIRCUMSTANCE_EXPRESSIONS,
    ROUND12_EXPRESSIONS,
    ROUND13_EXPRESSIONS,
):
    for _name, _runs in _expressions.items():
        EXPRESSIONS[_name] = EXPRESSIONS.get(_name, ()) + _runs
IDIOMS: tuple[str, ...] = (
    _IDIOMS + FAMILY_IDIOMS + ROUND10_IDIOMS + MENTION_IDIOMS + ROUND12_IDIOMS + ROUND13_IDIOMS
)

# --- common words one edit away from a flag word: never read as typos --------------------------

NOT_TYPOS: frozenset[str] = frozenset(
    str.split(
        # English
        "nose noses bills billing fills hills kills spills chess chose cheat heard hears hearth "
        "heath heats "
        "hearty bread breed breeds blend blind bleep flood bloom death depth dead throne thread "
        "threat paint pains paints rain strike stoke stroll strobe stride store storke faith "
        "fever never lever seven seize sized rashes crash trash brash cloth close closet those "
        "these shore short sport shirt spotty motion nation station potion notion prevent present "
        "parent patient dying dyeing lying tying attach hearing heating wheeling cheating "
        "choosing cooking looking locking coking slurp blurry surgery nurse nurses purse worse "
        "verse horse noise voice whole while wiser waste wakes water later hater tablet dollar "
        "dolor color valor sabor mayor labor favor hikes hires hides crest blond chore chock "
        "fewer feint spell smell shell prison piles pulls polls battle drawn hunting hurling "
        "breeding gives lives hived painting parting pasting weigh weighs brisk share shark "
        "teasing punching staff stuff stranger thing thick though paying playing ever steps "
        "shops stepped shopped shopping stepping splitting sports shots slots flushing"
        # four-letter words that are a vocabulary word with one letter left out
        " aces back bean bees bind cane case ding door down drop exit fist fort hart hear heat "
        "jerk moth nail none noon pans pins pint quit raid read rope save seat seen seep sell "
        "shoo shot sigh sine site soot sort spot star stat swat tied tire visa weir wets writ "
        "dole lads mans rome ties firs heir nero hast"
        # Spanish
        " "
        "pecha techo hecho dicho lecho pesca cargo carta corte certe sangria sangro morado muerte "
        "suerte fuerte puerta vivir vista pagar matar tomar fiesta fiebres liebre pobre sobre "
        "cobre ayuda ahorra ahora aires pastel pastilla dolar dolares tocar tocan tocas"
        " bebo cada caro como coro dele dese gana luce mata mera mero nade neto pais tira toma"
        " ayudo pescado pasada pasado fase majo neta"
        # round 8: a month is not a mouth, drool is not droop
        " month months drool drools drooling"
    )
)
# everyday words one edit from a flag word (common_words.py)
NOT_TYPOS = NOT_TYPOS | COMMON_WORDS
