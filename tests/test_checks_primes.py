"""Part IV's checkers: the model answers pass 20 times out of 20, every mistake the chapters
warn about fails with a hint that fits, within seconds, and nothing is left running."""

from __future__ import annotations

import math
import queue
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import pytest

from parallel_demo import (CheckResult, check_chunksize, check_costliest, check_crossover,
                           check_drain, check_input_order, check_pool_task, check_safe_add,
                           check_still_running, check_thread_collect, check_timer, is_prime)
from parallel_demo.checks._base import reset_tries
from parallel_demo.checks.primes import _judge_thread_prediction, check_thread_prediction

pytestmark = pytest.mark.timeout(60)


def _wrong(check, answer, message: str, hint: str, *, limit: float = 6.0) -> CheckResult:
    """``answer`` fails ``check`` fast, with ``message`` in the message and ``hint`` in the hint
    or (second try) the detail; the first hint never is the detail."""
    reset_tries()
    t0 = time.monotonic()
    result = check(answer)
    assert time.monotonic() - t0 < limit, f"took {time.monotonic() - t0:.1f} s"
    assert isinstance(result, CheckResult) and not result.passed, result
    assert message.lower() in result.message.lower(), result
    again = check(answer)
    assert again.tries == 2 and (again.shows_detail or not again.detail)
    assert hint.lower() in (again.hint + " " + again.detail).lower(), again
    assert result.hint and result.hint != result.detail
    return result


def _passes_20(check, answer) -> None:
    for _ in range(20):
        result = check(answer)
        assert result.passed, result


def _stub(*args, **kwargs):
    return None


# --- primes_sequential: the timer --------------------------------------------------------

def model_timer(work, repeat=7):
    work()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def mean_timer(work, repeat=7):
    work()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.fmean(times)


def warmup_timed(work, repeat=7):
    times = []
    for _ in range(repeat + 1):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def no_warmup(work, repeat=7):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ignores_repeat(work, repeat=7):
    work()
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def hard_coded_timer(work, repeat=7):
    for _ in range(repeat + 1):
        work()
    return 0.01


def total_timer(work, repeat=7):
    work()
    t0 = time.perf_counter()
    for _ in range(repeat):
        work()
    return time.perf_counter() - t0


def in_milliseconds(work, repeat=7):
    return model_timer(work, repeat) / 1000  # milliseconds mistaken for kiloseconds: too small


TIMERS = [
    (_stub, "expected a number", "median"),
    (mean_timer, "mean", "median ignores"),
    (warmup_timed, "warm-up timed", "not timed"),
    (no_warmup, "no warm-up", "once before"),
    (ignores_repeat, "for repeat=3", "range(repeat)"),
    (hard_coded_timer, "two different works", "perf_counter"),
    (total_timer, "total", "not their sum"),
    (in_milliseconds, "too small", "seconds"),
]


@pytest.mark.parametrize("answer, message, hint", TIMERS, ids=[t[0].__name__ for t in TIMERS])
def test_timer_mistakes(answer, message, hint):
    _wrong(check_timer, answer, message, hint)


@pytest.mark.timeout(120)
def test_timer_model_passes_20_of_20():
    _passes_20(check_timer, model_timer)


# --- primes_sequential: the costliest check ------------------------------------------------

def model_costliest(records):
    return int(max(records, key=lambda r: r.end - r.start).label)


COSTLIEST = [
    (_stub, "expected", "duration"),
    (lambda rs: 999983, "do not even contain it", "int(its label)"),
    (lambda rs: max(rs, key=lambda r: r.end - r.start).label, "a str", "int(record.label)"),
    (lambda rs: max(rs, key=lambda r: r.end - r.start), "the record", "int(record.label)"),
    (lambda rs: int(max(rs, key=lambda r: r.end).label), "finished last", "not end times"),
    (lambda rs: max(int(r.label) for r in rs), "largest number", "durations"),
    (lambda rs: int(min(rs, key=lambda r: r.end - r.start).label), "least time", "max, not min"),
]


@pytest.mark.parametrize("answer, message, hint", COSTLIEST,
                         ids=["stub", "hard-coded", "label", "record", "last", "largest", "min"])
def test_costliest_mistakes(answer, message, hint):
    _wrong(check_costliest, answer, message, hint)


def test_costliest_model_passes_20_of_20():
    _passes_20(check_costliest, model_costliest)


# --- primes_thread_per_number: collect from threads ----------------------------------------

def model_collect(numbers):
    answers = [None] * len(numbers)

    def check(i, n):
        answers[i] = is_prime(n)

    threads = [threading.Thread(target=check, args=(i, n)) for i, n in enumerate(numbers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [n for n, a in zip(numbers, answers) if a]


def serial_threads(numbers):
    answers = [None] * len(numbers)

    def check(i, n):
        answers[i] = is_prime(n)

    for i, n in enumerate(numbers):
        t = threading.Thread(target=check, args=(i, n))
        t.start()
        t.join()
    return [n for n, a in zip(numbers, answers) if a]


def sleep_not_join(numbers):
    answers = [None] * len(numbers)

    def check(i, n):
        answers[i] = is_prime(n)

    threads = [threading.Thread(target=check, args=(i, n)) for i, n in enumerate(numbers)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    return [n for n, a in zip(numbers, answers) if a]


def completion_order(numbers):
    found = []
    gate = threading.Barrier(len(numbers))

    def check(k, n):
        gate.wait(5)
        time.sleep(0.002 * (len(numbers) - k))  # the last numbers finish first
        if is_prime(n):
            found.append(n)

    threads = [threading.Thread(target=check, args=(k, n)) for k, n in enumerate(numbers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return found


def no_threads(numbers):
    return [n for n in numbers if is_prime(n)]


def hard_coded_primes(numbers):
    threads = [threading.Thread(target=is_prime, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [2, 17, 97, 7919, 10007, 65537, 104729, 999983]


def returns_before_join(numbers):
    answers = [None] * len(numbers)
    release = threading.Event()

    def check(i, n):
        release.wait(0.3)
        answers[i] = is_prime(n)

    threads = [threading.Thread(target=check, args=(i, n)) for i, n in enumerate(numbers)]
    for t in threads:
        t.start()
    return [n for n, a in zip(numbers, answers) if a]


COLLECT = [
    (_stub, "0 thread(s) started", "one thread per number"),
    (no_threads, "0 thread(s) started", "start()"),
    (serial_threads, "one at a time", "two loops"),
    (sleep_not_join, "never joined", "t.join()"),
    (returns_before_join, "still running", "join() every thread"),
    (completion_order, "wrong order", "by its position"),
    (hard_coded_primes, "expected", "numbers you are given"),
]


@pytest.mark.parametrize("answer, message, hint", COLLECT, ids=[c[0].__name__ for c in COLLECT])
def test_thread_collect_mistakes(answer, message, hint):
    _wrong(check_thread_collect, answer, message, hint)
    assert threading.Thread.start.__name__ == "start" and threading.Thread.join.__name__ == "join"


@pytest.mark.timeout(120)
def test_thread_collect_model_passes_20_of_20():
    _passes_20(check_thread_collect, model_collect)


# --- primes_thread_per_number: still running -----------------------------------------------

def model_still_running(threads, timeout):
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return [t for t in threads if t.is_alive()]


def full_timeout_each(threads, timeout):
    for t in threads:
        t.join(timeout)
    return [t for t in threads if t.is_alive()]


def sleep_instead(threads, timeout):
    time.sleep(timeout)
    return [t for t in threads if t.is_alive()]


def no_wait(threads, timeout):
    return [t for t in threads if t.is_alive()]


def join_forever(threads, timeout):
    for t in threads:
        t.join()
    return []


def none_left(threads, timeout):
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return []


def is_alive_old(threads, timeout):
    return [t for t in threads if t.isAlive()]


STILL = [
    (_stub, "expected a list", "in a list"),
    (full_timeout_each, "full timeout for each", "one deadline"),
    (sleep_instead, "still waited", "instead of sleeping"),
    (no_wait, "every thread", "join first"),
    (join_forever, "had not returned", "pass a timeout"),
    (none_left, "no threads", "is_alive()"),
    (is_alive_old, "isAlive", "is_alive()"),
]


@pytest.mark.parametrize("answer, message, hint", STILL, ids=[s[0].__name__ for s in STILL])
def test_still_running_mistakes(answer, message, hint):
    _wrong(check_still_running, answer, message, hint, limit=12.0)


@pytest.mark.timeout(120)
def test_still_running_model_passes_20_of_20():
    _passes_20(check_still_running, model_still_running)


# --- primes_queue_and_lock: a twin pair under one lock -------------------------------------

def model_pair(output, lock, p, q):
    with lock:
        output.add(p)
        output.add(q)


def model_pair_acquire_release(output, lock, p, q):
    lock.acquire()
    try:
        output.add(p)
        output.add(q)
    finally:
        lock.release()


def no_lock(output, lock, p, q):
    output.add(p)
    output.add(q)


def new_lock(output, lock, p, q):
    with threading.Lock():
        output.add(p)
        output.add(q)


def two_sections(output, lock, p, q):
    with lock:
        output.add(p)
    with lock:
        output.add(q)


def half_locked(output, lock, p, q):
    with lock:
        output.add(p)
    output.add(q)


def never_released(output, lock, p, q):
    lock.acquire()
    output.add(p)
    output.add(q)


def only_one(output, lock, p, q):
    with lock:
        output.add(p)


PAIRS = [
    (_stub, "nothing was added", "PrimeOutput.add"),
    (no_lock, "never taken", "lock passed in"),
    (new_lock, "never taken", "new lock on every call"),
    (two_sections, "two separate holds", "one `with lock:` block"),
    (half_locked, "without holding the lock", "both output.add"),
    (never_released, "never released", "`with lock:`"),
    (only_one, "your function added", "each once"),
]


@pytest.mark.parametrize("answer, message, hint", PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_pair_mistakes(answer, message, hint):
    _wrong(check_safe_add, answer, message, hint, limit=12.0)


def test_a_lock_never_released_blocks_at_most_seconds_and_leaves_nothing():
    t0 = time.monotonic()
    result = check_safe_add(never_released)
    assert time.monotonic() - t0 < 7.0
    assert "99 of 100" not in result.message and "freed" in result.message


@pytest.mark.timeout(120)
@pytest.mark.parametrize("answer", [model_pair, model_pair_acquire_release])
def test_pair_models_pass_20_of_20(answer):
    _passes_20(check_safe_add, answer)


# --- primes_queue_and_lock: drain what producers put ---------------------------------------

def model_drain(q, producers):
    items, done = [], 0
    while done < producers:
        item = q.get(timeout=5)
        if item is None:
            done += 1
        else:
            items.append(item)
    return items


def while_not_empty(q, producers):
    items = []
    while not q.empty():
        items.append(q.get())
    return items


def get_nowait_loop(q, producers):
    items = []
    while True:
        try:
            item = q.get_nowait()
        except queue.Empty:
            return items
        if item is not None:
            items.append(item)


def peek(q, producers):
    return list(q.queue)


def first_marker(q, producers):
    items = []
    while (item := q.get(timeout=5)) is not None:
        items.append(item)
    return items


def polls(q, producers):
    items, done = [], 0
    while done < producers:
        try:
            item = q.get_nowait()
        except queue.Empty:
            continue
        if item is None:
            done += 1
        else:
            items.append(item)
    return items


def one_marker_too_many(q, producers):
    items, done = [], 0
    while done < producers + 1:
        item = q.get()
        if item is None:
            done += 1
        else:
            items.append(item)
    return items


def keeps_markers(q, producers):
    items, done = [], 0
    while done < producers:
        item = q.get(timeout=5)
        done += item is None
        items.append(item)
    return items


DRAINS = [
    (_stub, "expected a list", "in a list"),
    (while_not_empty, "no items", "stop markers"),
    (get_nowait_loop, "no items", "Nones"),
    (peek, "took nothing", "q.get()"),
    (first_marker, "only", "not the first one"),
    (polls, "polling", "instead of a get_nowait() loop"),
    (one_marker_too_many, "still waiting", "count the None markers"),
    (keeps_markers, "stop markers", "leave the Nones out"),
]


@pytest.mark.parametrize("answer, message, hint", DRAINS, ids=[d[0].__name__ for d in DRAINS])
def test_drain_mistakes(answer, message, hint):
    _wrong(check_drain, answer, message, hint, limit=10.0)


@pytest.mark.timeout(120)
def test_drain_model_passes_20_of_20():
    _passes_20(check_drain, model_drain)


# --- primes_thread_pool: input order with as_completed -------------------------------------

def model_input_order(numbers):
    answers = [None] * len(numbers)
    with ThreadPoolExecutor(max_workers=4) as pool:
        position = {pool.submit(is_prime, n): i for i, n in enumerate(numbers)}
        for future in as_completed(position):
            answers[position[future]] = future.result()
    return answers


def completion_as_input(numbers):
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(is_prime, n) for n in numbers]
        return [f.result() for f in as_completed(futures)]


def primes_not_answers(numbers):
    with ThreadPoolExecutor(max_workers=4) as pool:
        return [n for n, a in zip(numbers, pool.map(is_prime, numbers)) if a]


def hard_coded_answers(numbers):
    return [True, False, True, False, False, True, False, False]


INPUT_ORDER = [
    (_stub, "expected a list", "in input order"),
    (completion_as_input, "order the tasks finished", "{future: position}"),
    (primes_not_answers, "the primes", "every number"),
    (hard_coded_answers, "expected", "numbers you are given"),
]


@pytest.mark.parametrize("answer, message, hint", INPUT_ORDER,
                         ids=[i[0].__name__ for i in INPUT_ORDER])
def test_input_order_mistakes(answer, message, hint):
    _wrong(check_input_order, answer, message, hint)


def test_completion_order_fails_every_time():
    for _ in range(30):
        assert not check_input_order(completion_as_input).passed


def test_a_pool_left_running_is_noticed():
    hold = threading.Event()

    def leaves_a_thread(numbers):
        pool = ThreadPoolExecutor(max_workers=1)
        pool.submit(hold.wait, 5)
        out = [is_prime(n) for n in numbers]
        pool.shutdown(wait=False)
        return out

    try:
        result = check_input_order(leaves_a_thread)
    finally:
        hold.set()
    assert not result.passed and "left running" in result.message


@pytest.mark.timeout(120)
def test_input_order_model_passes_20_of_20():
    _passes_20(check_input_order, model_input_order)


# --- primes_thread_pool: a task that shares an output --------------------------------------

def model_make_task(output):
    lock = threading.Lock()

    def task(n):
        if is_prime(n):
            with lock:
                output.add(n)

    return task


def lock_per_call(output):
    def task(n):
        if is_prime(n):
            with threading.Lock():
                output.add(n)
    return task


def unlocked_task(output):
    def task(n):
        if is_prime(n):
            output.add(n)
    return task


def adds_everything(output):
    lock = threading.Lock()

    def task(n):
        with lock:
            output.add(n)
    return task


def forgets_release(output):
    lock = threading.Lock()

    def task(n):
        if is_prime(n):
            lock.acquire()
            output.add(n)
    return task


POOL_TASKS = [
    (_stub, "returned None", "returns a function"),
    (lock_per_call, "at the same time", "create the lock once"),
    (unlocked_task, "at the same time", "where is yours created"),
    (adds_everything, "non-primes", "only if is_prime"),
    (forgets_release, "never released", "`with lock:`"),
]


@pytest.mark.parametrize("answer, message, hint", POOL_TASKS,
                         ids=[p[0].__name__ for p in POOL_TASKS])
def test_pool_task_mistakes(answer, message, hint):
    _wrong(check_pool_task, answer, message, hint, limit=12.0)


@pytest.mark.timeout(120)
def test_pool_task_model_passes_20_of_20():
    _passes_20(check_pool_task, model_make_task)


# --- primes_what_it_shows: chunksize and crossover -----------------------------------------

def model_chunksize(n, w):
    return max(1, math.ceil(n / (4 * w)))


CHUNKS = [
    (_stub, "returned None", "returns the chunksize"),
    (lambda n, w: n // w, "one per worker", "4 * workers"),
    (lambda n, w: max(1, n // w), "one per worker", "rounded up"),
    (lambda n, w: n // (4 * w), "returned 0", "max(1"),
    (lambda n, w: 1, "trips", "divide by 4 * workers"),
    (lambda n, w: w, "trips", "few chunks per worker"),
    (lambda n, w: n, "some workers get nothing", "as many chunks as workers"),
    (lambda n, w: n / (4 * w), "you returned", "not /"),
    (lambda n, w: 64, "trips", "4 * workers"),
]


@pytest.mark.parametrize("answer, message, hint", CHUNKS,
                         ids=["stub", "n//w", "max1 n//w", "n//4w", "one", "w", "n", "float", "64"])
def test_chunksize_mistakes(answer, message, hint):
    _wrong(check_chunksize, answer, message, hint)


def test_chunksize_model_passes_20_of_20():
    _passes_20(check_chunksize, model_chunksize)


def model_first_win(sizes, t_seq, t_proc):
    answer = None
    for size, seq, proc in reversed(list(zip(sizes, t_seq, t_proc))):
        if proc < seq:
            answer = size
        else:
            break
    return answer


def first_win(sizes, t_seq, t_proc):
    return next((s for s, a, b in zip(sizes, t_seq, t_proc) if b < a), None)


def one_ahead(sizes, t_seq, t_proc):
    for i in range(len(sizes) - 1):
        if t_proc[i] < t_seq[i] and t_proc[i + 1] < t_seq[i + 1]:
            return sizes[i]
    return sizes[-1] if t_proc[-1] < t_seq[-1] else None


def last_size(sizes, t_seq, t_proc):
    return sizes[-1] if t_proc[-1] < t_seq[-1] else None


def or_equal(sizes, t_seq, t_proc):
    answer = None
    for size, seq, proc in reversed(list(zip(sizes, t_seq, t_proc))):
        if proc <= seq:
            answer = size
        else:
            break
    return answer


def never_none(sizes, t_seq, t_proc):
    answer = sizes[-1]
    for size, seq, proc in reversed(list(zip(sizes, t_seq, t_proc))):
        if proc < seq:
            answer = size
        else:
            break
    return answer


CROSS = [
    (_stub, "got None", "only when"),
    (lambda s, a, b: 1000, "expected 64", "every larger one"),
    (first_win, "the first win", "from the largest size down"),
    (one_ahead, "one size ahead", "every larger size"),
    (last_size, "the largest size", "keep going down"),
    (or_equal, "tie is not a win", "<, not <="),
    (never_none, "no win at the largest size", "return None"),
]


@pytest.mark.parametrize("answer, message, hint", CROSS,
                         ids=["stub", "hard-coded", "first win", "one ahead", "last", "<=", "no None"])
def test_crossover_mistakes(answer, message, hint):
    _wrong(check_crossover, answer, message, hint)


def test_crossover_model_passes_20_of_20():
    _passes_20(check_crossover, model_first_win)


def test_learner_code_that_hangs_is_abandoned_with_a_message(monkeypatch):
    import parallel_demo.checks._base as base

    monkeypatch.setattr(base, "CHECK_TIMEOUT", 0.3)
    release = threading.Event()
    t0 = time.monotonic()
    result = check_chunksize(lambda n, w: release.wait(5))
    release.set()
    assert not result.passed and "stopped waiting" in result.message
    assert time.monotonic() - t0 < 4.0


# --- primes_thread_per_number: predict, then measure ---------------------------------------

@pytest.mark.parametrize("prediction, hint", [
    (4.0, "ideal line"), (2.0, "physical limit"), (3.0, "at the same time"), (0.2, "start-up"),
])
def test_thread_prediction_wrong_numbers(prediction, hint):
    reset_tries()
    result = _judge_thread_prediction(prediction, 0.92, 0.88, 0.96, threads=4, cpus=2)
    assert not result.passed and "you predicted" in result.message and "measured" in result.message
    assert hint in result.message or hint in result.hint, result
    assert "1×" in result.detail


@pytest.mark.parametrize("prediction", [1.0, 0.9, 0.95])
def test_thread_prediction_right_numbers_pass_20_of_20(prediction):
    for measured in [0.7, 0.85, 0.92, 0.98, 1.02] * 4:  # busy and quiet machines alike
        result = _judge_thread_prediction(prediction, measured, measured * 0.95, measured * 1.04,
                                          threads=4, cpus=2)
        assert result.passed, result


def test_thread_prediction_without_a_gil_expects_the_cpus():
    assert _judge_thread_prediction(2.0, 1.9, 1.8, 2.0, threads=4, cpus=2, gil=False).passed
    assert not _judge_thread_prediction(1.0, 1.9, 1.8, 2.0, threads=4, cpus=2, gil=False).passed


@pytest.mark.parametrize("answer", [..., None, "2", True, -1, 0, float("nan")])
def test_thread_prediction_not_a_number(answer):
    result = check_thread_prediction(answer, draw=False)
    assert not result.passed and ("number" in result.message + result.hint
                                  or "positive" in result.hint)


def test_thread_prediction_measures_draws_and_words_it_with_a_verdict():
    import matplotlib.pyplot as plt

    plt.close("all")
    result = check_thread_prediction(1.0, numbers=[1_000_003, 1_000_033], repeat=2)
    assert "you predicted 1.00×" in result.message
    assert any(w in result.message for w in ("faster", "slower", "tie"))
    ax = plt.gcf().axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "your prediction" in labels and any(label.startswith("ideal") for label in labels)
