"""Exercise definitions for :func:`healthlab.checks.check`, one module per lesson.

``lessonNN.py`` registers every ``"NN.*"`` question of lesson NN with
:func:`healthlab.checks.register`. Keep each definition beside its hints and typical mistakes,
and compute answers that come from data (``expected=lambda: ...``) rather than typing them in.
Tests in ``tests/unit/test_questions.py`` mark the right answer and typical wrong ones.
"""
