"""Run the periodic tasks in this process: Celery beat for the embedded default.

Without ``REDIS_URL`` Celery runs tasks inline and no beat is running, so nothing would sweep the
timers (re-escalation, SLA warnings and breaches, webhook retries). This command runs every
*interval* entry of ``settings.CELERY_BEAT_SCHEDULE`` (a number of seconds, a ``timedelta`` or a
``celery.schedules.schedule``) inline, at start and then every interval; clock-time (``crontab``)
entries — the daily and hourly maintenance — are left to a real beat.

* ``manage.py run_timers`` runs them in the foreground until interrupted;
* ``--once`` runs each once and exits (tests, cron);
* ``--serve ADDRPORT`` serves the site as well (``runserver ADDRPORT --noreload``, daphne) and
  runs the timers beside it in the same process. ``run.py demo`` uses this: the in-memory channel
  layer and the live queue's sequence counters (local-memory cache) exist once per process, so
  only timers run inside the server reach the browsers with their live-queue events. Each run is
  handed to the server's event loop and runs in its worker threads, like a view.

In production run ``celery beat`` (exactly one) and workers instead: docs/operations/serving.md.
A task that fails is logged (its entry's name) and the others go on.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import importlib.util
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import sync_to_async
from celery.schedules import schedule as interval_schedule
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

logger = logging.getLogger("escalations.run_timers")


@dataclass(frozen=True)
class Entry:
    name: str
    task: str
    seconds: float
    args: tuple
    kwargs: dict


def interval_entries(beat_schedule: dict) -> tuple[list[Entry], list[str]]:
    """The entries of a beat schedule that run every so many seconds, and the names of the
    others (clock-time schedules)."""
    entries, skipped = [], []
    for name, entry in beat_schedule.items():
        every = entry["schedule"]
        if isinstance(every, interval_schedule):
            every = every.run_every
        if isinstance(every, timedelta):
            every = every.total_seconds()
        if isinstance(every, bool) or not isinstance(every, int | float) or every <= 0:
            skipped.append(name)
            continue
        args, kwargs = tuple(entry.get("args", ())), dict(entry.get("kwargs", {}))
        entries.append(Entry(name, entry["task"], float(every), args, kwargs))
    return entries, skipped


def run_entry(entry: Entry) -> bool:
    """Run one entry's task inline, in this thread; False (logged) when it failed."""
    # The project's Celery app (patientcare/__init__.py makes it the current one when Django's
    # settings package is imported): the command stays below the project layer.
    from celery import current_app as app

    _tidy_connections()
    try:
        _import_task_modules()
        app.tasks[entry.task].apply(args=entry.args, kwargs=entry.kwargs, throw=True)
    except Exception:
        logger.exception("periodic task %s (%s) failed", entry.name, entry.task)
        return False
    finally:
        _tidy_connections()
    return True


@functools.cache
def _import_task_modules() -> None:
    """Import each installed app's ``tasks`` module, as Celery's autodiscovery does in a worker
    (without its ``django.setup()`` and system checks on every call)."""
    for config in apps.get_app_configs():
        name = f"{config.name}.tasks"
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # the app is a module, not a package
            found = False
        if found:
            importlib.import_module(name)


def _tidy_connections() -> None:
    """Drop this thread's connections that are broken or past ``CONN_MAX_AGE``, as Django's
    request cycle and Celery's workers do — never inside a caller's transaction (tests)."""
    if not connection.in_atomic_block:
        close_old_connections()


class Timers:
    """Runs due entries every interval until stopped. ``run`` is how one entry is run: inline, or
    handed to the server's event loop."""

    def __init__(self, entries: list[Entry], run=run_entry) -> None:
        self.entries = entries
        self.run = run
        self.stopped = threading.Event()

    def run_once(self) -> int:
        """Run every entry once; the number that failed."""
        return sum(not self.run(entry) for entry in self.entries)

    def run_forever(self) -> None:
        next_at = {entry.name: time.monotonic() for entry in self.entries}
        while not self.stopped.is_set():
            for entry in self.entries:
                if self.stopped.is_set():
                    return
                if time.monotonic() >= next_at[entry.name]:
                    self.run(entry)
                    # The next run an interval after this one was due; never a burst to catch up.
                    next_at[entry.name] = max(
                        next_at[entry.name] + entry.seconds, time.monotonic() + 1
                    )
            wait = min(next_at.values()) - time.monotonic()
            self.stopped.wait(max(0.0, min(wait, 60.0)))


class InServerLoop:
    """Runs an entry in a worker thread of the server's event loop (the Twisted reactor that
    daphne runs on asyncio), so that what it publishes goes through the server's channel layer
    exactly as a view's changes do. The first call waits for the server to start."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._found = threading.Event()

    def _capture(self) -> None:  # runs in the reactor's thread
        self._loop = asyncio.get_running_loop()
        self._found.set()

    def __call__(self, entry: Entry) -> bool:
        if self._loop is None:
            from twisted.internet import reactor

            reactor.callFromThread(self._capture)
            self._found.wait()
        future = asyncio.run_coroutine_threadsafe(
            sync_to_async(run_entry, thread_sensitive=False)(entry), self._loop
        )
        return future.result()


class Command(BaseCommand):
    help = (
        "Run the interval entries of CELERY_BEAT_SCHEDULE (the timer sweeps) in this process: "
        "celery beat for the embedded default."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Run each interval entry once and exit."
        )
        parser.add_argument(
            "--serve",
            metavar="ADDRPORT",
            help="Also serve the site (runserver ADDRPORT --noreload) in this process, with the "
            "timers beside it: their live-queue events then reach the in-memory channel layer.",
        )

    def handle(self, *args, once: bool, serve: str | None, **options):
        entries, skipped = interval_entries(settings.CELERY_BEAT_SCHEDULE)
        if once and serve:
            raise CommandError("--once and --serve exclude each other.")
        if once:
            failed = Timers(entries).run_once()
            names = ", ".join(entry.name for entry in entries)
            self.stdout.write(f"Ran {len(entries) - failed} of {len(entries)}: {names}.")
            if failed:
                raise CommandError(f"{failed} periodic task(s) failed (see the log).")
            return
        self.stdout.write(
            "Timers: "
            + ", ".join(f"{entry.name} every {entry.seconds:g} s" for entry in entries)
            + (f" (not run here, clock-time schedules: {', '.join(skipped)})" if skipped else "")
            + ".",
        )
        if serve:
            import daphne.server  # noqa: F401 - installs the asyncio reactor runserver uses

            timers = Timers(entries, run=InServerLoop())
            threading.Thread(target=timers.run_forever, name="timers", daemon=True).start()
            call_command("runserver", serve, use_reloader=False)
            timers.stopped.set()
            # The server has stopped (SIGTERM, Ctrl-C). A timer run still in progress waits for
            # the server's event loop to deliver its live-queue events, which will never
            # happen, and Python's exit would wait for that worker thread forever: leave now.
            # Its transaction is rolled back with the connection; the next start runs it again.
            self.stdout.flush()
            os._exit(0)
        timers = Timers(entries)
        previous = signal.signal(signal.SIGTERM, lambda *_: timers.stopped.set())
        try:
            timers.run_forever()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
