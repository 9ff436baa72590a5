"""Browser tests on a machine without Chromium: skipped with what to install, unless CI requires them."""

import pytest

import _browser


@pytest.mark.parametrize("ci, skip_flag, chromium, expected", [
    (None, None, "missing", "no Chromium (apt-get install chromium"),
    ("1", None, "missing", None),                       # CI: required, chromium_page fails instead
    (None, None, "present", None),
    ("1", "1", "missing", "DESIGNKIT_SKIP_BROWSER=1"),  # an explicit skip wins even in CI
])
def test_skip_reason(monkeypatch, tmp_path, ci, skip_flag, chromium, expected):
    binary = tmp_path / "chromium"
    if chromium == "present":
        binary.write_text("#!/bin/sh\n")
    monkeypatch.setattr(_browser, "CHROMIUM", binary)
    for name, value in (("CI", ci), ("DESIGNKIT_SKIP_BROWSER", skip_flag)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    reason = _browser.skip_reason()
    if expected is None:
        assert reason is None
    else:
        assert expected in reason and "\n" not in reason


def test_ci_without_chromium_fails_with_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(_browser, "CHROMIUM", tmp_path / "nothing-here")
    monkeypatch.setenv("CI", "1")
    monkeypatch.delenv("DESIGNKIT_SKIP_BROWSER", raising=False)
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        with _browser.chromium_page():
            pass
