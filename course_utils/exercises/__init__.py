"""Automatic checks of the notebooks' exercises, one module per notebook (``nbNN``).

Each check takes the learner's function, raises :class:`course_utils.checks.CheckFailed` with a
message naming what is wrong, and is run through :func:`course_utils.checks.run_check`.
"""
