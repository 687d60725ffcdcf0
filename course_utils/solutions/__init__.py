"""Reference solutions of the exercises (the teacher's key), one module per notebook (``nbNN``).

The tests run every exercise check against these and against wrong answers.
"""
