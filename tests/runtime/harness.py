"""Shared pieces of the runtime's end-to-end tests: the binary under test, its log capture, skips, a
moto server (SQS + DynamoDB + IAM) with request signature checking turned on, and MotoTestCase, the
set-up and tear-down of the test classes that run against it.

moto checks SigV4 once auth is enabled (POST /moto-api/reset-auth with 0): every later request must be
signed by an access key moto's IAM knows, and botocore's signer recomputes the signature. So these tests
create an IAM user (and a role for session credentials) first, then enable auth.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from lambda_emulator import RuntimeApiEmulator

SKIP = 77  # CTest SKIP_RETURN_CODE


def _die_with_parent():
    """Child processes (servers, the binary under test) are killed if this test process dies (e.g. a CTest
    timeout), so nothing outlives a run."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def terminate(proc):
    """SIGTERM, then SIGKILL after 5 s; returns once the process is gone."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def skip_or_fail(reason):
    """Skips loudly (exit 77), or fails under CI=true where every prerequisite must be present."""
    if os.environ.get("CI") == "true":
        print(f"FAILED: CI=true but {reason}", file=sys.stderr)
        sys.exit(1)
    print(f"SKIPPED LOUDLY: {reason}", file=sys.stderr)
    sys.exit(SKIP)


def require_moto():
    try:
        import boto3  # noqa: F401
        import moto  # noqa: F401
    except ImportError as e:
        skip_or_fail(f"moto/boto3 are not installed ({e}); pip install 'moto[server]' boto3")


def host_binary():
    path = os.environ.get("ZEROIDLE_TEST_HOST")
    if not path or not os.path.exists(path):
        print(f"FAILED: ZEROIDLE_TEST_HOST={path!r} does not exist (run through ctest)", file=sys.stderr)
        sys.exit(1)
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, interval=0.1, what="condition"):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


class Process:
    """The binary under test, its stdout/stderr captured to files; always killed by stop()."""

    def __init__(self, args, env):
        self.dir = tempfile.mkdtemp(prefix="zeroidle-rt-")
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(args, env=env, stdout=self._out, stderr=self._err, preexec_fn=_die_with_parent)

    def wait(self, timeout):
        return self.proc.wait(timeout=timeout)

    def signal(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)

    def stop(self):
        terminate(self.proc)
        self._out.close()
        self._err.close()

    def stdout(self):
        with open(self.stdout_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_lines(self):
        """Every stdout line parsed as JSON; fails on a line that is not one JSON object."""
        lines = []
        for n, line in enumerate(self.stdout().splitlines(), 1):
            try:
                obj = json.loads(line)
            except ValueError:
                raise AssertionError(f"stdout line {n} is not JSON: {line[:200]!r}") from None
            if not isinstance(obj, dict):
                raise AssertionError(f"stdout line {n} is not a JSON object: {line[:200]!r}")
            lines.append(obj)
        return lines

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def base_env(model_path, **extra):
    """A clean environment for the binary: no inherited AWS settings, a model file, quiet defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ZEROIDLE_"))}
    env["ZEROIDLE_MODEL"] = model_path
    env["ZEROIDLE_N_CTX"] = "1024"
    env["ZEROIDLE_MAX_TOKENS"] = "64"
    env.update({k: str(v) for k, v in extra.items()})
    return env


def make_model_file(directory):
    path = os.path.join(directory, "fake-model.gguf")
    with open(path, "wb") as f:
        f.write(b"GGUF" + b"\0" * 64)  # the fake extractor never reads it; the config checks it exists
    return path


class MotoServer:
    """moto_server on a loopback port, with IAM credentials and signature checking enabled."""

    REGION = "us-east-1"

    def __init__(self):
        import boto3

        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        cmd = shutil.which("moto_server")
        args = [cmd] if cmd else [sys.executable, "-m", "moto.server"]
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args + ["-H", "127.0.0.1", "-p", str(self.port)], stdout=self._log,
                                     stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        try:
            wait_until(self._ready, 30, what="moto_server to start")
            admin = dict(endpoint_url=self.endpoint, region_name=self.REGION, aws_access_key_id="bootstrap",
                         aws_secret_access_key="bootstrap")
            iam = boto3.client("iam", **admin)
            iam.create_user(UserName="zeroidle-test")
            allow = {"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": ["sqs:*", "dynamodb:*", "sts:AssumeRole"],
                                    "Resource": "*"}]}
            iam.put_user_policy(UserName="zeroidle-test", PolicyName="allow", PolicyDocument=json.dumps(allow))
            key = iam.create_access_key(UserName="zeroidle-test")["AccessKey"]
            key_owner_arn = iam.get_user(UserName="zeroidle-test")["User"]["Arn"]
            self.access_key, self.secret_key = key["AccessKeyId"], key["SecretAccessKey"]
            trust = {"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Principal": {"AWS": key_owner_arn},
                                    "Action": "sts:AssumeRole"}]}
            role = iam.create_role(RoleName="zeroidle-function", AssumeRolePolicyDocument=json.dumps(trust))
            iam.put_role_policy(RoleName="zeroidle-function", PolicyName="allow", PolicyDocument=json.dumps(allow))
            self.role_arn = role["Role"]["Arn"]
            # From here on every request must carry a valid SigV4 signature of a known key.
            # (text/plain: urllib's default form type would make the server parse the body away)
            urllib.request.urlopen(urllib.request.Request(self.endpoint + "/moto-api/reset-auth", data=b"0",
                                                          headers={"Content-Type": "text/plain"}, method="POST"),
                                   timeout=10).read()
        except BaseException:
            self.stop()
            raise

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"moto_server exited with {self.proc.returncode}")
        try:
            urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=1).read()
            return True
        except OSError:
            return False

    def client(self, service, session=None):
        import boto3

        creds = session or {"aws_access_key_id": self.access_key, "aws_secret_access_key": self.secret_key}
        return boto3.client(service, endpoint_url=self.endpoint, region_name=self.REGION, **creds)

    def session_credentials(self):
        """Temporary credentials with a session token (what Lambda gives a function)."""
        c = self.client("sts").assume_role(RoleArn=self.role_arn, RoleSessionName="zeroidle")["Credentials"]
        return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                "aws_session_token": c["SessionToken"]}

    def assert_signatures_checked(self):
        """A request signed with a wrong secret must be refused, or these tests prove nothing about SigV4."""
        from botocore.exceptions import ClientError

        bad = self.client("sqs", {"aws_access_key_id": self.access_key, "aws_secret_access_key": "wrong-secret"})
        try:
            bad.list_queues()
        except ClientError as e:
            return e.response["Error"]["Code"]
        raise AssertionError("moto accepted a request signed with the wrong secret: signature checking is off")

    def create_queue_with_dlq(self, name, max_receive_count, visibility_timeout, fifo=False):
        sqs = self.client("sqs")
        attrs = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
        suffix = ".fifo" if fifo else ""
        dlq_url = sqs.create_queue(QueueName=f"{name}-dlq{suffix}", Attributes=attrs)["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue_attrs = dict(attrs)
        queue_attrs["VisibilityTimeout"] = str(visibility_timeout)
        queue_attrs["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn,
                                                   "maxReceiveCount": str(max_receive_count)})
        url = sqs.create_queue(QueueName=f"{name}{suffix}", Attributes=queue_attrs)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn, dlq_url

    def create_results_table(self, name):
        ddb = self.client("dynamodb")
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "document_id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "document_id", "AttributeType": "S"}])

    def scan(self, table):
        ddb = self.client("dynamodb")
        items, kwargs = [], {"TableName": table, "ConsistentRead": True}
        while True:
            page = ddb.scan(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return {i["document_id"]["S"]: {k: next(iter(v.values())) for k, v in i.items()} for i in items}
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def queue_depth(self, url):
        a = self.client("sqs").get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        return int(a["Attributes"]["ApproximateNumberOfMessages"]), int(a["Attributes"]["ApproximateNumberOfMessagesNotVisible"])

    def stop(self):
        terminate(self.proc)
        self._log.close()


class MotoTestCase(unittest.TestCase):
    """A test class with one moto server (cls.moto) and what it starts against it: the Runtime API emulator
    (cls.emulator) and the binary under test (cls.process). tearDownClass stops them all, also when the
    set-up fails halfway. Subclasses create their queues and tables and start processes in set_up_class()."""

    emulator = None
    process = None

    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer()
        try:
            cls.set_up_class()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def set_up_class(cls):
        """Queues, tables, processes: what the class needs besides the moto server."""

    @classmethod
    def tearDownClass(cls):
        if cls.process:
            cls.process.stop()
        if cls.emulator:
            cls.emulator.close()
        cls.moto.stop()

    @classmethod
    def start_lambda(cls, binary, model_path, function_name, ready_timeout, **env):
        """`binary lambda` as Lambda runs a function, against a new Runtime API emulator: session credentials,
        3538 MB, DynamoDB on moto, `env` on top. Returns once it has asked for its first event."""
        cls.emulator = RuntimeApiEmulator(function_name=function_name)
        creds = cls.moto.session_credentials()  # Lambda functions run with session credentials
        settings = dict(AWS_LAMBDA_RUNTIME_API=cls.emulator.address, AWS_LAMBDA_FUNCTION_NAME=function_name,
                        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=3538, AWS_REGION=MotoServer.REGION,
                        AWS_ENDPOINT_URL_DYNAMODB=cls.moto.endpoint, AWS_ACCESS_KEY_ID=creds["aws_access_key_id"],
                        AWS_SECRET_ACCESS_KEY=creds["aws_secret_access_key"],
                        AWS_SESSION_TOKEN=creds["aws_session_token"])
        settings.update(env)
        cls.process = Process([binary, "lambda"], base_env(model_path, **settings))
        if not cls.emulator.wait_for_next_call(1, timeout=ready_timeout):
            raise AssertionError(f"`{os.path.basename(binary)} lambda` never asked for an event:\n"
                                 + cls.process.stderr())


# ---- the documents both end-to-end tests send -------------------------------------------------------

SECRET = "CONFIDENTIAL-7f3a9c"  # in every document; must never appear in the logs


def workload(prefix):
    """(bodies to send, expectations) for one run: good documents, poison messages, a duplicate and a
    transient failure. Expectations map a result key (document_id, or None for "under the messageId") to
    (status, error substring)."""
    good = {f"{prefix}-good-{i}": f"{SECRET} invoice {i}: " + "word " * (i + 1) for i in range(12)}
    bodies = [json.dumps({"document_id": k, "document_content": v}) for k, v in good.items()]
    bodies.append(json.dumps({"document_id": f"{prefix}-good-0", "document_content": good[f"{prefix}-good-0"]}))  # dup
    bodies.append(json.dumps({"document_id": f"{prefix}-classify", "document_content": f"{SECRET} classify me",
                              "task": "classify", "max_tokens": 16}))
    bodies.append(json.dumps({"document_id": f"{prefix}-schema", "document_content": f"{SECRET} total 12",
                              "schema": {"type": "object", "properties": {"total": {"type": "number"}}}}))
    poison = {
        f"{prefix}-unknown-task": ({"document_id": f"{prefix}-unknown-task", "document_content": SECRET,
                                    "task": "write-a-poem"}, "unknown task"),
        f"{prefix}-bad-schema": ({"document_id": f"{prefix}-bad-schema", "document_content": SECRET,
                                  "schema": {"type": "array"}}, "unsupported schema"),
        f"{prefix}-too-long": ({"document_id": f"{prefix}-too-long", "document_content": SECRET + " x" * 3000},
                               "too long"),
        f"{prefix}-extra-field": ({"document_id": f"{prefix}-extra-field", "document_content": SECRET,
                                   "priority": 1}, "unknown field"),
        f"{prefix}-schema-not-object": ({"document_id": f"{prefix}-schema-not-object", "document_content": SECRET,
                                         "schema": "object"}, "schema must be"),
    }
    bodies += [json.dumps(body) for body, _ in poison.values()]
    no_id = ["{" + SECRET + " this is not JSON", json.dumps({"document_content": SECRET}), json.dumps([SECRET])]
    bodies += no_id
    transient = f"{prefix}-transient"
    bodies.append(json.dumps({"document_id": transient, "document_content": f"{SECRET} #throw"}))

    expected = {k: ("ok", "") for k in good}
    expected[f"{prefix}-classify"] = ("ok", "")
    expected[f"{prefix}-schema"] = ("ok", "")
    expected.update({k: ("rejected", reason) for k, (_, reason) in poison.items()})
    return bodies, expected, no_id, transient


def check_results(items, expected, no_id_bodies, transient, sent_ids):
    """The table holds every expected result, poison under its messageId, nothing else; returns problems."""
    problems = []
    for key, (status, reason) in expected.items():
        item = items.get(key)
        if item is None:
            problems.append(f"lost: no result for {key}")
            continue
        if item["status"] != status:
            problems.append(f"{key}: status {item['status']} (error {item.get('error')!r}), expected {status}")
        if reason and reason not in item.get("error", ""):
            problems.append(f"{key}: error {item.get('error')!r} does not mention {reason!r}")
        if status == "ok":
            data = json.loads(item["data"])
            if "chars" not in data or item.get("model") != "fake-extractor":
                problems.append(f"{key}: unexpected data/model {item}")
            for field in ("tokens_in", "tokens_out", "prefill_ms", "decode_ms", "processed_at", "message_id"):
                if field not in item:
                    problems.append(f"{key}: item has no {field}")
    under_message_id = {k: v for k, v in items.items() if k in sent_ids}
    if len(under_message_id) != len(no_id_bodies):
        problems.append(f"expected {len(no_id_bodies)} rejections under messageIds, found {sorted(under_message_id)}")
    for k, v in under_message_id.items():
        if v["status"] != "rejected":
            problems.append(f"{k}: a body without document_id should be rejected, got {v}")
    known = set(expected) | set(under_message_id) | {transient}
    extra = sorted(set(items) - known)
    if extra:
        problems.append(f"unexpected items: {extra}")
    if transient in items and items[transient]["status"] != "failed":
        problems.append(f"{transient}: expected status failed, got {items[transient]}")
    return problems


def summary(items):
    """ok=.. rejected=.. failed=.. over a scan."""
    counts = {}
    for item in items.values():
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    return " ".join(f"{k}={counts[k]}" for k in sorted(counts))


def check_logs(lines):
    problems = []
    for line in lines:
        text = json.dumps(line)
        if SECRET in text:
            problems.append(f"document text in a log line: {text[:200]}")
        if "_aws" not in line and not {"timestamp", "level", "message"} <= set(line):
            problems.append(f"log line without timestamp/level/message: {text[:200]}")
    return problems
