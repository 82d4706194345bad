"""A Lambda Runtime API emulator on loopback, for driving a custom runtime as Lambda does.

It serves the 2018-06-01 API the runtime calls:
  GET  /2018-06-01/runtime/invocation/next          blocks until invoke() queues an event
  POST /2018-06-01/runtime/invocation/{id}/response  202; 413 over 6 MB (as Lambda); 400 when already answered
  POST /2018-06-01/runtime/invocation/{id}/error     202, records the Lambda-Runtime-Function-Error-Type header
  POST /2018-06-01/runtime/init/error                202, records the init failure
and hands the runtime the headers Lambda sends (request id, deadline, function ARN, X-Ray trace id).
Standard library only; every wait is bounded.
"""
import json
import queue
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API = "/2018-06-01"
MAX_RESPONSE_BYTES = 6 * 1024 * 1024


class Outcome:
    """What the runtime answered for one invocation."""

    def __init__(self, kind, body, headers, request_id):
        self.kind = kind  # "response" | "error"
        self.raw = body
        self.headers = headers
        self.request_id = request_id

    @property
    def json(self):
        return json.loads(self.raw)

    @property
    def error_type(self):
        return self.headers.get("Lambda-Runtime-Function-Error-Type")

    def __repr__(self):
        return f"Outcome({self.kind}, {self.raw[:300]!r}, error_type={self.error_type})"


class RuntimeApiEmulator:
    def __init__(self, function_name="zeroidle-test"):
        self.function_name = function_name
        self._events = queue.Queue()
        self._outcomes = {}  # request id -> queue.Queue(1)
        self._answered = set()
        self.init_errors = queue.Queue()
        self.next_calls = 0
        self.oversized_responses = 0
        self.requests = []  # (method, path, headers) of every call, for assertions
        self._lock = threading.Lock()
        self._closing = threading.Event()
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _reply(self, status, payload=b"", headers=None):
                try:
                    self.send_response(status)
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the runtime was stopped mid-call
                    self.close_connection = True

            def do_GET(self):
                emulator.requests.append(("GET", self.path, dict(self.headers)))
                if self.path != API + "/runtime/invocation/next":
                    return self._reply(404, b'{"errorType":"NotFound"}')
                with emulator._lock:
                    emulator.next_calls += 1
                while not emulator._closing.is_set():
                    try:
                        request_id, payload, headers = emulator._events.get(timeout=0.2)
                    except queue.Empty:
                        continue
                    return self._reply(200, payload, headers)
                self.close_connection = True
                return self._reply(500, b'{"errorType":"ShuttingDown"}')

            def do_POST(self):
                body = self._body()
                emulator.requests.append(("POST", self.path, dict(self.headers)))
                if self.path == API + "/runtime/init/error":
                    emulator.init_errors.put((body, dict(self.headers)))
                    return self._reply(202, b'{"status":"OK"}')
                prefix = API + "/runtime/invocation/"
                if not self.path.startswith(prefix):
                    return self._reply(404, b'{"errorType":"NotFound"}')
                request_id, _, kind = self.path[len(prefix):].partition("/")
                if request_id not in emulator._outcomes or kind not in ("response", "error"):
                    return self._reply(400, b'{"errorType":"InvalidRequestID"}')
                if request_id in emulator._answered:
                    return self._reply(400, b'{"errorType":"InvalidStateTransition"}')
                if kind == "response" and len(body) > MAX_RESPONSE_BYTES:
                    emulator.oversized_responses += 1
                    return self._reply(413, b'{"errorType":"RequestEntityTooLarge"}')
                emulator._answered.add(request_id)
                emulator._outcomes[request_id].put(Outcome(kind, body, dict(self.headers), request_id))
                return self._reply(202, b'{"status":"OK"}')

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def address(self):
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def wait_for_next_call(self, count=1, timeout=20):
        """Waits until the runtime has asked for its `count`-th event (i.e. finished initializing)."""
        end = time.time() + timeout
        while time.time() < end:
            if self.next_calls >= count:
                return True
            time.sleep(0.02)
        return False

    def invoke(self, event=None, raw=None, timeout=60, deadline_in_ms=30000, trace_id=None):
        """Queues one event and waits for the runtime's answer (an Outcome)."""
        request_id = str(uuid.uuid4())
        payload = raw if raw is not None else json.dumps(event).encode()
        trace_id = trace_id or f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=1"
        headers = {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + deadline_in_ms),
            "Lambda-Runtime-Invoked-Function-Arn": f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}",
            "Lambda-Runtime-Trace-Id": trace_id,
        }
        self._outcomes[request_id] = queue.Queue(1)
        self._events.put((request_id, payload, headers))
        try:
            return self._outcomes[request_id].get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"the runtime did not answer invocation {request_id} within {timeout} s") from None

    def close(self):
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def sqs_event_record(message, queue_arn, region="us-east-1"):
    """The Lambda event record for one SQS ReceiveMessage message, with every field Lambda sends."""
    attributes = message.get("Attributes", {})
    message_attributes = {}
    for name, value in message.get("MessageAttributes", {}).items():
        message_attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value["DataType"],
        }
        message_attributes[name] = {k: v for k, v in message_attributes[name].items() if v is not None}
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
