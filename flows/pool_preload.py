"""Imported by the extraction pool's fork server, and by nothing else (``flows.run.ExtractionPool``): the
fork server loads here, once, what every worker forked from it needs (``flows.batch.preload_worker``)."""
from flows.batch import preload_worker

preload_worker()
