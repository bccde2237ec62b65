"""One log format for every Bahi process: UTC timestamps, the service name first."""

import logging
import time


def setup_logging(service: str, level: str = "INFO") -> None:
    formatter = logging.Formatter(f"%(asctime)sZ {service} %(levelname)s %(name)s: %(message)s")
    formatter.converter = time.gmtime
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel("WARNING")
