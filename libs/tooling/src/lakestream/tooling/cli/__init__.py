"""The ``lakestream`` command line for people (Typer); the job entry points are in
``lakestream.common.jobs``."""

from lakestream.common.runtime.memory import use_system_arrow_pool

use_system_arrow_pool()  # every process entry point comes here first, before pyarrow loads
