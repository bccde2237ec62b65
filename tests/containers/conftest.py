"""The container tests (make test-containers): they need the image that `make images` built. At
the end of the run, how long each container took from `podman run` to its first passing health
check."""

from __future__ import annotations

import pytest

from tests.support.containers import IMAGE, TIMINGS, podman


@pytest.fixture(scope="session", autouse=True)
def _image_built() -> None:
    # An explicit failure, not a skip: without the image nothing here can be tested.
    assert podman("image", "exists", IMAGE, check=False).returncode == 0, f"no image {IMAGE}: run `make images`"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS:
        terminalreporter.section("container start to healthy")
        for what, seconds in TIMINGS:
            terminalreporter.write_line(f"{what:<36} {seconds:6.2f} s")
