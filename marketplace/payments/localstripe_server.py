"""Run localstripe with its state in a file of our choosing.

localstripe always pickles to /tmp/localstripe.pickle; two runs on one machine (a test
session beside `make run`) would read each other's state. Usage:

    python -m marketplace.payments.localstripe_server --port 8420 --state var/ls.pickle
"""

import argparse
import pickle  # noqa: S403 - our own state file, written by this process
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state", required=True)
    parser.add_argument("--from-scratch", action="store_true")
    args = parser.parse_args()
    state = Path(args.state)
    state.parent.mkdir(parents=True, exist_ok=True)

    from localstripe import resources

    def try_load_from_disk(self) -> None:
        if state.exists():
            with state.open("rb") as file:
                self.clear()
                self.update(pickle.load(file))  # noqa: S301

    def dump_to_disk(self) -> None:
        with state.open("wb") as file:
            pickle.dump(dict(self), file, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.try_load_from_disk = try_load_from_disk
    resources.Store.dump_to_disk = dump_to_disk

    from localstripe import server

    sys.argv = ["localstripe", "--port", str(args.port)]
    if args.from_scratch:
        sys.argv.append("--from-scratch")
    server.start()


if __name__ == "__main__":
    main()
