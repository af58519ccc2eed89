"""The book's charts: every matplotlib import of the library lives in this package.

One module per topic module that draws (``charts/races.py`` draws what
``races.py`` measured), all sharing the style, palette, time units and lane
drawer of :mod:`._style`.  Charts draw; they compute nothing.  A worker
process never imports this package.
"""
