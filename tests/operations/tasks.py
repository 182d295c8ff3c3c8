"""A task for the tests to enqueue, so the queue depth counts real rows of the backend."""

from django.tasks import task


@task()
def nothing_to_do() -> None:
    """Never run: the tests only enqueue it."""
