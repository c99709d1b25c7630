"""Request counts and latencies by operation, rendered in Prometheus text format.

Each process keeps its own figures (scrape every process). Operation names come from
clients, so the label set is bounded: past `max_operations` names, new ones count as
`other`.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field

from services.scale import QueueStats

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * (len(BUCKETS) + 1))
    total: float = 0.0
    n: int = 0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.total += seconds
        self.n += 1


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    def __init__(self, *, max_operations: int = 200) -> None:
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, _Histogram] = defaultdict(_Histogram)
        self._operations: set[str] = set()
        self._max_operations = max_operations

    def _label(self, operation: str) -> str:
        operation = operation or "anonymous"
        if operation in self._operations:
            return operation
        if len(self._operations) >= self._max_operations:
            return "other"
        self._operations.add(operation)
        return operation

    def observe(
        self, *, route: str, operation: str, status: int, seconds: float
    ) -> None:
        label = self._label(operation) if route == "graphql" else route
        self.requests[(route, label, status)] += 1
        self.latency[label].observe(seconds)

    def render(self) -> str:
        lines = [
            "# HELP careergraph_requests_total Requests by route, operation, status.",
            "# TYPE careergraph_requests_total counter",
        ]
        for (route, op, status), count in sorted(self.requests.items()):
            lines.append(
                f'careergraph_requests_total{{route="{route}",operation="{_escape(op)}",'
                f'status="{status}"}} {count}'
            )
        lines += [
            "# HELP careergraph_request_seconds Request latency by operation.",
            "# TYPE careergraph_request_seconds histogram",
        ]
        for op, hist in sorted(self.latency.items()):
            name = _escape(op)
            cumulative = 0
            for bound, count in zip(BUCKETS, hist.counts, strict=False):
                cumulative += count
                lines.append(
                    f'careergraph_request_seconds_bucket{{operation="{name}",'
                    f'le="{bound}"}} {cumulative}'
                )
            lines.append(
                f'careergraph_request_seconds_bucket{{operation="{name}",le="+Inf"}} '
                f"{hist.n}"
            )
            lines.append(
                f'careergraph_request_seconds_sum{{operation="{name}"}} {hist.total}'
            )
            lines.append(
                f'careergraph_request_seconds_count{{operation="{name}"}} {hist.n}'
            )
        return "\n".join(lines) + "\n"


def render_queue(stats: QueueStats) -> str:
    """The job queue's figures (shared by every process: read from Redis)."""
    lines = [
        "# HELP careergraph_queue_depth Jobs queued or running, not acknowledged.",
        "# TYPE careergraph_queue_depth gauge",
        f'careergraph_queue_depth{{state="waiting"}} {stats.waiting}',
        f'careergraph_queue_depth{{state="pending"}} {stats.pending}',
        "# HELP careergraph_queue_oldest_job_age_seconds Age of the oldest job "
        "queued or running.",
        "# TYPE careergraph_queue_oldest_job_age_seconds gauge",
        f"careergraph_queue_oldest_job_age_seconds {stats.oldest_age or 0.0:.3f}",
        "# HELP careergraph_job_redeliveries_total Jobs claimed from a worker that "
        "went away.",
        "# TYPE careergraph_job_redeliveries_total counter",
    ]
    for task, count in sorted(stats.redeliveries.items()):
        lines.append(
            f'careergraph_job_redeliveries_total{{task="{_escape(task)}"}} {count}'
        )
    lines += [
        "# HELP careergraph_job_runs_total Deliveries run by job kind (each claims "
        "its row as an attempt, or finds nothing left to do).",
        "# TYPE careergraph_job_runs_total counter",
    ]
    for kind, count in sorted(stats.runs.items()):
        lines.append(f'careergraph_job_runs_total{{kind="{_escape(kind)}"}} {count}')
    lines += [
        "# HELP careergraph_job_duplicates_total Deliveries that found the same job "
        "running and waited for it.",
        "# TYPE careergraph_job_duplicates_total counter",
    ]
    for kind, count in sorted(stats.duplicates.items()):
        lines.append(
            f'careergraph_job_duplicates_total{{kind="{_escape(kind)}"}} {count}'
        )
    return "\n".join(lines) + "\n"
