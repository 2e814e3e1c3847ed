"""The client side of bench/http_paths.py: the agent's login through the pages (password, then
the authenticator's code: a verified session, as a person gets it), the five paths as requests,
the closed-loop load (threads, each with its own ``http.client`` connection; gunicorn's sync
workers close each connection after its response, so a request opens a new one, as a proxy's
would) and the CPU the server's processes and its PostgreSQL backends spent (``/proc``).
Imported by that script (bench/README.md)."""

from __future__ import annotations

import http.client
import itertools
import os
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from partner_intake_data import Intakes

TIMEOUT = 60
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLK_TCK = os.sysconf("SC_CLK_TCK")


class LoginFailed(RuntimeError):
    pass


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(conn, method: str, path: str, headers: dict[str, str], body: bytes | None = None):
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return Answer(response.status, response.headers, response.read())


class Browser:
    """The agent's cookies (session and CSRF) and the form token of its pages."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, **(extra or {})}

    def call(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            extra = {}
            body = None
            if form is not None:
                body = urlencode(form).encode()
                extra["Content-Type"] = "application/x-www-form-urlencoded"
            answer = request(conn, method, path, self.headers(extra), body)
        finally:
            conn.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        found = CSRF_INPUT.search(answer.body.decode(errors="replace"))
        if found:
            self.csrf_token = found.group(1)
        return answer

    def login(self, username: str, password: str, code_now) -> None:
        """The login page, then the code step; ``code_now()`` is the authenticator's code. A code
        already used (a run within the same 30 seconds) is refused: then wait for the next."""
        self.call("GET", "/admin/login/?next=/console/")
        answer = self.call(
            "POST",
            "/admin/login/?next=/console/",
            {
                "csrfmiddlewaretoken": self.csrf_token,
                "username": username,
                "password": password,
                "next": "/console/",
            },
        )
        if answer.status != 302:
            raise LoginFailed(f"login page answered {answer.status}, not 302")
        for attempt in range(2):
            self.call("GET", "/account/mfa/verify/?next=/console/")
            answer = self.call(
                "POST",
                "/account/mfa/verify/?next=/console/",
                {"csrfmiddlewaretoken": self.csrf_token, "code": code_now(), "next": "/console/"},
            )
            if answer.status == 302:
                break
            if attempt == 0:
                time.sleep(31)  # the code was used: the next one
        else:
            raise LoginFailed(f"code step answered {answer.status}, not 302")
        page = self.call("GET", "/console/")  # the queue page: the claim form's token
        if page.status != 200:
            raise LoginFailed(f"/console/ answered {page.status} after the login")


# --- the paths ------------------------------------------------------------------------------------


@dataclass
class Result:
    ok: bool
    status: int
    error: str = ""


def describe(answer: Answer) -> str:
    location = answer.headers.get("Location", "")
    text = answer.body[:300].decode(errors="replace").replace("\n", " ")
    return f"{answer.status}" + (f" -> {location}" if location else "") + f": {text}"


class Paths:
    """One request of each path on a given connection; the expected answer is checked (a login
    page, a refusal or an empty claim is an error, not a success)."""

    NAMES = ("case_page", "api_create", "api_list", "queue_page", "claim_next")

    def __init__(self, browser: Browser, token: str, references: list[str], intakes: Intakes):
        self.browser = browser
        self.token = token
        self.references = itertools.cycle(references or ["none"])  # next() is atomic in CPython
        self.intakes = intakes

    def run(self, name: str, conn, rng) -> Result:
        return getattr(self, name)(conn, rng)

    def _expect(self, answer: Answer, status: int, location: str | None = None) -> Result:
        if answer.status != status:
            return Result(False, answer.status, describe(answer))
        if location is not None:
            where = urlsplit(answer.headers.get("Location", "")).path
            if not where.startswith(location):
                return Result(False, answer.status, describe(answer))
        return Result(True, answer.status)

    def case_page(self, conn, rng) -> Result:
        path = f"/console/cases/{next(self.references)}/"
        return self._expect(request(conn, "GET", path, self.browser.headers()), 200)

    def api_create(self, conn, rng) -> Result:
        key, body = self.intakes.next(rng)
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Idempotency-Key": key,
        }
        return self._expect(request(conn, "POST", "/api/v1/cases/", headers, body), 201)

    def api_list(self, conn, rng) -> Result:
        headers = self.browser.headers({"Accept": "application/json"})
        return self._expect(request(conn, "GET", "/api/v1/cases/", headers), 200)

    def queue_page(self, conn, rng) -> Result:
        return self._expect(request(conn, "GET", "/console/", self.browser.headers()), 200)

    def claim_next(self, conn, rng) -> Result:
        """Any of my queues. A claim redirects to the claimed case's page; nothing to claim
        redirects to the queue page (an error here: the backlog ran out)."""
        body = urlencode({"csrfmiddlewaretoken": self.browser.csrf_token, "queue": ""}).encode()
        headers = self.browser.headers({"Content-Type": "application/x-www-form-urlencoded"})
        answer = request(conn, "POST", "/console/claim-next/", headers, body)
        return self._expect(answer, 302, location="/console/cases/")


# --- CPU from /proc -------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (its threads included), or None when it is gone or unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def host_ticks() -> tuple[int, int, int]:
    """The host's CPU ticks from /proc/stat: (total, idle + iowait, steal)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields[:8]), fields[3] + fields[4], fields[7]


def cpu_of(pids) -> dict[int, float]:
    return {pid: s for pid in pids if (s := cpu_seconds(pid)) is not None}


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two samples; a process that appeared in between counts from zero."""
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


# --- the closed loop ------------------------------------------------------------------------------


@dataclass
class Phase:
    path: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    first_error: str = ""
    app_cpu: float = 0.0
    db_cpu: float = 0.0
    db_backends: int = 0
    host_busy: float = 0.0  # share of the host's CPU time busy (anyone's work), 0..1
    host_steal: float = 0.0  # share taken by the hypervisor for other guests

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, q: int) -> float:
        """ms; NaN without a successful request."""
        ms = sorted(s * 1000 for s in self.latencies)
        if not ms:
            return float("nan")
        if len(ms) == 1:
            return ms[0]
        return statistics.quantiles(ms, n=100, method="inclusive")[q - 1]

    def per_request_ms(self, cpu: float) -> float:
        return cpu * 1000 / self.requests if self.requests else float("nan")


def run_phase(
    paths: Paths,
    name: str,
    clients: int,
    seconds: float,
    port: int,
    app_pids,
    db_pids,
    max_requests: int | None = None,
) -> Phase:
    """``clients`` threads sending ``name`` back to back for ``seconds`` (or until each sent
    ``max_requests``); the CPU of the server's processes (``app_pids()``) and of its PostgreSQL
    backends (``db_pids()``) around it."""
    import random

    phase = Phase(name, clients)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline: list[float] = []

    def client(number: int) -> None:
        rng = random.Random(f"{name}-{clients}-{number}-{time.time_ns()}")  # noqa: S311
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        latencies: list[float] = []
        errors, first = 0, ""
        start.wait()
        try:
            while time.perf_counter() < deadline[0]:
                if max_requests is not None and len(latencies) + errors >= max_requests:
                    break
                began = time.perf_counter()
                try:
                    result = paths.run(name, conn, rng)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    result = Result(False, 0, f"no answer: {type(exc).__name__}: {exc}")
                if result.ok:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors += 1
                    first = first or result.error
        finally:
            conn.close()
            with lock:
                phase.latencies.extend(latencies)
                phase.errors += errors
                if first and not phase.first_error:
                    phase.first_error = first

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    app_before, db_before, host_before = cpu_of(app_pids()), cpu_of(db_pids()), host_ticks()
    began = time.perf_counter()
    deadline.append(began + seconds)
    start.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    db_now = db_pids()
    phase.app_cpu = cpu_spent(app_before, cpu_of(app_pids()))
    phase.db_cpu = cpu_spent(db_before, cpu_of(db_now))
    phase.db_backends = len(db_now)
    total, idle, steal = (a - b for a, b in zip(host_ticks(), host_before, strict=True))
    if total > 0:
        phase.host_busy = (total - idle) / total
        phase.host_steal = steal / total
    return phase
