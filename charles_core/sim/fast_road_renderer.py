"""A vectorised drop-in for CarRacing's road drawing: the same polygons, culled with numpy.

CarRacing redraws the background, 400 grass patches and every road tile each
step, rotating and bounds-checking each polygon in Python (about 1,100
polygons, most of the simulator's time). This does the rotation and the same
culling rule for all of them at once with numpy and hands only the visible
polygons, in the same order, to the same ``gfxdraw`` calls.
"""

from __future__ import annotations

import numpy as np


class FastRoadRenderer:
    """Replaces ``env._render_road`` of one CarRacing instance.

    Args:
        env: the unwrapped ``CarRacing`` environment (after ``reset``).
        size: ``(width, height)`` of the surface drawn on (default: CarRacing's
            1000x800 window); polygons outside it are culled.
        margin: how far outside the surface a polygon may reach and still be
            drawn (default: CarRacing's ``MAX_SHAPE_DIM``).

    Example:

    ```text
    env._render_road = FastRoadRenderer(env)
    ```
    """

    def __init__(self, env, size: tuple[int, int] | None = None, margin: float | None = None):
        from gymnasium.envs.box2d import car_racing

        self.env = env
        self.module = car_racing
        self.size = tuple(size) if size is not None else (car_racing.WINDOW_W, car_racing.WINDOW_H)
        self.margin = car_racing.MAX_SHAPE_DIM if margin is None else float(margin)
        bounds = car_racing.PLAYFIELD
        self.field = np.array([(bounds, bounds), (bounds, -bounds), (-bounds, -bounds), (-bounds, bounds)], float)
        dim = car_racing.GRASS_DIM
        grass = [
            [(dim * x + dim, dim * y), (dim * x, dim * y), (dim * x, dim * y + dim), (dim * x + dim, dim * y + dim)]
            for x in range(-20, 20, 2)
            for y in range(-20, 20, 2)
        ]
        self.grass = np.array(grass, float)
        self.road = np.array([[(p[0], p[1]) for p in poly] for poly, _ in env.road_poly], float)
        self.road_colors = [tuple(int(c) for c in color) for _, color in env.road_poly]

    def _transform(self, polygons, zoom, translation, angle):
        cos, sin = np.cos(angle), np.sin(angle)
        x, y = polygons[..., 0], polygons[..., 1]
        screen_x = (x * cos - y * sin) * zoom + translation[0]
        screen_y = (x * sin + y * cos) * zoom + translation[1]
        return np.stack([screen_x, screen_y], axis=-1)

    def _visible(self, points):
        margin, (width, height) = self.margin, self.size
        inside = (
            (points[..., 0] >= -margin)
            & (points[..., 0] <= width + margin)
            & (points[..., 1] >= -margin)
            & (points[..., 1] <= height + margin)
        )
        return inside.any(axis=-1)

    def _draw(self, polygon, color):
        gfxdraw = self.module.gfxdraw
        points = [tuple(point) for point in polygon.tolist()]
        gfxdraw.aapolygon(self.env.surf, points, color)
        gfxdraw.filled_polygon(self.env.surf, points, color)

    def __call__(self, zoom, translation, angle):
        env = self.env
        self._draw(self._transform(self.field, zoom, translation, angle), env.bg_color)
        for polygons, colors in ((self.grass, None), (self.road, self.road_colors)):
            points = self._transform(polygons, zoom, translation, angle)
            for index in np.flatnonzero(self._visible(points)):
                self._draw(points[index], env.grass_color if colors is None else colors[index])
