#!/usr/bin/env python3
"""End to end, offline: documents go to a real SQS queue (moto server, signatures checked), a driver plays
Lambda's event source mapping (ReceiveMessage -> invoke through the Runtime API emulator -> delete what
is not in batchItemFailures), `lambda` (runtime::lambda_main + fake extractor) writes results to a real
DynamoDB table with session credentials, and boto3 checks the table: good documents ok, poison messages
rejected, the transient failure in the DLQ, nothing lost, nothing computed twice. Then a FIFO queue shows
the first failure stopping its group."""
import json
import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

harness.require_moto()
from lambda_emulator import sqs_event_record  # noqa: E402

TABLE = "zeroidle-results"
TIME_BUDGET_S = 150


class EndToEndLambda(harness.MotoTestCase):
    @classmethod
    def set_up_class(cls):
        cls.rejected_code = cls.moto.assert_signatures_checked()
        cls.moto.create_results_table(TABLE)
        # Visibility 2 s: a failed record comes back quickly; after 2 receives it goes to the DLQ.
        cls.queue_url, cls.queue_arn, cls.dlq_url = cls.moto.create_queue_with_dlq("documents", 2, 2)
        cls.tmp = tempfile.mkdtemp(prefix="zeroidle-e2e-")
        cls.start_lambda(harness.host_binary(), harness.make_model_file(cls.tmp), "zeroidle-e2e", ready_timeout=20,
                         ZEROIDLE_RESULTS_TABLE=TABLE)

    def play_event_source_mapping(self, queue_url, queue_arn, done, fifo=False):
        """Receive -> invoke -> delete successes, until done() or the time budget runs out."""
        sqs = self.moto.client("sqs")
        end = time.time() + TIME_BUDGET_S
        invocations = []
        while time.time() < end and not done():
            got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                      VisibilityTimeout=2, AttributeNames=["All"], MessageAttributeNames=["All"])
            messages = got.get("Messages", [])
            if not messages:
                continue
            event = {"Records": [sqs_event_record(m, queue_arn) for m in messages]}
            outcome = self.emulator.invoke(event, deadline_in_ms=60000, timeout=90)
            self.assertEqual(outcome.kind, "response", outcome)
            failed = {f["itemIdentifier"] for f in outcome.json["batchItemFailures"]}
            self.assertLessEqual(failed, {m["MessageId"] for m in messages})
            invocations.append((messages, failed))
            finished = [m for m in messages if m["MessageId"] not in failed]
            for start in range(0, len(finished), 10):
                chunk = finished[start:start + 10]
                result = sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)])
                self.assertFalse(result.get("Failed"), result)
        return invocations

    def test_1_standard_queue(self):
        sqs = self.moto.client("sqs")
        bodies, expected, no_id, transient = harness.workload("lambda")
        no_id_ids = set()
        for i, body in enumerate(bodies):
            r = sqs.send_message(QueueUrl=self.queue_url, MessageBody=body, MessageAttributes={
                "tenant": {"DataType": "String", "StringValue": "acme"},
                "seq": {"DataType": "Number", "StringValue": str(i)}})
            if body in no_id:
                no_id_ids.add(r["MessageId"])

        def dlq_holds_the_transient():
            return self.moto.queue_depth(self.dlq_url)[0] >= 1

        def done():
            items = self.moto.scan(TABLE)
            return (all(k in items for k in expected) and dlq_holds_the_transient()
                    and self.moto.queue_depth(self.queue_url) == (0, 0))

        invocations = self.play_event_source_mapping(self.queue_url, self.queue_arn, done)
        self.assertTrue(done(), "the queue did not drain in time")

        items = self.moto.scan(TABLE)
        self.assertEqual(harness.check_results(items, expected, no_id, transient, no_id_ids), [])
        # The transient failure went to the DLQ after maxReceiveCount deliveries, body intact.
        dlq = sqs.receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
        self.assertEqual([json.loads(m["Body"])["document_id"] for m in dlq], [transient])
        # Every failure reported was the transient document; nothing else was ever retried.
        for messages, failed in invocations:
            for m in messages:
                if m["MessageId"] in failed:
                    self.assertEqual(json.loads(m["Body"])["document_id"], transient)

        lines = self.process.log_lines()
        self.assertEqual(harness.check_logs(lines), [])
        computed = [line for line in lines if line.get("message") == "record done"]
        ids = [line["document_id"] for line in computed]
        self.assertEqual(len(ids), len(set(ids)), f"a document was computed twice: {sorted(ids)}")
        skipped = [line for line in lines if "already finished" in line.get("message", "")
                   or "another copy" in line.get("message", "")]
        self.assertEqual([line["document_id"] for line in skipped], ["lambda-good-0"])
        print(f"\nlambda e2e: {len(bodies)} messages -> {len(invocations)} invocations -> table: "
              f"{harness.summary(items)} (1 duplicate skipped), DLQ: 1 ({transient}); "
              f"moto refused a wrongly signed request with {self.rejected_code}")

    def test_2_fifo_queue_stops_the_group_at_the_first_failure(self):
        url, arn, _ = self.moto.create_queue_with_dlq("ordered", 5, 30, fifo=True)
        sqs = self.moto.client("sqs")
        contents = ["first", "second", "#throw", "fourth", "fifth"]
        for i, content in enumerate(contents):
            sqs.send_message(QueueUrl=url, MessageGroupId="customer-1",
                             MessageBody=json.dumps({"document_id": f"fifo-{i}", "document_content": content}))
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                  AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"]
        self.assertEqual(len(got), 5)
        self.assertIn("MessageGroupId", got[0]["Attributes"])  # (moto sends no SequenceNumber; Lambda does)
        outcome = self.emulator.invoke({"Records": [sqs_event_record(m, arn) for m in got]}, deadline_in_ms=60000)
        failed = [f["itemIdentifier"] for f in outcome.json["batchItemFailures"]]
        self.assertEqual(failed, [m["MessageId"] for m in got[2:]])
        items = self.moto.scan(TABLE)
        self.assertEqual(items["fifo-0"]["status"], "ok")
        self.assertEqual(items["fifo-1"]["status"], "ok")
        self.assertEqual(items["fifo-2"]["status"], "failed")
        self.assertNotIn("fifo-3", items)
        self.assertNotIn("fifo-4", items)


if __name__ == "__main__":
    unittest.main(verbosity=2)
