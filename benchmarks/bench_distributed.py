"""The world at 0.05 deg, share mode, every shipped metro, on a 2-worker LocalCluster.

Run: ``python benchmarks/bench_distributed.py [--resolution 0.05] [--band-rows 120]
[--write]``. Starts a ``dask.distributed.LocalCluster`` of 2 single-threaded worker
processes (the library never starts one itself), runs ``rank_sites`` in row bands on it
(``band_rows``, the ``pipeline.evaluate_bands`` path), and reports the wall time, the
peak resident memory of this (client) process and of each worker, their sum, and the
memory guard's estimate. The target of issue 15: it completes within 24 GiB.
``--write`` writes the table, with the machine, date and load, to
``docs/_bench_distributed.md`` (included by ``docs/performance.md``). Not a test: at
0.05 deg it runs for minutes and needs about 20 GiB; run it on a machine nobody else is
using.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

from _report import header, markdown, peak_rss_gib, write


def _worker_peak_gib() -> float:
    with open("/proc/self/status") as f:  # VmHWM: reset at exec, unlike ru_maxrss
        return next(int(x.split()[1]) for x in f if x.startswith("VmHWM:")) / 2**20


def _summed_rss_gib(pids: list[int]) -> float:
    import psutil

    return sum(psutil.Process(p).memory_info().rss for p in pids) / 2**30


class _Sampler(threading.Thread):
    """Poll the summed RSS of the cluster's processes (client + workers) every 0.2 s."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids, self.peak, self.stop = pids, 0.0, threading.Event()

    def run(self) -> None:
        import psutil

        procs = [psutil.Process(p) for p in self.pids]
        while not self.stop.is_set():
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total / 2**30)
            time.sleep(0.2)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=float, default=0.05)
    parser.add_argument("--band-rows", type=int, default=120)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)

    import os

    import distributed

    import computeatlas
    from computeatlas import ranking
    from computeatlas.grid import Window

    metros = computeatlas.datasets.metros(kind="places")[["name", "lat", "lon", "population"]]
    window = Window.from_bbox(None, args.resolution)
    need = ranking.rank_memory_bytes(window, len(metros), args.band_rows) / 2**30
    command = (
        f"python benchmarks/bench_distributed.py --resolution {args.resolution} "
        f"--band-rows {args.band_rows} --write"
    )
    text = header(command)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = [os.getpid(), *client.run(os.getpid).values()]
        start = _summed_rss_gib(pids)
        sampler = _Sampler(pids)
        sampler.start()
        t0 = time.perf_counter()
        r = computeatlas.rank_sites(
            "world",
            metros,
            mode="share",
            min_share=0.5,
            resolution=args.resolution,
            band_rows=args.band_rows,
        )
        elapsed = time.perf_counter() - t0
        sampler.stop.set()
        sampler.join()
        workers = list(client.run(_worker_peak_gib).values())
    client_peak = peak_rss_gib()
    rows = [
        ("cells x metros", f"{window.size:,} x {len(metros):,}", ""),
        ("wall time (2 workers, 1 thread each)", f"{elapsed:.0f} s", "report"),
        ("peak RSS, client process", f"{client_peak:.1f} GiB", ""),
        ("peak RSS, each worker", ", ".join(f"{w:.1f} GiB" for w in workers), ""),
        ("peak summed RSS, client + workers (sampled)", f"{sampler.peak:.1f} GiB", "<= 24 GiB"),
        ("  of which the processes held before the call", f"{start:.1f} GiB", ""),
        (
            "memory guard's estimate (what the call adds; not the workers' imports)",
            f"{need:.1f} GiB",
            f"within 30 % of {sampler.peak - start:.1f} GiB",
        ),
        ("eligible cells", f"{int(r.grid['eligible'].sum()):,}", ""),
    ]
    text += (
        f"`rank_sites('world', <every shipped metro>, mode='share', min_share=0.5, "
        f"resolution={args.resolution}, band_rows={args.band_rows})` on a 2-worker "
        "LocalCluster:\n\n" + markdown(("what", "measured", "target"), rows)
    )
    print(text)
    if args.write:
        write("_bench_distributed.md", text)


if __name__ == "__main__":
    main(sys.argv[1:])
