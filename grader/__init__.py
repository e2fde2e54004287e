"""backprop-grader: exact answer keys and error-carried-forward grading for backprop homework.

The pipeline, one package per stage:

    spec/  (YAML problem -> Problem)  ->  solve/  (Problem -> AnswerKey, exact)
    submission/ + parse/  (YAML answers -> parsed Submission)  ->  grade/  (-> GradeResult)
    report/  (GradeResult -> text, JSON, Markdown, HTML)
    batch/  (many submissions -> gradebooks)     author/  (templates, keys, variants, schemas)

The core is pure: nothing in it prints or exits. ``grader.cli`` is the only place that does. The layers and what each
package owns and may import: ``docs/architecture.md`` (checked by ``tests/test_architecture.py``).
"""

__version__ = "0.1.0"
