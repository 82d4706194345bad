#!/usr/bin/env python3
"""The `zeroidle lambda` and `zeroidle worker` subcommands of the shipped binary: wired to the runtime, with
flags and help, and an unloadable model reported as a Lambda init error (true both with the placeholder
extractor factory and with the engine connected, since the "model" here is not a GGUF file)."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from lambda_emulator import RuntimeApiEmulator  # noqa: E402

ZEROIDLE = os.environ.get("ZEROIDLE_BIN", "")


class ZeroidleCommands(unittest.TestCase):
    def run_cmd(self, args, env, timeout=30):
        p = harness.Process([ZEROIDLE, *args], env)
        try:
            return p.wait(timeout=timeout), p
        finally:
            p.stop()

    def test_help_lists_the_commands_and_their_flags(self):
        env = harness.base_env("/nonexistent")
        code, p = self.run_cmd(["--help"], env)
        self.assertEqual(code, 0)
        self.assertIn("lambda", p.stderr())
        self.assertIn("worker", p.stderr())
        code, p = self.run_cmd(["worker", "--help"], env)
        self.assertEqual(code, 0)
        self.assertIn("--queue-url", p.stdout())
        code, p = self.run_cmd(["lambda", "--help"], env)
        self.assertEqual(code, 0)
        self.assertIn("ZEROIDLE_MODEL", p.stdout())

    def test_lambda_reports_init_errors(self):
        tmp = tempfile.mkdtemp(prefix="zeroidle-cmd-")
        for extra, error_type, mention in (
                ({"ZEROIDLE_THREADS": "0"}, "Runtime.ConfigInvalid", "ZEROIDLE_THREADS"),
                ({"ZEROIDLE_TASK": "invoice"}, "Runtime.ModelLoadFailed", "")):  # not a GGUF file
            emulator = RuntimeApiEmulator()
            try:
                env = harness.base_env(harness.make_model_file(tmp), AWS_LAMBDA_RUNTIME_API=emulator.address, **extra)
                code, p = self.run_cmd(["lambda"], env)
                self.assertEqual(code, 1, p.stderr())
                body, headers = emulator.init_errors.get(timeout=1)
                self.assertEqual(headers.get("Lambda-Runtime-Function-Error-Type"), error_type)
                self.assertIn(mention, json.loads(body)["errorMessage"])
            finally:
                emulator.close()

    def test_worker_names_a_missing_queue(self):
        tmp = tempfile.mkdtemp(prefix="zeroidle-cmd-")
        code, p = self.run_cmd(["worker"], harness.base_env(harness.make_model_file(tmp)))
        self.assertEqual(code, 2)
        self.assertIn("--queue-url", p.stderr())


if __name__ == "__main__":
    if not ZEROIDLE or not os.path.exists(ZEROIDLE):
        print(f"FAILED: ZEROIDLE_BIN={ZEROIDLE!r} does not exist", file=sys.stderr)
        sys.exit(1)
    unittest.main(verbosity=2)
