"""One validation policy for every public function of the library.

A wrong *type* raises ``TypeError``; a value of the right type that is out of
range raises ``ValueError``.  Every message names the parameter, shows the
value received and says what to pass instead, so a reader who mistypes an
argument in a notebook knows at once what to change.
"""

from __future__ import annotations

import math
from numbers import Integral

# No `typing` or `collections.abc` import: this module is imported by every
# worker that runs a library task, and those two alone cost a worker ~25 ms.
# So the annotations say `object` where they would say Any, Callable or Iterable.


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_int(name: str, value: object, *, minimum: int | None = None,
              maximum: int | None = None, hint: str = "") -> int:
    """``value`` as an int in ``[minimum, maximum]``, or a clear error.

    object integral number is accepted (a NumPy integer too) and returned as an
    ``int``.  ``bool`` is refused although it is an ``int`` subclass:
    ``workers=True`` is always a slip.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        if not hint and isinstance(value, (str, float)):
            hint = f"convert it first, e.g. int({value!r})"
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {_shown(value)}"
                        + (f"; {hint}" if hint else ""))
    value = int(value)  # a NumPy integer, say
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}"
                         + (f"; {hint}" if hint else ""))
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}"
                         + (f"; {hint}" if hint else ""))
    return value


def check_seconds(name: str, value: object, *, allow_none: bool = False,
                  allow_zero: bool = False, maximum: float | None = None) -> float | None:
    """``value`` as a finite, positive number of seconds (or None where allowed)."""
    if value is None:
        if allow_none:
            return None
        raise TypeError(f"{name} must be a number of seconds, got None")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds (int or float), "
                        f"got {type(value).__name__} {_shown(value)}")
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be a finite number of seconds, got {value}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound} seconds, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum} seconds, got {value}; "
                         "a demo that waits that long would look like a hang")
    return float(value)


def check_number(name: str, value: object, *, low: float | None = None, high: float | None = None,
                 inclusive: bool = True) -> float:
    """``value`` as a finite real number within ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {_shown(value)}")
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    below = low is not None and (value < low if inclusive else value <= low)
    above = high is not None and (value > high if inclusive else value >= high)
    if below or above:
        lo = "" if low is None else f"{low} {'<=' if inclusive else '<'} "
        hi = "" if high is None else f" {'<=' if inclusive else '<'} {high}"
        raise ValueError(f"{name} must satisfy {lo}{name}{hi}, got {value}")
    return float(value)


def check_callable(name: str, value: object, *, hint: str = "") -> object:
    """``value`` if it can be called, else a ``TypeError`` that says what was passed."""
    if not callable(value):
        raise TypeError(f"{name} must be callable (a function), got "
                        f"{type(value).__name__} {_shown(value)}"
                        + (f"; {hint}" if hint else "; pass the function itself, without ()"))
    return value


def check_choice(name: str, value: object, choices: object) -> object:
    """``value`` if it is one of ``choices``, else a ``ValueError`` listing them."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; "
                         f"got {_shown(value)}")
    return value


def check_items(name: str, value: object, *, allow_empty: bool = True) -> list[object]:
    """``value`` consumed into a list, or a ``TypeError`` if it is not iterable."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an iterable of items, got a {type(value).__name__} "
                        f"{_shown(value)}; wrap a single item in a list")
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{name} must be iterable (a list, range, ...), "
                        f"got {type(value).__name__} {_shown(value)}") from None
    if not items and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    return items
