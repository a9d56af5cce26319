"""Requests per second for get, create and list, measured with wrk against a live server.

Starts `python -m ngrok_failover_server` (memory store unless --db), seeds it, then runs
wrk (Debian package `wrk`) for each operation and prints wrk's Requests/sec.

    .venv/bin/python scripts/bench_http.py [--duration 10] [--connections 32] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from ngrok_failover_server.config import ServerConfig
from ngrok_failover_server.testing import serve_in_subprocess

KEY = "bench-key"
HEADERS = f'wrk.headers["Authorization"] = "Bearer {KEY}"\nwrk.headers["Ngrok-Version"] = "2"\n'
CHILD = "bkdhr_2fKmcZgRe5lU5KuvWGqW6c2j976"


def lua_scripts(backend_id: str) -> dict[str, str]:
    body = json.dumps({"backends": [CHILD], "description": "bench", "metadata": "{}"})
    return {
        "get": HEADERS + f'wrk.path = "/backends/failover/{backend_id}"\n',
        "create": HEADERS
        + 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        + f'wrk.body = {json.dumps(body)}\nwrk.path = "/backends/failover"\n',
        "list (limit=100)": HEADERS + 'wrk.path = "/backends/failover?limit=100"\n',
        "list (limit=10)": HEADERS + 'wrk.path = "/backends/failover?limit=10"\n',
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="req/s for get, create and list, with wrk")
    parser.add_argument("--duration", type=int, default=10, help="seconds per operation (10)")
    parser.add_argument("--connections", type=int, default=32, help="open connections (32)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument("--db", help="use a SQLite store at this path (default: memory)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install -y wrk)")
    config = ServerConfig(api_key=KEY, db_path=args.db)
    with serve_in_subprocess(config) as server, tempfile.TemporaryDirectory() as tmp:
        auth = {"Authorization": f"Bearer {KEY}", "Ngrok-Version": "2"}
        with httpx.Client(base_url=server.base_url, headers=auth) as client:
            ids = [
                client.post("/backends/failover", json={"backends": [CHILD]}).json()["id"]
                for _ in range(1000)
            ]
        print(f"server {server.base_url}, store {args.db or 'memory'}, 1000 seeded backends")
        for name, lua in lua_scripts(ids[500]).items():
            script = Path(tmp) / "bench.lua"
            script.write_text(lua)
            result = subprocess.run(
                [
                    "wrk",
                    f"-t{args.threads}",
                    f"-c{args.connections}",
                    f"-d{args.duration}s",
                    "-s",
                    str(script),
                    server.base_url,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            rps = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
            latency = re.search(r"Latency\s+(\S+)", result.stdout)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
            print(
                f"{name:<17} {float(rps.group(1)) if rps else 0:>10,.0f} req/s   "
                f"mean latency {latency.group(1) if latency else '?'}   "
                f"non-2xx {non2xx.group(1) if non2xx else 0}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
