"""Command-line interfaces: the ``lakestream`` umbrella CLI and the per-service job entry points."""

from lakestream.common.runtime.memory import use_system_arrow_pool

use_system_arrow_pool()  # every process entry point comes here first, before pyarrow loads
