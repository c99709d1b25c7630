"""The exception tree services raise; resolvers map it to the API.

ServiceError                 expected failure: a `userErrors` entry (code, field)
  ValidationFailed           VALIDATION_ERROR
  NotFound                   NOT_FOUND (also for rows of another organization)
  Conflict                   CONFLICT
  PlanRequired               PLAN_REQUIRED
  InsufficientCredits        INSUFFICIENT_CREDITS
  QuotaExceeded              QUOTA_EXCEEDED (the plan's monthly tailoring calls)
  NoJobDescription           NO_JOB_DESCRIPTION
  InvalidState               INVALID_STATE (a job transition its state forbids)
  DefaultAgent               DEFAULT_AGENT (the default agent cannot be deleted)
  AgentHasActiveJobs         AGENT_HAS_ACTIVE_JOBS
  NoMatchingAgent            NO_MATCHING_AGENT
  BillingUnavailable         BILLING_UNAVAILABLE (no Stripe keys, or Stripe is down)
  NoSubscription             NO_SUBSCRIPTION (portal without a Stripe customer)
  PayoutsNotEnabled          PAYOUTS_NOT_ENABLED (no active Connect account)
  ServiceBusy                SERVICE_BUSY (the job queue is full; with retry_after)
  EventStreamLost            EVENT_STREAM_LOST (a subscription's pub/sub connection
                             broke, e.g. Redis restarted: the socket closes with 1012)
AuthError                    not the client's input: a top-level GraphQL error
  Unauthenticated            UNAUTHENTICATED (missing, expired, forged, revoked)
  Forbidden                  FORBIDDEN (authenticated; role or scope says no)
  RateLimited                RATE_LIMITED (with retry_after seconds)
"""

from __future__ import annotations

from collections.abc import Sequence


class ServiceError(Exception):
    code = "VALIDATION_ERROR"

    def __init__(self, message: str, *, field: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.field = list(field)


class ValidationFailed(ServiceError):
    """One or more invalid input fields; `problems` lists each (field, message)."""

    code = "VALIDATION_ERROR"

    def __init__(
        self,
        message: str,
        *,
        field: Sequence[str] = (),
        problems: Sequence[tuple[Sequence[str], str]] = (),
    ) -> None:
        super().__init__(message, field=field)
        self.problems = [(list(f), m) for f, m in problems] or [(self.field, message)]


class NotFound(ServiceError):
    code = "NOT_FOUND"


class Conflict(ServiceError):
    code = "CONFLICT"


class PlanRequired(ServiceError):
    code = "PLAN_REQUIRED"


class InsufficientCredits(ServiceError):
    code = "INSUFFICIENT_CREDITS"


class AuthError(Exception):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(AuthError):
    code = "UNAUTHENTICATED"


class Forbidden(AuthError):
    code = "FORBIDDEN"


class RateLimited(AuthError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExceeded(ServiceError):
    code = "QUOTA_EXCEEDED"


class NoJobDescription(ServiceError):
    code = "NO_JOB_DESCRIPTION"


class InvalidState(ServiceError):
    """A job transition from a state that does not allow it."""

    code = "INVALID_STATE"


class DefaultAgent(ServiceError):
    code = "DEFAULT_AGENT"


class AgentHasActiveJobs(ServiceError):
    code = "AGENT_HAS_ACTIVE_JOBS"


class NoMatchingAgent(ServiceError):
    code = "NO_MATCHING_AGENT"


class BillingUnavailable(ServiceError):
    """BILLING_UNAVAILABLE: no Stripe keys configured, or Stripe did not answer."""

    code = "BILLING_UNAVAILABLE"


class NoSubscription(ServiceError):
    """NO_SUBSCRIPTION: the portal needs a Stripe customer."""

    code = "NO_SUBSCRIPTION"


class PayoutsNotEnabled(ServiceError):
    """PAYOUTS_NOT_ENABLED: the user's Connect account is missing or not active."""

    code = "PAYOUTS_NOT_ENABLED"


class ServiceBusy(ServiceError):
    """The job queue is full (resumAI's 503): try again after `retry_after` s."""

    code = "SERVICE_BUSY"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class EventStreamLost(ServiceError):
    """A subscription's event stream broke (Redis restarted or unreachable): the
    socket closes with 1012 and the client subscribes again, from the current
    state."""

    code = "EVENT_STREAM_LOST"
