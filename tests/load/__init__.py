"""Load-testing Bahi's read side against a deployment: `python -m tests.load seed|run|report|scale|...`.

seed      writes a reproducible data set (Zipf-active customers, a catalogue in real categories,
          orders through their lifecycle, wallets, bank accounts) through the command service's
          own dispatcher into the event store, so the views are the projector's real projections;
run       an open-loop, multi-process driver: requests at a constant or stepped arrival rate, each
          timed from its scheduled send time into HdrHistograms (per endpoint and time window);
report    one self-contained HTML page, CSV and JSON, PNG plots, k6-style pass/fail thresholds;
scale     the query service as 1, 2, 4 processes behind one port (SO_REUSEPORT), the capacity curve;
stub      a calibration server that stalls every Nth request (the coordinated-omission check);
locust    `locustfile.py` runs the same scenarios under Locust (FastHttpUser) for its UI.

Scenarios are data (`scenarios/*.toml`). Nothing here runs in `make test` except the smoke
tests in tests/integration/load/; `make loadtest` runs the harness against 127.0.0.1."""
