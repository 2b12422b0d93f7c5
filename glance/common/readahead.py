"""Two helper threads that let an upload use both cores of a small machine.

An upload does three expensive things per chunk: receive it, hash it twice
(MD5 and SHA-256) and write it.  `hashlib` and the socket and file calls
release the GIL on large buffers, so they can overlap when they run on
different threads:

- `ReadAhead` runs a chunk generator (reading the request body, hashing
  SHA-256 on the way) on a background thread, a few chunks ahead of the
  store that consumes them;
- `HashThread` feeds each chunk to one hash object on a thread of its own
  (MD5, the slowest of the work).

Both keep at most `depth` chunks in flight, so memory stays flat, and
both pass errors on to the consuming thread unchanged.
"""

import queue
import threading

_END = object()


class ReadAhead:
    """Iterates `chunks` (a generator) on a background thread.

    Iterating the ReadAhead yields the same chunks in order, and raises
    whatever the generator raised.  `close()` (also when the consumer stops
    early) stops the generator and waits for the thread, so that nothing
    reads the request body after the consumer is done with it.
    """

    def __init__(self, chunks, depth=2, name="glance-readahead"):
        self._chunks = chunks
        self._queue = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name=name, daemon=True)
        self._thread.start()

    def _produce(self):
        try:
            for chunk in self._chunks:
                self._queue.put((chunk, None))
                if self._stop.is_set():
                    break
        except BaseException as exc:    # handed to the consumer, raised there
            self._queue.put((_END, exc))
        else:
            self._queue.put((_END, None))
        finally:
            self._chunks.close()

    def __iter__(self):
        try:
            while True:
                chunk, error = self._queue.get()
                if chunk is _END:
                    if error is not None:
                        raise error
                    return
                yield chunk
        finally:
            self.close()

    def close(self):
        if not self._thread.is_alive():
            return
        self._stop.set()
        while self._thread.is_alive():     # unblock a producer waiting on a full queue
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()


class HashThread:
    """`update()` queues a chunk; a thread of its own hashes it.

    Read the hash only after `finish()`, which waits for the queued chunks.
    `close()` stops the thread without hashing what is still queued (for
    failure paths); it may follow `finish()`.
    """

    def __init__(self, hasher, depth=2, name="glance-hash"):
        self.hasher = hasher
        self._queue = queue.Queue(depth)
        self._skip = False      # drop queued chunks: the upload failed
        self._error = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self):
        update = self.hasher.update
        while (chunk := self._queue.get()) is not _END:
            if self._skip:
                continue
            try:
                update(chunk)
            except BaseException as exc:    # finish() raises it; keep draining
                self._error, self._skip = exc, True

    def update(self, chunk):
        self._queue.put(chunk)

    def finish(self):
        """Wait until every queued chunk is hashed."""
        if self._thread.is_alive():
            self._queue.put(_END)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def close(self):
        self._skip = True
        if self._thread.is_alive():
            self._queue.put(_END)
            self._thread.join()
