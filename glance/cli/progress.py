"""Human-readable sizes and the transfer progress bar of the `glance` command.

The bar is drawn on a terminal only (the caller decides), redrawn in place
with `\\r` at most `max_rate` times a second, and ended with a newline.
"""

import time

UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def human_size(n):
    """0 B, 512 B, 1.5 KiB, 10.0 MiB, 2.0 GiB."""
    if n is None:
        return "-"
    n = int(n)
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in UNITS:
        value /= 1024
        if value < 1024 or unit == UNITS[-1]:
            return f"{value:.1f} {unit}"


def human_duration(seconds):
    """0:07, 12:34, 1:02:03."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def render(done, total, elapsed, width=20):
    """One progress line: bar, percent, bytes done / total, rate, ETA.

    Without a known total only bytes and rate are shown.
    """
    rate = done / elapsed if elapsed > 0 else 0.0
    rate_text = f"{human_size(rate)}/s" if elapsed > 0 else "--/s"
    if not total:
        return f"{human_size(done)}  {rate_text}"
    fraction = min(done / total, 1.0)
    filled = int(fraction * width)
    bar = "#" * filled + " " * (width - filled)
    if done >= total:
        eta = f"in {human_duration(elapsed)}"
    elif rate > 0:
        eta = f"ETA {human_duration((total - done) / rate)}"
    else:
        eta = "ETA --:--"
    return (f"[{bar}] {fraction * 100:3.0f}%  {human_size(done)} / {human_size(total)}"
            f"  {rate_text}  {eta}")


class ProgressBar:
    """Counts bytes and redraws `render()` on `stream`; a no-op when disabled."""

    def __init__(self, stream, total=None, enabled=True, clock=time.monotonic,
                 max_rate=10):
        self.stream, self.total, self.enabled = stream, total, enabled
        self.clock = clock
        self.interval = 1.0 / max_rate
        self.done = 0
        self.started = clock()
        self._last_draw = None
        self._width = 0

    def update(self, nbytes):
        self.done += nbytes
        now = self.clock()
        if self._last_draw is None or now - self._last_draw >= self.interval:
            self._draw(now)

    def finish(self):
        """Draw the final state and end the line."""
        if self.enabled:
            self._draw(self.clock())
            self.stream.write("\n")
            self.stream.flush()

    def wrap(self, chunks):
        """Pass `chunks` through, counting them."""
        for chunk in chunks:
            self.update(len(chunk))
            yield chunk

    def _draw(self, now):
        self._last_draw = now
        if not self.enabled:
            return
        line = render(self.done, self.total, now - self.started)
        # Pad so a shorter line fully covers the previous one.
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)
