"""Spark session management for local runs and Databricks."""
