"""Where a generated client's JSON request body time goes, in process, without a service.

    .venv/bin/python benchmarks/json_body.py [--batch 16] [--number 2000]

Uses the committed golden scoring client (fixtures/golden/scoring) and the body runtime.py sends
to `score_batch`: N transactions as plain dicts, and as generated Transaction instances. Prints µs
per body (best of 7 runs) for raw json.dumps, the body type's own validator and dump (how every
body was encoded before the plain-data twin), the twin, and the whole Endpoint.encode_body.
"""
from __future__ import annotations

import argparse
import json
import sys
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from tests.support.wheels import installed  # noqa: E402  (the golden package as users get it: from its wheel)

sys.path.insert(0, str(installed(HERE.parent / "fixtures" / "golden" / "scoring")))
sys.path.insert(0, str(HERE))

from fraud_scoring_client import models  # noqa: E402
from fraud_scoring_client._client import _SCORE_BATCH  # noqa: E402
from fraud_scoring_client._runtime._endpoint import _adapter  # noqa: E402
from fraud_scoring_client._runtime._plain import plain_body  # noqa: E402
from fraud_scoring_client._runtime._types import NOT_GIVEN  # noqa: E402
from runtime import TRANSACTION, TX_ID  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--number", type=int, default=2000)
    args = ap.parse_args()
    plain = {"transactions": [dict(TRANSACTION, transaction_id=f"{TX_ID}-{i}", amount=10.0 + 97 * i)
                              for i in range(args.batch)], "threshold": 0.5}
    typed = {**plain, "transactions": [models.Transaction.model_validate(t) for t in plain["transactions"]]}
    adapter = _adapter(models.ScoreBatchInput)
    twin = plain_body(adapter.core_schema, None)
    assert twin is not None
    call = {"timeout": NOT_GIVEN, "stream": NOT_GIVEN}
    validated = adapter.validate_python(plain)
    assert twin.json(plain) == adapter.dump_json(validated, by_alias=True, exclude_unset=True)
    rows = {
        "json.dumps(plain dicts) (raw httpx's body)": lambda: json.dumps(plain).encode(),
        "model: validate_python(plain dicts)": lambda: adapter.validate_python(plain),
        "model: dump_json(by_alias, exclude_unset)": lambda: adapter.dump_json(validated, by_alias=True, exclude_unset=True),
        "model: dump_json(by_alias)": lambda: adapter.dump_json(validated, by_alias=True),
        "model: validate + dump (plain dicts, before)": lambda: adapter.dump_json(
            adapter.validate_python(plain), by_alias=True, exclude_unset=True),
        "twin: validate + dump (plain dicts, now)": lambda: twin.json(plain),
        "Endpoint.encode_body(plain dicts)": lambda: _SCORE_BATCH.encode_body({**plain, **call}),
        "Endpoint.encode_body(model instances)": lambda: _SCORE_BATCH.encode_body({**typed, **call}),
    }
    best = dict.fromkeys(rows, float("inf"))
    for _round in range(2):  # the rows take turns, so that a slower spell of the machine hits them alike
        for label, fn in rows.items():
            for _ in range(100):
                fn()
            best[label] = min(best[label], *timeit.repeat(fn, number=args.number, repeat=4))
    print(f"score_batch body, {args.batch} transactions, µs per body (best of 8 x {args.number})")
    for label, seconds in best.items():
        print(f"{seconds / args.number * 1e6:9.1f}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
