"""Process managers (sagas): react to events, keep their own state, emit commands through the
dispatcher. Each context declares its own in its manifest (`ProcessManagerSpec`); run them
all with `python -m command_service.sagas`."""

from command_service.sagas.spec import ProcessManager, ProcessManagerSpec, Resources

__all__ = ["ProcessManager", "ProcessManagerSpec", "Resources"]
