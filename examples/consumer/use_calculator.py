"""A consumer of a generated client: the calculator service, called with full typing.

    svcgen generate http://127.0.0.1:3000 -o build/calculator-client
    pip install build/calculator-client
    python examples/consumer/use_calculator.py http://127.0.0.1:3000
"""

from __future__ import annotations

import asyncio
import sys

from calculator_client import AsyncClient, BadRequestError, Client


def main(base_url: str) -> None:
    with Client(base_url, timeout=10.0) as client:
        print("2 + 3 =", client.add(a=2, b=3))
        print("sum(1..4) =", client.total(values=[1, 2, 3, 4]))
        print(client.greet(name="svcgen", shout=True))
        try:
            client.divide(x=1.0, y=0.0)
        except BadRequestError as error:
            print(f"divide by zero -> {type(error).__name__} ({error.status_code}): {error}")

    async def concurrently() -> list[int]:
        async with AsyncClient(base_url) as client:
            return list(await asyncio.gather(*(client.add(a=i, b=i) for i in range(5))))

    print("async doubles:", asyncio.run(concurrently()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:3000")
