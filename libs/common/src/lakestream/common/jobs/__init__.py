"""Job entry points of the deployed wheels (argparse, no Typer) and the logic they share with
the ``lakestream`` CLI of lakestream-tooling: running services, maintenance, the self-test and the
process exit handling."""

from lakestream.common.runtime.memory import use_system_arrow_pool

use_system_arrow_pool()  # every process entry point comes here first, before pyarrow loads
