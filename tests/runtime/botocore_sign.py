#!/usr/bin/env python3
"""Signs requests with botocore's SigV4Auth: the oracle for runtime/sigv4.cpp.

usage: botocore_sign.py CASES.jsonl OUT.jsonl
Each input line: {"method", "url", "headers": [[name, value], ...], "body_b64", "access_key",
"secret_key", "token", "region", "service", "amz_date": "YYYYMMDDTHHMMSSZ"}.
Each output line: {"authorization", "canonical_request"}.
Exit code 77 when botocore is not installed (the caller skips, or fails under CI=true).
"""
import base64
import datetime
import json
import sys
from unittest import mock

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:  # pragma: no cover - environment dependent
    print("botocore is not installed", file=sys.stderr)
    sys.exit(77)


def sign(case):
    request = AWSRequest(method=case["method"], url=case["url"], data=base64.b64decode(case["body_b64"]))
    for name, value in case["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeated names stay repeated
    credentials = Credentials(case["access_key"], case["secret_key"], case["token"] or None)
    auth = SigV4Auth(credentials, case["service"], case["region"])
    captured = []
    canonical_request = auth.canonical_request

    def spy(req):  # the canonical request add_auth() signs (afterwards it would include Authorization)
        captured.append(canonical_request(req))
        return captured[-1]

    auth.canonical_request = spy
    now = datetime.datetime.strptime(case["amz_date"], "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", return_value=now):
        auth.add_auth(request)
    return {"authorization": request.headers["Authorization"], "canonical_request": captured[0]}


def main():
    with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as dst:
        for line in src:
            dst.write(json.dumps(sign(json.loads(line))) + "\n")


if __name__ == "__main__":
    main()
