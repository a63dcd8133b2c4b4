"""A real SMTP server on loopback for the mail tests (issue 22): aiosmtpd, started by the test.

Usage: python smtp_sink.py PORT OUT_DIR
Prints "READY <port>" once it accepts connections; each mail received is written whole to
OUT_DIR/<n>-<pid>.json as {"rcpt_tos", "mail_from", "message_id", "subject", "text", "html", "raw"},
decoded with Python's own e-mail parser, so the test reads what a real receiver would. Runs until
killed; a new process on the same port and folder carries on (the test's outage and restart).
"""

import email
import email.policy
import json
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
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
        }
        with self.lock:
            self.count += 1
            name = f"{self.count:05d}-{os.getpid()}.json"
        tmp = os.path.join(self.out_dir, "." + name)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(tmp, os.path.join(self.out_dir, name))
        return "250 Message accepted for delivery"


def main():
    port, out_dir = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    controller = Controller(Sink(out_dir), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"READY {controller.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
