"""The PostgreSQL-backed job queue (procrastinate) and the worker that runs it."""
