"""`python -m projector_service`: run every projection (health and metrics on BAHI_PROJECTOR_PORT);
`python -m projector_service --help` lists the operator commands (rebuild, status, parked)."""

from projector_service.cli import app

if __name__ == "__main__":
    app(prog_name="python -m projector_service")
