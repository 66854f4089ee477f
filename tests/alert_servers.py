"""Local test servers for the digests: an SMTP sink and a webhook endpoint on 127.0.0.1.

Both are minimal and run in a thread; they keep what they received for the test to assert on.
"""

from __future__ import annotations

import http.server
import json
import socketserver
import threading
import urllib.parse
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage


class _SMTPHandler(socketserver.StreamRequestHandler):
    """The commands smtplib sends (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), nothing more."""

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 127.0.0.1 test SMTP sink")
        sender, recipients = "", []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-127.0.0.1\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif verb == "HELO":
                self.reply("250 127.0.0.1")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                message = BytesParser(policy=policy.default).parsebytes(b"".join(data))
                self.server.mails.append(Mail(sender, recipients, message))  # type: ignore[attr-defined]
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.mails: list[Mail] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> SMTPSink:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.shutdown()
        self.server_close()


@dataclass
class Request:
    path: str
    query: dict[str, str]
    body: dict[str, Any]


class _HookHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        self.server.requests.append(Request(url.path, query, json.loads(raw.decode("utf-8"))))  # type: ignore[attr-defined]
        answer = self.server.answers.get(url.path, {"errcode": 0, "errmsg": "ok"})  # type: ignore[attr-defined]
        body = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


class HookServer(http.server.ThreadingHTTPServer):
    """Answers every POST with 200 and ``answers[path]`` (default: WeCom/DingTalk's success)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HookHandler)
        self.requests: list[Request] = []
        self.answers: dict[str, Any] = {}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def at(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> HookServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.shutdown()
        self.server_close()


__all__ = ["HookServer", "Mail", "Request", "SMTPSink"]
