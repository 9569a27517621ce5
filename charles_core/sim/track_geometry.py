"""Geometry of a CarRacing track and of the car on it.

CarRacing stores its track as ``(alpha, beta, x, y)`` rows: ``(x, y)`` is a
centre-line point, one per road tile, and consecutive points are about
``21 / 6 = 3.5`` world units apart. The car's hull angle ``a`` points it along
``(-sin a, cos a)``; its right-hand side is ``(cos a, sin a)``.
"""

from __future__ import annotations

import math

import numpy as np

TILE_LENGTH = 21.0 / 6.0  # CarRacing's TRACK_DETAIL_STEP, world units between centre-line points
ROAD_HALF_WIDTH = 40.0 / 6.0  # CarRacing's TRACK_WIDTH: the road spans this far either side of the centre
ROAD_WIDTH = 2 * ROAD_HALF_WIDTH


def centre_line(track) -> np.ndarray:
    """The track's centre-line points as a float64 ``(N, 2)`` array."""
    return np.asarray([(row[2], row[3]) for row in track], dtype=np.float64)


def heading_vectors(angle: float) -> tuple[np.ndarray, np.ndarray]:
    """``(forward, right)`` unit vectors of a body at hull angle ``angle``."""
    forward = np.array([-math.sin(angle), math.cos(angle)])
    right = np.array([math.cos(angle), math.sin(angle)])
    return forward, right


def nearest_index(points: np.ndarray, position) -> int:
    """Index of the centre-line point closest to ``position``."""
    offsets = points - np.asarray(position, dtype=np.float64)
    return int(np.argmin(np.einsum("ij,ij->i", offsets, offsets)))


def relative_bearing(position, angle: float, target) -> float:
    """Angle (radians, in [-pi, pi]) from the car's heading to ``target``; positive = to the right."""
    forward, right = heading_vectors(angle)
    offset = np.asarray(target, dtype=np.float64) - np.asarray(position, dtype=np.float64)
    return math.atan2(float(offset @ right), float(offset @ forward))


def segment_headings(points: np.ndarray) -> np.ndarray:
    """Direction (radians) of the segment from each point to the next, wrapping at the end."""
    deltas = np.roll(points, -1, axis=0) - points
    return np.arctan2(deltas[:, 1], deltas[:, 0])


def curvature(points: np.ndarray, half_window: int = 2) -> np.ndarray:
    """Unsigned curvature (1 / world unit) at each centre-line point.

    The heading change over ``2 * half_window`` segments divided by their
    length: averaging over a few tiles smooths CarRacing's jagged corners.
    """
    headings = segment_headings(points)
    change = np.roll(headings, -half_window) - np.roll(headings, half_window)
    change = (change + np.pi) % (2 * np.pi) - np.pi
    lengths = np.linalg.norm(np.roll(points, -1, axis=0) - points, axis=1)
    span = sum(np.roll(lengths, -k) for k in range(-half_window, half_window))
    return np.abs(change) / np.maximum(span, 1e-6)


def follow_index(points: np.ndarray, position, previous: int | None, behind: int = 10, ahead: int = 30) -> int:
    """Nearest centre-line point, searched near ``previous`` first.

    Where the track passes close to itself (hairpins, near-crossings) the
    globally nearest point can belong to another stretch of road; following
    the car's progress keeps its place on the lap. Falls back on the global
    search when nothing near ``previous`` is within a road width.

    Args:
        points: centre-line points ``(N, 2)``.
        position: the car's ``(x, y)``.
        previous: the index found last step, or ``None``.
        behind: how many points back from ``previous`` to search.
        ahead: how many points forward from ``previous`` to search.
    """
    if previous is None:
        return nearest_index(points, position)
    window = (previous + np.arange(-behind, ahead + 1)) % len(points)
    offsets = points[window] - np.asarray(position, dtype=np.float64)
    squared = np.einsum("ij,ij->i", offsets, offsets)
    best = int(np.argmin(squared))
    if squared[best] > (2 * ROAD_WIDTH) ** 2:
        return nearest_index(points, position)
    return int(window[best])
