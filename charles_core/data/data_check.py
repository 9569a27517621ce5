"""``charles data check``: validate a recording or a buffer set end to end, read-only.

:func:`check_data` opens the directory read-only (nothing on disk is created,
truncated or written), validates every header and file size, and lists each
*class* of problem once (how many rows or slots, and the first one). With
``verify=True`` it also reads every frame and checks its checksum, and every
label (NaN, out of range).

Example:

```text
from charles_core.data.data_check import check_data
report = check_data("recordings/run1", verify=True)
report["problems"]  # [] when clean
```
"""

from __future__ import annotations

import os
import zlib

import numpy as np

from charles_core.errors import StorageError

KIND_RECORDING = "recording"
KIND_BUFFERS = "buffers"


def data_kind(path: str | os.PathLike) -> str:
    """``"recording"`` (a ``manifest.json``) or ``"buffers"`` (a ``buffers.json``) at ``path``.

    Raises:
        StorageError: ``path`` is neither.
    """
    from charles_core.data.buffer_set import SET_FILE
    from charles_core.data.recorded_dataset import MANIFEST_FILE

    path = os.fspath(path)
    if not os.path.isdir(path):
        raise StorageError(f"{path} is not a directory; give a recording or a buffer set directory")
    if os.path.lexists(os.path.join(path, SET_FILE)):
        return KIND_BUFFERS
    if os.path.lexists(os.path.join(path, MANIFEST_FILE)):
        return KIND_RECORDING
    raise StorageError(f"{path} is neither a recording ({MANIFEST_FILE}) nor a buffer set ({SET_FILE})")


def _bar(total: int, progress: bool, what: str):
    from tqdm.auto import tqdm

    # disable=None: no bar when stderr is not a terminal (logs, pipes)
    return tqdm(total=total, desc=what, unit="frame", disable=None if progress else True, leave=False)


def _check_recording(path: str, verify: bool, progress: bool) -> dict:
    from charles_core.data.recorded_dataset import RecordedDataset, label_problems

    dataset = RecordedDataset(path, check_labels=False)
    report = {
        "count": dataset.count,
        "frame_shape": list(dataset.frame_shape),
        "has_checksums": dataset.has_checksums,
        "frames_verified": False,
        "problems": [],
    }
    report["problems"] += label_problems(dataset.labels, f"labels file {dataset.labels_path}")
    if verify and dataset.has_checksums:
        bad = []
        crcs = dataset.labels["frame_crc32"]
        with _bar(dataset.count, progress, "checking frames") as bar:
            for index in range(dataset.count):
                if zlib.crc32(dataset.frames[index]) != int(crcs[index]):
                    bad.append(index)
                bar.update(1)
        report["frames_verified"] = True
        if bad:
            report["problems"].append(
                f"frames file {dataset.frames_path}: {len(bad):,} of {dataset.count:,} frames "
                f"fail their checksum (first: frame {bad[0]}); re-record or restore them"
            )
    elif verify:
        report["notes"] = ["the recording stores no frame checksums (frame_crc32): frames cannot be verified"]
    return report


def _check_buffers(path: str, verify: bool, progress: bool) -> dict:
    from charles_core.data.buffer_set import BufferSet
    from charles_core.data.recorded_dataset import label_problems

    problems = []
    with BufferSet.open_existing(path, read_only=True) as buffers:
        stores = {name: buffers.store(name) for name in buffers.outputs}
        report = {
            "capacity": buffers.config.capacity,
            "frame_shape": list(buffers.frame_shape),
            "counts": buffers.counts(),
            "frames_verified": False,
        }
        if verify:
            total = sum(buffers.counts().values())
            frame = np.empty(buffers.frame_shape, np.uint8)
            with _bar(total, progress, "checking frames") as bar:
                for store in stores.values():
                    for slot in store.occupied_slots().tolist():
                        store.read_frame_into(slot, frame)  # a bad frame is reported in store.problems
                        bar.update(1)
            report["frames_verified"] = True
        for name, store in stores.items():
            records = [p for p in store.problems if "corrupt record" in p]
            frames = [p for p in store.problems if "corrupt record" not in p]
            if records:
                problems.append(f"buffer {name}: {len(records):,} corrupt record(s), e.g. {records[0]}")
            if frames:
                problems.append(f"buffer {name}: {len(frames):,} corrupt frame(s), e.g. {frames[0]}")
            records = store.records(store.ordered_slots())
            problems += label_problems(records, f"buffer {store.records_path}", stored=True)
            problems += _history_problems(records, store)
        report["valid"] = buffers.counts()
    report["problems"] = problems
    return report


def _history_problems(records: np.ndarray, store) -> list[str]:
    """One line per history signal holding non-finite or out-of-range values."""
    from charles_core.common.signals import OUTPUT_RANGES

    problems = []
    if not len(records):
        return problems
    for name in store.history_shapes:
        values = records[f"history_{name}"].reshape(len(records), -1)
        low, high = OUTPUT_RANGES.get(name, (0.0, np.inf) if name == "speed" else (-np.inf, np.inf))
        bad = np.flatnonzero(~(np.isfinite(values) & (values >= low) & (values <= high)).all(axis=1))
        if bad.size:
            problems.append(
                f"buffer {store.records_path}: {bad.size:,} sample(s) with a non-finite or out-of-range "
                f"{name} history (allowed [{low}, {high}])"
            )
    return problems


def check_data(path: str | os.PathLike, verify: bool = False, progress: bool = False) -> dict:
    """Validate a recording or buffer set read-only; list one line per class of problem.

    Args:
        path: a recording or buffer set directory.
        verify: read every frame and check its checksum (slow on big data).
        progress: show a progress bar while verifying (on a terminal).

    Returns:
        ``{"path", "kind", "problems": [...], ...}`` with counts and shapes;
        ``problems`` is empty when the data are clean. A directory that
        cannot be opened at all gives one problem (the error's message).

    Raises:
        StorageError: ``path`` is neither a recording nor a buffer set.
    """
    import warnings

    from charles_core.data.sample_store import StorageWarning

    path = os.fspath(path)
    kind = data_kind(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StorageWarning)  # collected as problems instead
        try:
            report = (_check_recording if kind == KIND_RECORDING else _check_buffers)(path, verify, progress)
        except StorageError as error:
            report = {"problems": [str(error)]}
    return {"path": os.path.abspath(path), "kind": kind, **report}
