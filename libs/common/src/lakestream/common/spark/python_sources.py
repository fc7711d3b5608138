"""Registering lakestream's Python data sources so concurrent streaming queries can share them.

Spark 4.1 gives every function made from a registered Python data source the *same* Java map of
worker environment variables, and its streaming source runner adds three keys to that map when a
query starts. A query starting while another query's task (which carries the same map) is being
serialized corrupts that task, which fails with ``java.io.OptionalDataException`` (decision 0097).
Registering with those keys already present turns the runner's writes into value replacements,
which never change the map's structure.
"""

from __future__ import annotations

from pyspark.sql import SparkSession
from pyspark.sql.datasource import DataSource

# The keys ``PythonStreamingSourceRunner.init`` puts into the data source's shared environment.
STREAMING_RUNNER_ENV_KEYS = ("SPARK_LOCAL_DIRS", "SPARK_AUTH_SOCKET_TIMEOUT", "SPARK_BUFFER_SIZE")


def register_data_source(spark: SparkSession, source: type[DataSource]) -> None:
    """Register ``source`` with the worker environment keys its streaming runner writes pre-set."""
    try:
        context = spark.sparkContext
    except Exception:  # Spark Connect: no driver-side runner shares a map with this process
        context = None
    if context is not None and not set(STREAMING_RUNNER_ENV_KEYS) <= context.environment.keys():
        context.environment.update(_runner_env(spark))
    spark.dataSource.register(source)


def _runner_env(spark: SparkSession) -> dict[str, str]:
    """The values the streaming source runner itself would write, read from the running JVM."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    disk = jvm.org.apache.spark.SparkEnv.get().blockManager().diskBlockManager()
    local_dirs = ",".join(str(d.getPath()) for d in disk.localDirs())
    conf = spark.sparkContext.getConf()
    timeout = jvm.org.apache.spark.network.util.JavaUtils.timeStringAsSec(
        conf.get("spark.python.authenticate.socketTimeout", "15s")
    )
    buffer_size = int(conf.get("spark.buffer.size", "65536"))
    return {
        "SPARK_LOCAL_DIRS": local_dirs,
        "SPARK_AUTH_SOCKET_TIMEOUT": str(timeout),
        "SPARK_BUFFER_SIZE": str(buffer_size),
    }
