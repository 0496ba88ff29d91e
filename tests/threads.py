"""Requests sent at the same instant, for the tests of what locks keep apart (on PostgreSQL)."""

import threading

from django.db import connection
from django.test import Client


def post_together(*posts, timeout=30):
    """Send each (user, url, data) from a thread of its own, signed in as the user, each on its own
    database connection; the responses, in the order given. A request that raised or did not finish
    in `timeout` seconds fails the test here, not as a puzzling response."""
    responses, failures = [None] * len(posts), []

    def send(n, user, url, data):
        try:
            browser = Client()
            browser.force_login(user)
            responses[n] = browser.post(url, data)
        except Exception as error:  # noqa: BLE001 reported below, where the test can fail on it
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n, *post)) for n, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not failures, failures
    assert not any(thread.is_alive() for thread in threads), f"a request did not finish in {timeout} s"
    return responses
