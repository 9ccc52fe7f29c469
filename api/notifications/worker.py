"""The push worker's entry point: configuration from Settings (challenges/ never imports
api/), the process's signals, and the bounded `--once` run."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from datetime import UTC, datetime, timedelta

from api.bootstrap import Application, Process, bootstrap
from api.scheduler import Schedule, worker_jobs
from api.settings import Settings
from challenges.delivery.backoff import RetryPolicy
from challenges.delivery.providers import ProviderConfig, open_providers
from challenges.delivery.worker import BatchReport, OutboxWorker, WorkerOptions


def provider_config(settings: Settings) -> ProviderConfig:
    return ProviderConfig(
        webhook_url=settings.push_webhook_url,
        webhook_secret=settings.push_webhook_secret,
        fcm_service_account_file=settings.fcm_service_account_file,
        fcm_api_url=settings.fcm_api_url,
        fcm_token_uri=settings.fcm_token_uri,
        apns_key_file=settings.apns_key_file,
        apns_key_id=settings.apns_key_id,
        apns_team_id=settings.apns_team_id,
        apns_topic=settings.apns_topic,
        apns_url=settings.apns_url,
        request_timeout_seconds=settings.push_request_timeout_seconds,
    )


def worker_options(settings: Settings, batch_size: int | None = None) -> WorkerOptions:
    return WorkerOptions(
        batch_size=batch_size or settings.push_batch_size,
        lease=timedelta(seconds=settings.push_lease_seconds),
        retry=RetryPolicy(
            max_attempts=settings.push_max_attempts,
            base=timedelta(seconds=settings.push_backoff_base_seconds),
            cap=timedelta(seconds=settings.push_backoff_cap_seconds),
        ),
    )


async def run_worker(app: Settings | Application, once: bool, batch_size: int | None = None,
                     poll_seconds: float = 2.0) -> BatchReport | None:
    """Deliver the outbox and run the periodic jobs. `once`: every job once, then one
    batch, then return its report.

    Otherwise until SIGINT/SIGTERM; the batch in hand finishes first (its leases would
    bring it back anyway, but finishing avoids needless repeats).

    Given bare settings (tests), it builds the worker's wiring itself; the database is the
    caller's either way. The jobs' use cases get the API's handlers and after-commit work.
    """
    if isinstance(app, Application):
        return await _run(app, once, batch_size, poll_seconds)
    application = bootstrap(app, process=Process.WORKER)
    try:
        return await _run(application, once, batch_size, poll_seconds)
    finally:
        await application.aclose()


async def _run(application: Application, once: bool, batch_size: int | None,
               poll_seconds: float) -> BatchReport | None:
    settings = application.settings
    async with open_providers(provider_config(settings)) as providers:
        worker = OutboxWorker(providers, worker_options(settings, batch_size))
        schedule = Schedule(worker_jobs())  # expiry, reminders, holds: see api/scheduler.py
        if once:
            await schedule.run_all(datetime.now(UTC))
            return await worker.run_once()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # not on Windows
                loop.add_signal_handler(sig, stop.set)
        await worker.run_forever(stop, poll_seconds, periodic=schedule.tick, periodic_every=timedelta(minutes=1))
        return None
