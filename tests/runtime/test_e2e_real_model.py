#!/usr/bin/env python3
"""The shipped `zeroidle lambda` with the real engine and a real model (../shared/models/stories260K.gguf),
driven through the Runtime API emulator with SQS events built from a real (moto) queue, writing to a real
(moto) DynamoDB table: every good document gets a schema-valid `ok` answer, a poison message is `rejected`
alone, nothing is retried; then a direct invocation answers synchronously."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

harness.require_moto()
from lambda_emulator import sqs_event_record  # noqa: E402

ZEROIDLE = os.environ.get("ZEROIDLE_BIN", "")
TABLE = "zeroidle-real"


def shared_model():
    shared = os.environ.get("ZEROIDLE_SHARED") or os.path.join(os.environ["ZEROIDLE_SOURCE_DIR"], "..", "shared")
    path = os.path.join(shared, "models", "stories260K.gguf")
    if not os.path.exists(path):
        harness.skip_or_fail(f"{path} not found (set ZEROIDLE_SHARED)")
    return path


class RealModelLambda(harness.MotoTestCase):
    @classmethod
    def set_up_class(cls):
        cls.moto.create_results_table(TABLE)
        cls.queue_url, cls.queue_arn, _ = cls.moto.create_queue_with_dlq("real-docs", 3, 30)
        cls.start_lambda(ZEROIDLE, shared_model(), "zeroidle-real", ready_timeout=30, ZEROIDLE_TASK="sentiment",
                         ZEROIDLE_MAX_TOKENS="96", ZEROIDLE_RESULTS_TABLE=TABLE)

    def test_1_sqs_batch_with_a_poison_message(self):
        sqs = self.moto.client("sqs")
        good = {f"review-{i}": text for i, text in enumerate(
            ["The kettle is great.", "Broke after a week. Awful.", "It is a kettle."])}
        for doc_id, text in good.items():
            sqs.send_message(QueueUrl=self.queue_url,
                             MessageBody=json.dumps({"document_id": doc_id, "document_content": text}))
        sqs.send_message(QueueUrl=self.queue_url, MessageBody='{"document_id": "poison", "document_content": 7}')
        messages = []
        while len(messages) < 4:
            got = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                      AttributeNames=["All"], MessageAttributeNames=["All"])
            messages += got.get("Messages", [])
        outcome = self.emulator.invoke({"Records": [sqs_event_record(m, self.queue_arn) for m in messages]},
                                       deadline_in_ms=120000, timeout=150)
        self.assertEqual(outcome.kind, "response", outcome)
        self.assertEqual(outcome.json, {"batchItemFailures": []})
        items = self.moto.scan(TABLE)
        for doc_id in good:
            item = items[doc_id]
            self.assertEqual(item["status"], "ok", item)
            data = item["data"] if isinstance(item["data"], dict) else json.loads(item["data"])
            self.assertIn(data["label"], ["positive", "negative", "neutral", "mixed"])
            self.assertIsInstance(data["rationale"], str)
            self.assertEqual(item["model"], "llama")
            self.assertGreater(int(item["tokens_out"]), 0)
        self.assertEqual(items["poison"]["status"], "rejected")
        self.assertIn("document_content", items["poison"]["error"])
        print(f"\nreal-model lambda: {harness.summary(items)}")

    def test_2_direct_invocation(self):
        outcome = self.emulator.invoke({"document_id": "direct-1", "document_content": "I love this phone."},
                                       deadline_in_ms=60000, timeout=90)
        self.assertEqual(outcome.kind, "response", outcome)
        self.assertEqual(outcome.json["document_id"], "direct-1")
        self.assertEqual(outcome.json["status"], "ok")
        self.assertIn(outcome.json["data"]["label"], ["positive", "negative", "neutral", "mixed"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
