#!/usr/bin/env python3
"""End to end, offline: `worker` (runtime::worker_main + fake extractor) long-polls a real SQS queue on a
moto server with signature checking on, writes results to a real DynamoDB table, keeps a long document
hidden with visibility heartbeats, and on SIGTERM finishes its batch and exits 0. boto3 checks the table:
good documents ok, poison messages rejected, the transient failure in the DLQ, nothing lost, nothing
computed twice."""
import json
import os
import signal
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

harness.require_moto()

TABLE = "zeroidle-worker-results"
VISIBILITY_S = 3


class EndToEndWorker(harness.MotoTestCase):
    @classmethod
    def set_up_class(cls):
        cls.moto.assert_signatures_checked()
        cls.moto.create_results_table(TABLE)
        cls.queue_url, _, cls.dlq_url = cls.moto.create_queue_with_dlq("jobs", 2, 30)
        cls.tmp = tempfile.mkdtemp(prefix="zeroidle-worker-")
        cls.model = harness.make_model_file(cls.tmp)

    def env(self, secret=None):
        # AWS_ENDPOINT_URL (the generic one) serves both SQS and DynamoDB here; long-term IAM user keys.
        return harness.base_env(self.model, AWS_REGION=harness.MotoServer.REGION, AWS_ENDPOINT_URL=self.moto.endpoint,
                                AWS_ACCESS_KEY_ID=self.moto.access_key,
                                AWS_SECRET_ACCESS_KEY=secret or self.moto.secret_key)

    def worker_args(self, *extra):
        return [harness.host_binary(), "worker", "--queue-url", self.queue_url, "--table", TABLE, "--batch", "10",
                "--wait", "20", "--visibility-timeout", str(VISIBILITY_S), *extra]

    def wait_received(self, timeout=30):
        """Until the worker holds a message (not visible, none waiting)."""
        harness.wait_until(lambda: self.moto.queue_depth(self.queue_url) == (0, 1), timeout,
                           what="the worker to receive the message")

    def test_0_a_wrong_signature_is_refused(self):
        # Our signer is what moto checks: the same worker with a wrong secret cannot receive.
        p = harness.Process(self.worker_args(), self.env(secret="not-the-secret"))
        try:
            harness.wait_until(lambda: "receive failed" in p.stdout(), 20, what="a refused ReceiveMessage")
            failure = next(line for line in p.log_lines() if line.get("message") == "receive failed")
            print(f"\nmoto refused the wrongly signed worker: {failure['reason']}")
            self.assertIn("SignatureDoesNotMatch (HTTP 403)", failure["reason"])
        finally:
            p.stop()
            p.cleanup()

    def test_1_worker(self):
        sqs = self.moto.client("sqs")
        type(self).process = harness.Process(self.worker_args(), self.env())
        harness.wait_until(lambda: "worker ready" in self.process.stdout(), 20, what="the worker to start")

        # Heartbeats: a 7 s document with a 3 s visibility timeout is never visible to anyone else.
        sqs.send_message(QueueUrl=self.queue_url,
                         MessageBody=json.dumps({"document_id": "slow", "document_content": "#sleep=7000"}))
        self.wait_received()
        spy_end = time.time() + 2 * VISIBILITY_S
        while time.time() < spy_end:
            stolen = sqs.receive_message(QueueUrl=self.queue_url, WaitTimeSeconds=1, VisibilityTimeout=0)
            self.assertNotIn("Messages", stolen, "the slow document became visible while the worker held it")
        harness.wait_until(lambda: self.moto.scan(TABLE).get("slow", {}).get("status") == "ok", 30,
                           what="the slow document's result")
        harness.wait_until(lambda: self.moto.queue_depth(self.queue_url) == (0, 0), 10, what="the slow message deleted")

        # The workload: good documents, poison messages, a duplicate, a transient failure.
        bodies, expected, no_id, transient = harness.workload("worker")
        no_id_ids = set()
        for body in bodies:
            r = sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)
            if body in no_id:
                no_id_ids.add(r["MessageId"])
        expected["slow"] = ("ok", "")

        def drained():
            items = self.moto.scan(TABLE)
            return (all(k in items for k in expected) and self.moto.queue_depth(self.dlq_url)[0] == 1
                    and self.moto.queue_depth(self.queue_url) == (0, 0))

        # The transient document is received, fails, reappears after 3 s, fails again, then goes to the DLQ.
        harness.wait_until(drained, 120, interval=0.5, what="the queue to drain")
        items = self.moto.scan(TABLE)
        self.assertEqual(harness.check_results(items, expected, no_id, transient, no_id_ids), [])
        dlq = sqs.receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
        self.assertEqual([json.loads(m["Body"])["document_id"] for m in dlq], [transient])

        # SIGTERM during a batch: the batch finishes (result written, message deleted), then exit 0.
        sqs.send_message(QueueUrl=self.queue_url,
                         MessageBody=json.dumps({"document_id": "last", "document_content": "#sleep=2500"}))
        self.wait_received()
        self.process.signal(signal.SIGTERM)
        self.assertEqual(self.process.wait(timeout=30), 0, self.process.stderr())
        self.assertEqual(self.moto.scan(TABLE)["last"]["status"], "ok")
        self.assertEqual(self.moto.queue_depth(self.queue_url), (0, 0))

        lines = self.process.log_lines()
        self.assertEqual(harness.check_logs(lines), [])
        computed = [line["document_id"] for line in lines if line.get("message") == "record done"]
        self.assertEqual(len(computed), len(set(computed)), f"a document was computed twice: {sorted(computed)}")
        self.assertTrue(any(line.get("message") == "worker stopped" for line in lines))
        print(f"\nworker e2e: {len(bodies) + 2} messages -> table: {harness.summary(self.moto.scan(TABLE))} "
              f"(1 duplicate skipped), DLQ: 1 ({transient}); heartbeats kept a 7 s document hidden past a "
              f"{VISIBILITY_S} s visibility timeout; SIGTERM mid-batch: finished, deleted, exit 0")

    def test_2_sigterm_while_idle_stops_the_long_poll(self):
        p = harness.Process(self.worker_args(), self.env())
        try:
            harness.wait_until(lambda: "worker ready" in p.stdout(), 20, what="the worker to start")
            time.sleep(1.0)  # inside a 20 s long poll
            start = time.time()
            p.signal(signal.SIGTERM)
            self.assertEqual(p.wait(timeout=10), 0)
            self.assertLess(time.time() - start, 5, "the long poll was not interrupted")
        finally:
            p.stop()
            p.cleanup()

    def test_3_bad_settings_exit_2_naming_them(self):
        p = harness.Process([harness.host_binary(), "worker", "--queue-url", self.queue_url, "--batch", "50"],
                            self.env())
        try:
            self.assertEqual(p.wait(timeout=20), 2)
            self.assertIn("--batch", p.stderr())
        finally:
            p.stop()
            p.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
