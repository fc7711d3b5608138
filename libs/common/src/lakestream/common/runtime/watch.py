"""Between batches: check that each flow's source is still there, with bounded retries."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from lakestream.common.errors import SourceUnavailableError

log = logging.getLogger(__name__)


class SourceWatch:
    """Runs source probes; a failing probe is retried with doubling back-off, then raises.

    ``check`` is cheap to call often: while waiting out a back-off it returns at once. After
    ``retries`` failed retries it raises SourceUnavailableError naming the source and the wait.
    """

    def __init__(
        self,
        probes: Sequence[Callable[[], None]],
        retries: int,
        backoff: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.probes = probes
        self.retries = retries
        self.backoff = backoff
        self.clock = clock
        self.failures = 0
        self._next = 0.0
        self._since = 0.0

    def check(self) -> None:
        """Probe every source unless a back-off is running; raise once retries are used up."""
        now = self.clock()
        if now < self._next:
            return
        try:
            for probe in self.probes:
                probe()
        except SourceUnavailableError as exc:
            if self.failures == 0:
                self._since = now
            if self.failures >= self.retries:
                raise SourceUnavailableError(
                    f"{exc} (still failing after {self.retries} retries over "
                    f"{now - self._since:.0f}s; LAKESTREAM_SOURCE_MAX_RETRIES)"
                ) from None
            delay = self.backoff * 2**self.failures
            self.failures += 1
            log.warning("%s; retry %d/%d in %gs", exc, self.failures, self.retries, delay)
            self._next = now + delay
            return
        if self.failures:
            log.warning("source available again after %d retries", self.failures)
        self.failures = 0
