"""Process managers: react to events, keep their own state, emit commands through `dispatch`.

`payment` drives prepaid orders: one whose payment fails, or does not arrive within
the configured timeout, is cancelled (its stock released) exactly once, however
often the saga restarts or sees an event again. Run it with
`python -m command_service.sagas`.
"""

from command_service.sagas.payment import PaymentSaga, Watch, WatchState, react

__all__ = ["PaymentSaga", "Watch", "WatchState", "react"]
