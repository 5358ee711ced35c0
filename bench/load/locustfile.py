"""The deadline rush, as locust users (bench/load/README.md). Started by run.py, which
gives the plan (LOAD_PLAN: sessions and work per persona, written by seed.py) and where to
write what the server acknowledged (LOAD_ACKS, one JSON object a line).

Every persona works with a session the seed made (the login itself is measured by
bench/README's other scripts and the multi-process test, not here: at 200 logins a
minute Argon2 alone would take the machine). Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import re
import secrets
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
ACKS = open(os.environ["LOAD_ACKS"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115
THINK = float(os.environ.get("LOAD_THINK", "1.0"))  # scales every user's pauses
COUNTS: dict[str, int] = json.loads(os.environ["LOAD_COUNTS"])  # locust users per persona
_pools = {
    kind: itertools.cycle(PLAN[kind])
    for kind in ("clerks", "uploaders", "reviewers", "units", "leaders")
}


def ack(**fields: Any) -> None:
    ACKS.write(json.dumps(fields, ensure_ascii=False) + "\n")


class Persona(FastHttpUser):
    abstract = True
    kind = ""
    insecure = False

    def on_start(self) -> None:
        self.me = next(_pools[self.kind])
        self.csrf = secrets.token_hex(16)  # a 32-character secret, as Django's cookie holds
        self.headers = {
            "Cookie": f"sessionid={self.me['session']}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }

    def get(self, url: str, name: str) -> None:
        with self.client.get(
            url, headers=self.headers, name=name, catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")

    def post(self, url: str, name: str, data: dict[str, str], files: Any = None) -> bool:
        """True when the server answered with its redirect (the view's success path)."""
        return self.post_response(url, name, data, files) is not None

    def post_response(
        self, url: str, name: str, data: dict[str, str], files: Any = None
    ) -> Any | None:
        body = {"csrfmiddlewaretoken": self.csrf, **data}
        if files:
            boundary = secrets.token_hex(12)
            payload = _multipart(boundary, body, files)
            headers = {**self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
            kwargs: dict[str, Any] = {"data": payload}
        else:
            headers, kwargs = self.headers, {"data": body}
        with self.client.post(
            url, headers=headers, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as r:
            if r.status_code == 302:
                return r
            r.failure(f"{r.status_code} {_why(r.text or '')}")
            return None


def _why(page: str) -> str:
    """The first refusal a page shows (a table cell or an alert), for the failure report."""
    for pattern in (r"<td>([^<]{4,200})</td></tr>", r"alert-danger[^>]*>([^<]{2,200})"):
        if found := re.search(pattern, page):
            return found.group(1).strip()
    return ""


def _multipart(boundary: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


class Clerk(Persona):
    """A department's clerk typing the grid: one row saved at a time, then the grid again."""

    kind = "clerks"
    fixed_count = COUNTS["clerks"]
    wait_time = between(3 * THINK, 9 * THINK)

    def on_start(self) -> None:
        super().on_start()
        self.turn = 0
        self.rows = [(tab["indicator"], row) for tab in self.me["tabs"] for row in tab["rows"]]
        random.Random(self.me["session"]).shuffle(self.rows)

    @task
    def save_a_row(self) -> None:
        if not self.rows:
            return
        indicator, row = self.rows[self.turn % len(self.rows)]
        self.turn += 1
        variant = row.setdefault("next", 0)
        values = row["values"][variant % len(row["values"])]
        prefix = f"u{row['unit']}"
        data = {f"{prefix}.{column}": text for column, text in values.items()}
        data[f"{prefix}.reason"] = row["reason"]
        data[f"{prefix}.version"] = "" if row["version"] is None else str(row["version"])
        url = f"/collection/periods/{self.me['period']}/workspace/?indicator={indicator}"
        if self.post(url, "save a grid row", data):
            row["version"] = (row["version"] or 0) + 1
            row["next"] = variant + 1
            ack(
                kind="save",
                indicator=indicator,
                unit=row["unit"],
                values=values,
                version=row["version"],
            )
        self.get(url, "the grid")


class Uploader(Persona):
    """A clerk who fills the downloaded template offline and uploads it."""

    kind = "uploaders"
    fixed_count = COUNTS["uploaders"]
    wait_time = between(8 * THINK, 20 * THINK)

    @task
    def upload_the_workbook(self) -> None:
        me = self.me
        turn = me.setdefault("turn", 0)
        me["turn"] = turn + 1
        rows = [(r, r["values"][turn % len(r["values"])]) for r in me["rows"]]
        content = _csv(rows)
        url = f"/collection/periods/{me['period']}/upload/"
        if self.post(url, "upload a workbook", {}, {"file": ("填报.csv", content)}):
            ack(
                kind="upload",
                department=me["department"],
                rows=[
                    {"indicator": r["indicator"], "unit": r["unit"], "values": v} for r, v in rows
                ],
            )


def _csv(rows: list[tuple[dict[str, Any], dict[str, str]]]) -> bytes:
    lines = ["单位编码,指标编码,数值,基准值,等次,计分说明"]
    for row, values in rows:
        lines.append(
            ",".join(
                [
                    row["unit_code"],
                    row["indicator_code"],
                    values.get("value", ""),
                    values.get("reference", ""),
                    values.get("grade", ""),
                    row["reason"],
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


class Reviewer(Persona):
    """The office approving what departments submitted, one entry at a time."""

    kind = "reviewers"
    fixed_count = COUNTS["reviewers"]
    wait_time = between(4 * THINK, 10 * THINK)

    @task
    def approve_one(self) -> None:
        queue = self.me["entries"]
        if not queue:
            self.get("/collection/review/", "the review queue")
            return
        entry = queue.pop()
        page = f"/collection/entries/{entry['pk']}/"
        self.get(page, "an entry")
        answer = self.post_response(
            f"{page}act/",
            "approve an entry",
            {"action": "approve", "version": str(entry["version"])},
        )
        if answer is None:
            return
        # The view redirects to the entry whether or not the step was allowed: the page
        # the reviewer lands on (with the flash message the redirect set) says which.
        cookies = answer.headers.get("Set-Cookie") or ""
        if isinstance(cookies, list):
            cookies = "; ".join(cookies)
        flash = re.search(r"(messages=[^;]+)", cookies)
        headers = {
            **self.headers,
            "Cookie": self.headers["Cookie"] + (f"; {flash.group(1)}" if flash else ""),
        }
        with self.client.get(
            page, headers=headers, name="an entry, approved", catch_response=True
        ) as r:
            if "已初审通过" in (r.text or ""):
                ack(kind="approve", entry=entry["pk"])
            elif "数据异常提示尚未确认" in (r.text or ""):
                # A clerk typed an implausible value (the clerks type at random): the
                # workflow rightly holds the approval until a reviewer acknowledges the
                # flag. A correct refusal, not an error; nothing is acknowledged.
                r.success()
            else:
                r.failure(f"not approved: {_why(r.text or '') or _flash(r.text or '')}")


def _flash(page: str) -> str:
    found = re.search(r"alert-(?:danger|warning)[^>]*>\s*([^<]{2,200})", page)
    return found.group(1).strip() if found else ""


class Unit(Persona):
    """An assessed unit reading its report card."""

    kind = "units"
    fixed_count = COUNTS["units"]
    wait_time = between(5 * THINK, 15 * THINK)

    @task
    def read_the_card(self) -> None:
        self.get(f"/scoring/runs/{self.me['run']}/units/{self.me['unit']}/", "a report card")


class Leader(Persona):
    """A district leader reading the rankings of each category."""

    kind = "leaders"
    fixed_count = COUNTS["leaders"]
    wait_time = between(5 * THINK, 15 * THINK)

    @task
    def read_the_rankings(self) -> None:
        category = random.choice(self.me["categories"])
        self.get(f"/scoring/runs/{self.me['run']}/rankings/{category}/", "rankings")


@events.quitting.add_listener
def _close(environment: Any, **kwargs: Any) -> None:
    ACKS.close()
