"""A process that appends events one by one and prints each committed entry's number.

Used by the reliability tests: ``python -m tests.append_worker URL LOG COUNT TAG``.
"""

import sys

from planner.live.store import Store


def main() -> None:
    url, log, count, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    store = Store(url)
    for n in range(count):
        entry = store.append(log, [{"at": "2021-11-27T10:00", "type": "booster_found",
                                    "room_id": "R0101", "note": f"{tag}-{n}"}], tag)[0]
        print(entry.seq, flush=True)  # printed only once the transaction has committed
    store.close()


if __name__ == "__main__":
    main()
