"""``lakestream bench``: throughput, memory and latency of the chain against a plain Spark job."""
