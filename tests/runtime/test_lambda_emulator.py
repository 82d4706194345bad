#!/usr/bin/env python3
"""`lambda` (runtime::lambda_main with the fake extractor) driven through a Lambda Runtime API emulator over
real HTTP on loopback: every event kind, SQS records with every field Lambda sends, standard and FIFO
batches, deadlines, the error endpoints, the 6 MB response rule, init failures, logs and metrics.
No table is configured here (results go to the logs); DynamoDB is covered by the moto tests."""
import json
import os
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from lambda_emulator import RuntimeApiEmulator, sqs_event_record  # noqa: E402

SECRET = harness.SECRET
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:documents"


def message(body, fifo_group=None, sequence=None, attributes=None):
    """A ReceiveMessage-shaped message with realistic attributes."""
    import hashlib

    now = str(int(time.time() * 1000))
    attrs = {"ApproximateReceiveCount": "1", "SentTimestamp": now, "SenderId": "AIDAIENQZJOLO23YVJ4VO",
             "ApproximateFirstReceiveTimestamp": now}
    if fifo_group:
        attrs.update({"MessageGroupId": fifo_group, "MessageDeduplicationId": uuid.uuid4().hex,
                      "SequenceNumber": str(18849496460467696128 + (sequence or 0))})
    text = body if isinstance(body, str) else json.dumps(body)
    return {"MessageId": str(uuid.uuid4()), "ReceiptHandle": "AQEB" + uuid.uuid4().hex * 4, "Body": text,
            "MD5OfBody": hashlib.md5(text.encode()).hexdigest(), "Attributes": attrs,
            "MessageAttributes": attributes or {}}


def sqs_event(messages, arn=QUEUE_ARN):
    return {"Records": [sqs_event_record(m, arn) for m in messages]}


def failures(outcome):
    assert outcome.kind == "response", outcome
    return [f["itemIdentifier"] for f in outcome.json["batchItemFailures"]]


class LambdaRuntimeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="zeroidle-emu-")
        cls.emulator = RuntimeApiEmulator()
        env = harness.base_env(harness.make_model_file(cls.tmp), AWS_LAMBDA_RUNTIME_API=cls.emulator.address,
                               AWS_LAMBDA_FUNCTION_NAME="zeroidle-test", AWS_LAMBDA_FUNCTION_MEMORY_SIZE=3538,
                               ZEROIDLE_SAFETY_MARGIN_MS=500)
        cls.process = harness.Process([harness.host_binary(), "lambda"], env)
        if not cls.emulator.wait_for_next_call(1, timeout=20):
            cls.process.stop()
            cls.emulator.close()
            raise AssertionError("the runtime never asked for an event:\n" + cls.process.stderr())

    @classmethod
    def tearDownClass(cls):
        cls.process.stop()
        cls.emulator.close()
        cls.process.cleanup()

    def test_warm_up_ping_does_no_work(self):
        out = self.emulator.invoke({"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                                    "source": "aws.events", "account": "123456789012",
                                    "time": "2025-01-01T00:00:00Z", "region": "us-east-1",
                                    "resources": ["arn:aws:events:us-east-1:123456789012:rule/warm"], "detail": {}})
        self.assertEqual(out.kind, "response", out)
        self.assertIs(out.json["warm"], True)
        self.assertEqual(out.json["model"], "fake-extractor")

    def test_direct_invocation_returns_the_record_and_sees_its_trace_id(self):
        for n in range(2):
            trace = f"Root=1-65a00000-{uuid.uuid4().hex[:24]};Parent=53995c3f42cd8ad8;Sampled=1"
            out = self.emulator.invoke({"document_id": f"direct-{n}", "document_content": f"{SECRET} a b c"},
                                       trace_id=trace)
            self.assertEqual(out.kind, "response", out)
            body = out.json
            self.assertEqual(body["document_id"], f"direct-{n}")
            self.assertEqual(body["status"], "ok")
            self.assertEqual(body["data"]["words"], 4)
            self.assertEqual(body["data"]["trace_id"], trace, "_X_AMZN_TRACE_ID is set per invocation")
            self.assertNotIn(SECRET, out.raw.decode())

    def test_direct_invocation_without_document_id_uses_the_request_id(self):
        out = self.emulator.invoke({"document_content": "hello"})
        self.assertEqual(out.json["document_id"], out.request_id)

    def test_direct_invocation_rejections_are_answers(self):
        out = self.emulator.invoke({"document_id": "d", "document_content": "x", "task": "sonnet"})
        self.assertEqual(out.kind, "response", out)
        self.assertEqual(out.json["status"], "rejected")
        self.assertIn("unknown task", out.json["error"])

    def test_direct_invocation_failure_is_a_function_error(self):
        out = self.emulator.invoke({"document_id": "d-fail", "document_content": "#fail"})
        self.assertEqual(out.kind, "error", out)
        self.assertEqual(out.error_type, "Function.ExtractionFailed")
        body = out.json
        self.assertEqual(set(body), {"errorMessage", "errorType", "stackTrace"})
        self.assertEqual(body["errorType"], "Function.ExtractionFailed")
        self.assertIn("d-fail", body["errorMessage"])

    def test_sqs_batch_reports_only_transient_failures(self):
        good = [message({"document_id": f"sqs-{i}", "document_content": f"{SECRET} doc {i}"},
                        attributes={"tenant": {"DataType": "String", "StringValue": "acme"},
                                    "blob": {"DataType": "Binary", "BinaryValue": "AAEC"}}) for i in range(4)]
        poison = [message("{" + SECRET), message({"document_content": SECRET}),
                  message({"document_id": "sqs-task", "document_content": SECRET, "task": "poem"}),
                  message({"document_id": "sqs-long", "document_content": SECRET + " y" * 3000})]
        transient = message({"document_id": "sqs-throw", "document_content": "#throw"})
        failed_result = message({"document_id": "sqs-fail", "document_content": "#fail"})
        batch = good[:2] + poison[:2] + [transient] + poison[2:] + [failed_result] + good[2:]
        out = self.emulator.invoke(sqs_event(batch))
        self.assertEqual(failures(out), [transient["MessageId"], failed_result["MessageId"]])

    def test_fifo_batch_stops_at_the_first_failure(self):
        group = f"group-{uuid.uuid4().hex[:6]}"
        bodies = [{"document_id": "f1", "document_content": "a"}, "not json",  # rejected: not a failure
                  {"document_id": "f3", "document_content": "#throw"},
                  {"document_id": "f4", "document_content": "b"}, {"document_id": "f5", "document_content": "c"}]
        msgs = [message(b, fifo_group=group, sequence=i) for i, b in enumerate(bodies)]
        out = self.emulator.invoke(sqs_event(msgs, arn=QUEUE_ARN + ".fifo"))
        self.assertEqual(failures(out), [m["MessageId"] for m in msgs[2:]])

    def test_records_that_would_miss_the_deadline_are_returned(self):
        # 3 s to the deadline, 0.5 s safety margin, 1 s per record (estimated exactly): two fit.
        msgs = [message({"document_id": f"slow-{i}", "document_content": "#sleep=1000"}) for i in range(5)]
        start = time.time()
        out = self.emulator.invoke(sqs_event(msgs), deadline_in_ms=3000)
        elapsed = time.time() - start
        self.assertEqual(failures(out), [m["MessageId"] for m in msgs[2:]])
        self.assertLess(elapsed, 3.0, "the answer came before the deadline")

    def test_a_deadline_inside_the_margin_returns_everything(self):
        msgs = [message({"document_id": f"late-{i}", "document_content": "x"}) for i in range(3)]
        out = self.emulator.invoke(sqs_event(msgs), deadline_in_ms=300)
        self.assertEqual(failures(out), [m["MessageId"] for m in msgs])

    def test_unsupported_and_invalid_events_are_errors(self):
        out = self.emulator.invoke({"hello": "world"})
        self.assertEqual((out.kind, out.error_type), ("error", "Function.UnsupportedEvent"))
        out = self.emulator.invoke(raw=b"\x00 not json")
        self.assertEqual((out.kind, out.error_type), ("error", "Function.InvalidEvent"))
        out = self.emulator.invoke({"Records": [{"eventSource": "aws:s3", "s3": {}}]})
        self.assertEqual((out.kind, out.error_type), ("error", "Function.UnsupportedEvent"))
        out = self.emulator.invoke({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]})
        self.assertEqual((out.kind, out.error_type), ("error", "Function.InvalidEvent"))
        # and the runtime keeps serving
        self.assertEqual(self.emulator.invoke({"document_content": "still alive"}).json["status"], "ok")

    def test_responses_never_exceed_6_mb(self):
        out = self.emulator.invoke({"document_id": "huge", "document_content": "#big=7000000"})
        self.assertEqual(out.kind, "response", out)
        self.assertLessEqual(len(out.raw), 6 * 1024 * 1024)
        body = out.json
        self.assertIsNone(body["data"])
        self.assertIs(body["truncated"], True)
        self.assertIn("response limit", body["error"])
        self.assertEqual(self.emulator.oversized_responses, 0, "a response over 6 MB was sent")

    def test_zz_logs_and_metrics(self):
        # Runs last (alphabetical order): checks what the invocations above wrote.
        self.emulator.invoke({"document_content": "flush"})
        lines = self.process.log_lines()
        self.assertEqual(harness.check_logs(lines), [])
        logs = [line for line in lines if "_aws" not in line]
        emf = [line for line in lines if "_aws" in line]
        self.assertTrue(any(line.get("request_id") and line.get("trace_id") for line in logs))
        self.assertTrue(any(line.get("message_id") for line in logs), "SQS record lines carry the message id")
        metric_names = {m["Name"] for line in emf for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
        for name in ("ColdStartMs", "ModelLoadMs", "PromptTokens", "GeneratedTokens", "PrefillTokensPerSecond",
                     "DecodeTokensPerSecond", "RecordsOk", "RecordsRejected", "RecordsRetried"):
            self.assertIn(name, metric_names)
        for line in emf:
            self.assertEqual(line["FunctionName"], "zeroidle-test")
            for d in line["_aws"]["CloudWatchMetrics"]:
                for m in d["Metrics"]:
                    self.assertIn(m["Name"], line, "every declared metric has a value")
        init = [line for line in logs if line["message"] == "init"]
        self.assertEqual(len(init), 1)
        self.assertEqual(init[0]["threads"], min(2, os.cpu_count()))  # 3538 MB = 2 vCPUs
        self.assertEqual(self.process.proc.poll(), None, "the runtime is still serving")


class InitFailureTest(unittest.TestCase):
    """A wrong setting or a model that cannot load is posted to /runtime/init/error, then the process exits."""

    def run_init(self, extra_env, drop=()):
        tmp = tempfile.mkdtemp(prefix="zeroidle-init-")
        emulator = RuntimeApiEmulator()
        env = harness.base_env(harness.make_model_file(tmp), AWS_LAMBDA_RUNTIME_API=emulator.address, **extra_env)
        for k in drop:
            env.pop(k, None)
        process = harness.Process([harness.host_binary(), "lambda"], env)
        try:
            code = process.wait(timeout=20)
            body, headers = emulator.init_errors.get(timeout=1)
            self.assertEqual(emulator.next_calls, 0, "no event is requested after an init failure")
            return code, json.loads(body), headers, process
        finally:
            process.stop()
            emulator.close()

    def check(self, extra_env, error_type, must_mention, drop=()):
        code, body, headers, process = self.run_init(extra_env, drop)
        self.assertEqual(code, 1)
        self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"), error_type)
        self.assertEqual(body["errorType"], error_type)
        self.assertIn(must_mention, body["errorMessage"])
        self.assertIsInstance(body["stackTrace"], list)
        self.assertEqual(harness.check_logs(process.log_lines()), [])
        process.cleanup()

    def test_bad_number_names_the_variable(self):
        self.check({"ZEROIDLE_MAX_TOKENS": "lots"}, "Runtime.ConfigInvalid", "ZEROIDLE_MAX_TOKENS")

    def test_missing_model_names_the_variable(self):
        self.check({"ZEROIDLE_MODEL": "/nonexistent/model.gguf"}, "Runtime.ConfigInvalid", "ZEROIDLE_MODEL")

    def test_bad_memory_size_names_the_variable(self):
        self.check({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "big"}, "Runtime.ConfigInvalid", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE")

    def test_table_without_credentials(self):
        self.check({"ZEROIDLE_RESULTS_TABLE": "results", "AWS_REGION": "us-east-1"}, "Runtime.ConfigInvalid",
                   "AWS_ACCESS_KEY_ID")

    def test_model_load_failure(self):
        self.check({"ZEROIDLE_FAKE_LOAD_FAIL": "1"}, "Runtime.ModelLoadFailed", "fake model load failure")

    def test_outside_lambda(self):
        tmp = tempfile.mkdtemp(prefix="zeroidle-init-")
        process = harness.Process([harness.host_binary(), "lambda"], harness.base_env(harness.make_model_file(tmp)))
        try:
            self.assertEqual(process.wait(timeout=20), 2)
            self.assertIn("AWS_LAMBDA_RUNTIME_API", process.stderr())
        finally:
            process.stop()
            process.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
