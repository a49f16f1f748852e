"""Browser-test harness: Playwright for Python driving Debian's Chromium (/usr/bin/chromium,
never a downloaded browser) against pytest-django's live server."""

import os
import re
import time
from pathlib import Path

import pytest
from django.db import OperationalError

CHROMIUM = os.environ.get("RENKEI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # the CI machine has no network: no phoning home
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per module. Playwright's sync API runs an asyncio loop in this
    thread; Django's ORM would otherwise refuse to be called while that loop exists. The
    permission lasts as long as the loop only: a later test (test_settings_env's `check
    --deploy` in a subprocess) must not inherit it."""
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield from _chromium(sync_playwright)


def _chromium(sync_playwright):
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() -> a page in a fresh browser context (its own cookies: one person each)."""
    contexts = []

    def make(locale: str = "ja-JP"):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot(request):
    """screenshot(page, "step") saves var/screenshots/<module>-NN-step.png, numbered in order
    (e.g. onboarding_journey-03-invite-form.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    module = request.node.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    siblings = [item for item in request.session.items if item.module is request.node.module]
    prefix = module
    if len(siblings) > 1:  # several tests in one module: keep their screenshots apart
        prefix += "-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name.removeprefix("test_"))
    for old in SCREENSHOTS.glob(f"{prefix}-*.png"):
        old.unlink()
    counter = iter(range(1, 100))

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{prefix}-{next(counter):02d}-{step}.png"
        # A screenshot of a long page waits for a quiet moment to paint: on a loaded
        # machine that can take longer than an action's timeout.
        page.screenshot(path=str(path), full_page=True, timeout=4 * TIMEOUT_MS)
        return path

    return take


@pytest.fixture
def task_runner():
    """With REDIS_URL, tasks go through the broker: run a real worker thread beside the live
    server. Without it Celery is eager and there is nothing to start."""
    from portal.celery import app as celery_app

    if celery_app.conf.task_always_eager:
        yield None
        return
    from tests.workers import running_worker

    with running_worker() as finished:
        yield finished


def wait_for(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OperationalError as error:
            # SQLite's shared in-memory database: the live server's thread is writing the
            # very row this test polls for ("database table is locked"). Ask again.
            if "locked" not in str(error):
                raise
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def totp_device(user):
    """The user's authenticator app (a confirmed TOTP device), created if they have none, so
    that a sign-in goes to the verification page rather than to enrolment."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)


def totp_code(device) -> str:
    """The code the user's phone would show now: the current time step, or the next one if the
    current one was already used (django-otp accepts each step once, and one step ahead)."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time()
    ahead = max(0, device.last_t + 1 - clock.t())
    clock.time += ahead * device.step
    return f"{clock.token():0{device.digits}d}"


def give_second_factor(page, device) -> None:
    """On the verification page after the password, type the code of ``device``."""
    page.wait_for_url(re.compile(r"/accounts/mfa/verify/"))
    page.fill("input[name=code]", totp_code(device))
    page.click("#mfa-verify-form button[type=submit]")
    page.wait_for_load_state()


def sign_in(page, email: str) -> None:
    """Sign in through the form with the factories' password; lands on "my communities"."""
    from tests.factories import PASSWORD

    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/c/$"))
