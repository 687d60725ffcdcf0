"""course_utils.timing."""

from course_utils.timing import Timer, format_seconds


# ---- timing
def test_timer_format_matches_the_sanitizer(capsys):
    import configparser
    import re
    with Timer("step"):
        pass
    line = capsys.readouterr().out.strip()
    assert line.startswith("⏱ step: ") and line.endswith(" s")
    config = configparser.ConfigParser()
    config.read("nbval_sanitize.cfg", encoding="utf-8")
    rule = config["timings"]
    assert re.sub(rule["regex"], rule["replace"], line) == "⏱ step: <seconds> s"
    assert format_seconds("x", 1.26) == "⏱ x: 1.3 s"
    with Timer("quiet", quiet=True) as t:
        pass
    assert t.seconds >= 0 and capsys.readouterr().out == ""
