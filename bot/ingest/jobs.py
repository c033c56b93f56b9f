"""The worker side of the sandbox: named jobs, one at a time, under an address-space limit.

Run as `python -m bot.ingest.jobs MEMORY_BYTES`: reads length-prefixed pickled (job, args)
from stdin and answers ("ok", result) or ("error", reason) on stdout until stdin closes.
Nothing here writes to the terminal: every failure goes back to the parent as a reason.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import struct
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from bot.ingest.pagetext import main_text
from bot.ingest.parse import parse_feed

Jobs = dict[str, Callable[..., Any]]
JOBS: Jobs = {"parse_feed": parse_feed, "main_text": main_text}
FRAME = struct.Struct("!Q")


def serve(requests: BinaryIO, answers: BinaryIO, jobs: Jobs) -> None:
    """Answer jobs until the parent closes the pipe."""
    while True:
        header = requests.read(FRAME.size)
        if len(header) < FRAME.size:
            return
        (size,) = FRAME.unpack(header)
        job, args = pickle.loads(requests.read(size))  # noqa: S301 - written by our parent
        answer = pickle.dumps(run(jobs, job, args), protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(FRAME.pack(len(answer)) + answer)
        answers.flush()


def run(jobs: Jobs, job: str, args: tuple[Any, ...]) -> tuple[str, Any]:
    function = jobs.get(job)
    if function is None:
        return "error", f"unknown job {job!r}"
    try:
        return "ok", function(*args)
    except MemoryError:
        return "error", "ran out of memory while reading"
    except RecursionError:
        return "error", "nested too deeply to read"
    except Exception as error:  # the parent records it as this document's problem
        return "error", f"could not be read ({type(error).__name__})"


def main(jobs: Jobs = JOBS) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    memory = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # a stray print can't corrupt
    serve(sys.stdin.buffer, answers, jobs)


if __name__ == "__main__":
    main()
