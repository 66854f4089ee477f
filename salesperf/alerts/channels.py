"""Where a digest goes: e-mail over SMTP (stdlib smtplib) and chat webhooks.

Webhook payloads, as the platforms document them:

- 企业微信 WeCom group robot: ``{"msgtype": "markdown", "markdown": {"content": md}}`` (4,096 bytes max);
- 钉钉 DingTalk custom robot: ``{"msgtype": "markdown", "markdown": {"title": t, "text": md}}``; with a
  signing secret the URL gets ``&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256(secret,
  "<ms>\\n<secret>")>``;
- 飞书 Feishu/Lark custom bot: ``{"msg_type": "text", "content": {"text": t}}`` or ``{"msg_type": "post",
  "content": {"post": {"zh_cn": {"title": t, "content": [[{"tag": "text", "text": line}], ...]}}}}``;
  with a signing secret the body gets ``"timestamp": "<s>"`` and ``"sign": base64 HMAC-SHA256 keyed
  with "<s>\\n<secret>" over an empty message``;
- Slack incoming webhook: ``{"text": fallback, "blocks": [header, section(mrkdwn) ...]}``.

Every URL, secret and password comes from an environment variable named in the config file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

WEBHOOK_TYPES = ("wecom", "dingtalk", "feishu", "slack")
TIMEOUT = 20


class ChannelError(RuntimeError):
    """A message could not be delivered (the reason names the channel)."""


@dataclass(frozen=True)
class Message:
    """One rendered digest or alert: a title and its text as markdown, plain text and lines."""

    title: str
    markdown: str  # WeCom/DingTalk markdown
    slack: str  # Slack mrkdwn
    text: str  # plain text (e-mail, Feishu text)
    lines: list[str]  # plain lines (Feishu post)
    html: str  # e-mail HTML part


def secret_env(name: str | None, what: str, required: bool = True) -> str | None:
    """The value of the environment variable ``name``; a clear error when it must be set."""
    if not name:
        if required:
            raise ChannelError(f"{what}: no environment variable named in the config")
        return None
    value = os.environ.get(str(name), "").strip()
    if not value and required:
        raise ChannelError(f"{what}: environment variable {name} is not set")
    return value or None


# ---------------------------------------------------------------------------------------------
# Webhooks
# ---------------------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64(HMAC-SHA256(key=secret, msg="<timestamp>\\n<secret>")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: base64(HMAC-SHA256(key="<timestamp>\\n<secret>", msg=b""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _clip(text: str, limit_bytes: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit_bytes:
        return text
    return encoded[: limit_bytes - 8].decode(errors="ignore") + "\n…"


def webhook_request(kind: str, url: str, message: Message, secret: str | None = None, style: str = "post"):
    """(url, payload) of one webhook message of ``kind``; signed when a secret is given."""
    if kind == "wecom":
        return url, {"msgtype": "markdown", "markdown": {"content": _clip(message.markdown, 4096)}}
    if kind == "dingtalk":
        payload = {"msgtype": "markdown", "markdown": {"title": message.title, "text": _clip(message.markdown, 18000)}}
        if secret:
            stamp = int(time.time() * 1000)
            url = f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={dingtalk_sign(secret, stamp)}"
        return url, payload
    if kind == "feishu":
        if style == "text":
            payload: dict[str, Any] = {"msg_type": "text", "content": {"text": message.text}}
        else:
            content = [[{"tag": "text", "text": line}] for line in message.lines]
            payload = {"msg_type": "post", "content": {"post": {"zh_cn": {"title": message.title, "content": content}}}}
        if secret:
            stamp = int(time.time())
            payload = {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **payload}
        return url, payload
    if kind == "slack":
        blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}}]
        for part in message.slack.split("\n\n"):
            if part.strip():
                blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": part[:3000]}})
        return url, {"text": message.title, "blocks": blocks[:50]}
    raise ChannelError(f"unknown webhook type {kind!r}; expected one of {WEBHOOK_TYPES}")


MARKDOWN_LIMITS = {"wecom": 4096, "dingtalk": 18000}  # bytes of markdown one message may carry


def split_markdown(message: Message, limit: int) -> list[Message]:
    """``message`` as several messages whose markdown fits ``limit`` bytes, cut between sections
    (a WeCom robot refuses more than 4,096 bytes; nothing is dropped)."""
    if len(message.markdown.encode()) <= limit:
        return [message]
    parts: list[str] = []
    for block in message.markdown.split("\n\n"):
        block = _clip(block, limit - 64)
        if parts and len((parts[-1] + "\n\n" + block).encode()) <= limit - 64:
            parts[-1] += "\n\n" + block
        else:
            parts.append(block)
    total = len(parts)
    return [
        Message(
            title=f"{message.title} ({index}/{total})",
            markdown=part if index == 1 else f"({index}/{total})\n\n{part}",
            slack=message.slack,
            text=message.text,
            lines=message.lines,
            html=message.html,
        )
        for index, part in enumerate(parts, start=1)
    ]


def post_webhook(kind: str, url: str, message: Message, secret: str | None = None, style: str = "post") -> None:
    """POST a message (in several when its markdown is longer than the platform takes); raise
    :class:`ChannelError` unless the platform answers success (HTTP 2xx and, where the platform
    reports one, errcode / code 0)."""
    if kind in MARKDOWN_LIMITS:
        for part in split_markdown(message, MARKDOWN_LIMITS[kind]):
            _post_one(kind, url, part, secret, style)
    else:
        _post_one(kind, url, message, secret, style)


def _post_one(kind: str, url: str, message: Message, secret: str | None, style: str) -> None:
    url, payload = webhook_request(kind, url, message, secret, style)
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json; charset=utf-8"})
    host = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = response.read().decode(errors="replace")
    except OSError as error:  # URLError, HTTPError, timeouts
        raise ChannelError(f"{kind} webhook {host}: {error}") from error
    try:
        parsed = json.loads(answer)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        code = parsed.get("errcode", parsed.get("code", parsed.get("StatusCode", 0)))
        if code not in (0, None):
            reason = parsed.get("errmsg") or parsed.get("msg") or answer
            raise ChannelError(f"{kind} webhook {host}: refused ({code}: {reason})")


# ---------------------------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------------------------


def email_message(message: Message, sender: str, recipients: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail


def send_email(smtp: dict[str, Any], message: Message, recipients: list[str]) -> None:
    """Send over SMTP: ``host``, ``port`` (25), ``security`` none | starttls | ssl (none),
    ``username_env`` / ``password_env`` (login when set), ``from``."""
    host = smtp.get("host")
    if not host or not smtp.get("from"):
        raise ChannelError("smtp: host and from are required")
    port = int(smtp.get("port") or (465 if smtp.get("security") == "ssl" else 25))
    security = str(smtp.get("security") or "none")
    user = secret_env(smtp.get("username_env"), "smtp username", required=False)
    password = secret_env(smtp.get("password_env"), "smtp password", required=bool(user))
    mail = email_message(message, str(smtp["from"]), recipients)
    try:
        if security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if user:
                client.login(user, password or "")
            client.send_message(mail)
    except (OSError, smtplib.SMTPException) as error:
        raise ChannelError(f"smtp {host}:{port}: {error}") from error
