"""The layer harness: source stream -> pure transform -> idempotent sinks + audit."""
