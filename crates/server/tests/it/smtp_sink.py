"""A real SMTP server on loopback for the mail tests (issue 22): aiosmtpd, started by the test.

Usage: python smtp_sink.py PORT OUT_DIR [plain|starttls|implicit CERT KEY [USER PASSWORD]]
Prints "READY <port>" once it accepts connections. SINK_DELAY_MS in the environment makes it
wait that long before accepting each mail (a slow server, so a test can crash the sender mid-burst). With starttls the server offers STARTTLS and
requires it; with implicit it speaks TLS from the first byte; with USER and PASSWORD it requires
that login (over TLS only). Each mail received is written whole to OUT_DIR/<n>-<pid>.json as
{"rcpt_tos", "mail_from", "message_id", "subject", "text", "html", "raw", "tls", "login"},
decoded with Python's own e-mail parser, so the test reads what a real receiver would. Runs until
killed; a new process on the same port and folder carries on (the test's outage and restart).
"""

import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(int(os.environ.get("SINK_DELAY_MS", "0")) / 1000)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        record = {
            "rcpt_tos": list(envelope.rcpt_tos),
            "mail_from": envelope.mail_from,
            "message_id": str(msg.get("Message-ID", "")),
            "subject": str(msg.get("Subject", "")),
            "text": text.get_content() if text is not None else "",
            "html": html.get_content() if html is not None else "",
            "raw": envelope.content.decode("utf-8", "replace"),
            # STARTTLS sets session.ssl; implicit TLS shows on the connection itself.
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
        }
        with self.lock:
            self.count += 1
            name = f"{self.count:05d}-{os.getpid()}.json"
        tmp = os.path.join(self.out_dir, "." + name)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(tmp, os.path.join(self.out_dir, name))
        return "250 Message accepted for delivery"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return check


def main():
    port, out_dir = int(sys.argv[1]), sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "plain"
    os.makedirs(out_dir, exist_ok=True)
    kwargs = {}
    if mode in ("starttls", "implicit"):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[4], sys.argv[5])
        if mode == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(ssl_context=context, server_hostname="localhost")
    if len(sys.argv) > 7:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; with implicit TLS every byte is encrypted anyway.
        kwargs.update(authenticator=authenticator(sys.argv[6], sys.argv[7]), auth_required=True, auth_require_tls=mode == "starttls")
    controller = Controller(Sink(out_dir), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(f"READY {controller.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
