"""The exercise checkers: one module per topic module they exercise.

Every checker returns a :class:`~._base.CheckResult`, runs learner code only
through :func:`~._base.run_bounded` (so it answers within seconds, whatever
the learner wrote), and is tested against the wrong answers its chapter warns
about.  A worker process never imports this package.
"""
