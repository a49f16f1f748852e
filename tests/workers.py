"""A real Celery worker thread on the project's app, for tests that run against REDIS_URL."""

import contextlib
import threading
from collections.abc import Iterator

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from portal.celery import app as celery_app

WAIT_SECONDS = 30


class FinishedTasks:
    """Return values of the tasks the worker thread has finished, keyed by task id."""

    def __init__(self):
        self.results: dict[str, object] = {}
        self._changed = threading.Condition()

    def record(self, task_id: str, retval: object) -> None:
        with self._changed:
            self.results[task_id] = retval
            self._changed.notify_all()

    def wait_for(self, task_id: str, timeout: float = WAIT_SECONDS) -> object:
        with self._changed:
            if not self._changed.wait_for(lambda: task_id in self.results, timeout=timeout):
                raise AssertionError(f"the worker did not finish task {task_id} in {timeout}s")
            return self.results[task_id]


@contextlib.contextmanager
def running_worker() -> Iterator[FinishedTasks]:
    """Start a solo worker consuming from the broker, purged of leftovers of earlier runs."""
    assert not celery_app.conf.task_always_eager, "REDIS_URL must make Celery use the broker"
    finished = FinishedTasks()

    def on_postrun(sender=None, task_id=None, retval=None, **kwargs):
        finished.record(task_id, retval)
        # The worker thread holds its own DB connection: close it so that the test database
        # can be flushed and dropped afterwards.
        connections.close_all()

    task_postrun.connect(on_postrun, weak=False)
    celery_app.control.purge()
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=15,
        ):
            yield finished
    finally:
        task_postrun.disconnect(on_postrun)
