"""The red-flag matcher: words → classes → concepts (the ``escalations.redflags`` package
docstring has the rules).

Built once per configuration (built-in concepts and their targets, configured phrases) and
cached by ``escalations.detection``; :meth:`Matcher.find_in_messages` then runs on any number of
texts. Pure Python: no models, no database, no logging (texts are PHI).

Which module holds what:

* ``engine.py`` — the :class:`Matcher`: the vocabulary's index (forms, stems, typos, the word
  trie of expressions and idioms), words to classes, the rules and finding them in texts; the
  tuning limits (``MIN_STEM``, ``MIN_TYPO_*``) and ``_base``, the index shared by every matcher.
* ``patterns.py`` — matching a pattern's classes within its window, long-past times, negation,
  the matched phrase.
* ``hit.py`` — :class:`Hit`, a red flag found, and its stored JSON form.
"""

from escalations.redflags.matcher.engine import Matcher
from escalations.redflags.matcher.engine import _base as _base  # the shared vocabulary index
from escalations.redflags.matcher.hit import Hit

__all__ = ["Hit", "Matcher"]
