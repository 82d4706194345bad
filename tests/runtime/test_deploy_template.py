#!/usr/bin/env python3
"""deploy/template.yaml: cfn-lint passes, and the properties the runtime relies on hold, read from the
template itself:
  - the queue's visibility timeout >= 6 x the function timeout + the longest batching window, for every
    timeout the template allows (the rule AWS gives for SQS event sources; below it, a message still being
    worked on is redelivered to a second copy)
  - a DLQ with maxReceiveCount, ReportBatchItemFailures, batch size/window, MaximumConcurrency
  - an arm64 image function; a document_id-keyed on-demand table; IAM limited to GetItem/PutItem on it
Each check is also run on a broken copy, so a check that cannot fail is caught."""
import copy
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

try:
    import yaml
except ImportError:
    harness.skip_or_fail("PyYAML is not installed (pip install pyyaml)")

TEMPLATE = os.path.join(os.environ.get("ZEROIDLE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")),
                        "deploy", "template.yaml")


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsics (!Ref x -> {"Ref": x}, !GetAtt a.b -> {"Fn::GetAtt": [a, b]})."""


def _intrinsic(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path=TEMPLATE):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=CfnLoader)


def resources_of(tpl, type_name):
    return {k: v for k, v in tpl["Resources"].items() if v["Type"] == type_name}


def values_of(tpl, value):
    """Every value a property can take: a literal, or a parameter's AllowedValues (else its range ends)."""
    if isinstance(value, dict) and "Ref" in value:
        p = tpl["Parameters"][value["Ref"]]
        if "AllowedValues" in p:
            return [int(v) for v in p["AllowedValues"]]
        return [int(p[k]) for k in ("MinValue", "MaxValue", "Default") if k in p]
    return [int(value)]


def max_of(tpl, value):
    return max(values_of(tpl, value))


def check_template(tpl):
    """Returns the list of problems (empty when the template is right)."""
    problems = []
    functions = resources_of(tpl, "AWS::Serverless::Function")
    if len(functions) != 1:
        return [f"expected one function, found {sorted(functions)}"]
    fn_name, fn = next(iter(functions.items()))
    props = fn["Properties"]
    if props.get("PackageType") != "Image" or props.get("Architectures") != ["arm64"]:
        problems.append("the function must be an arm64 container image")

    sqs_events = [e for e in props.get("Events", {}).values() if e["Type"] == "SQS"]
    if len(sqs_events) != 1:
        return problems + ["expected one SQS event source"]
    event = sqs_events[0]["Properties"]
    if "ReportBatchItemFailures" not in event.get("FunctionResponseTypes", []):
        problems.append("the event source mapping must use ReportBatchItemFailures")
    for key in ("BatchSize", "MaximumBatchingWindowInSeconds"):
        if key not in event:
            problems.append(f"the event source mapping sets no {key}")
    if "MaximumConcurrency" not in event.get("ScalingConfig", {}):
        problems.append("the event source mapping sets no ScalingConfig.MaximumConcurrency")

    queue_ref = event["Queue"]
    queue_name = queue_ref["Fn::GetAtt"][0] if isinstance(queue_ref, dict) and "Fn::GetAtt" in queue_ref else None
    queue = tpl["Resources"].get(queue_name)
    if not queue or queue["Type"] != "AWS::SQS::Queue":
        return problems + [f"the SQS event does not read a queue of this template ({queue_ref})"]
    qprops = queue["Properties"]

    # The 6x rule, for every timeout the template allows.
    window = max_of(tpl, event.get("MaximumBatchingWindowInSeconds", 0))
    visibility = qprops.get("VisibilityTimeout")
    for timeout in values_of(tpl, props["Timeout"]):
        if isinstance(visibility, dict) and "Fn::FindInMap" in visibility:
            mapping, key, attr = visibility["Fn::FindInMap"]
            if key != props["Timeout"]:
                problems.append("the visibility mapping is not keyed by the function timeout")
                break
            entry = tpl["Mappings"][mapping].get(str(timeout))
            if entry is None:
                problems.append(f"no visibility timeout for a function timeout of {timeout} s")
                continue
            seconds = int(entry[attr])
        elif visibility is None:
            seconds = 30  # SQS default
        else:
            seconds = int(visibility)
        if seconds < 6 * timeout + window:
            problems.append(f"visibility timeout {seconds} s < 6 x {timeout} s + {window} s batching window")

    redrive = qprops.get("RedrivePolicy", {})
    dlq = redrive.get("deadLetterTargetArn", {})
    if not (isinstance(dlq, dict) and tpl["Resources"].get(dlq.get("Fn::GetAtt", [None])[0], {}).get("Type")
            == "AWS::SQS::Queue"):
        problems.append("the queue has no dead-letter queue of this template")
    if "maxReceiveCount" not in redrive or max_of(tpl, redrive["maxReceiveCount"]) < 1:
        problems.append("the redrive policy has no maxReceiveCount")

    tables = resources_of(tpl, "AWS::DynamoDB::Table")
    if len(tables) != 1:
        return problems + ["expected one results table"]
    table_name, table = next(iter(tables.items()))
    tprops = table["Properties"]
    if tprops.get("KeySchema") != [{"AttributeName": "document_id", "KeyType": "HASH"}]:
        problems.append("the results table must be keyed by document_id alone")
    if tprops.get("BillingMode") != "PAY_PER_REQUEST":
        problems.append("the results table must be on-demand")
    env = props.get("Environment", {}).get("Variables", {})
    if env.get("ZEROIDLE_RESULTS_TABLE") != {"Ref": table_name}:
        problems.append("ZEROIDLE_RESULTS_TABLE does not name the results table")
    if not env.get("ZEROIDLE_MODEL"):
        problems.append("ZEROIDLE_MODEL is not set")

    for policy in props.get("Policies", []):
        if not isinstance(policy, dict) or "Statement" not in policy:
            problems.append(f"a function policy is not an inline statement list (least privilege): {policy}")
            continue
        for st in policy["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            if st.get("Effect") == "Allow" and not set(actions) <= {"dynamodb:GetItem", "dynamodb:PutItem"}:
                problems.append(f"the function may do more than GetItem/PutItem: {actions}")
            if st.get("Resource") != {"Fn::GetAtt": [table_name, "Arn"]}:
                problems.append(f"a function policy reaches beyond the results table: {st.get('Resource')}")
    return problems


class TemplateTest(unittest.TestCase):
    def test_template_holds_its_rules(self):
        self.assertEqual(check_template(load_template()), [])

    def test_checks_catch_broken_templates(self):
        tpl = load_template()
        fn = next(iter(resources_of(tpl, "AWS::Serverless::Function").values()))["Properties"]
        queue_name = next(e for e in fn["Events"].values() if e["Type"] == "SQS")["Properties"]["Queue"]["Fn::GetAtt"][0]

        broken = copy.deepcopy(tpl)
        broken["Mappings"]["QueueVisibility"]["900"]["Seconds"] = 6 * 900 - 1
        self.assertTrue(any("6 x 900" in p for p in check_template(broken)), check_template(broken))

        broken = copy.deepcopy(tpl)
        broken["Resources"][queue_name]["Properties"]["VisibilityTimeout"] = 300
        self.assertTrue(any("visibility timeout 300" in p for p in check_template(broken)))

        broken = copy.deepcopy(tpl)
        broken["Parameters"]["FunctionTimeout"]["AllowedValues"].append(450)  # no mapping entry
        self.assertTrue(any("450" in p for p in check_template(broken)))

        broken = copy.deepcopy(tpl)
        bfn = next(iter(resources_of(broken, "AWS::Serverless::Function").values()))["Properties"]
        next(e for e in bfn["Events"].values() if e["Type"] == "SQS")["Properties"]["FunctionResponseTypes"] = []
        bfn["Policies"][0]["Statement"][0]["Action"].append("dynamodb:DeleteItem")
        del broken["Resources"][queue_name]["Properties"]["RedrivePolicy"]
        problems = check_template(broken)
        for needle in ("ReportBatchItemFailures", "more than GetItem/PutItem", "dead-letter"):
            self.assertTrue(any(needle in p for p in problems), (needle, problems))

    def test_cfn_lint_passes(self):
        cfn_lint = shutil.which("cfn-lint")
        if not cfn_lint:
            if os.environ.get("CI") == "true":
                self.fail("CI=true but cfn-lint is not installed")
            self.skipTest("SKIPPED LOUDLY: cfn-lint is not installed (pip install cfn-lint)")
        result = subprocess.run([cfn_lint, "--include-checks", "I", "--", TEMPLATE], capture_output=True,
                                text=True, timeout=240)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
