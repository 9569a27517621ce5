"""CarRacing's top-down drawing at a fraction of its 1000x800 window: the same picture, fewer pixels.

CarRacing draws every step at 1000x800 and scales that down to 96x96, so most
of a simulator step is spent filling polygons nobody sees at full size. This
draws the same road, grass and car with the zoom and the window scaled by
``scale`` (0.25: 250x200), then ``read()`` scales that to the frame as before.
The indicator bar (and the score text inside it) is drawn only when asked for:
the session crops it by default.
"""

from __future__ import annotations

from charles_core.errors import ConfigError
from charles_core.sim.fast_road_renderer import FastRoadRenderer


class ScaledRenderer:
    """Replaces ``env._render`` of one CarRacing instance (after ``reset``).

    Args:
        env: the unwrapped ``CarRacing`` environment.
        scale: the drawing's size as a share of CarRacing's window, in (0, 1].
        indicators: draw the indicator bar and the score text (scaled too).

    Raises:
        ConfigError: a scale outside (0, 1].

    Example:

    ```text
    env._render = ScaledRenderer(env, 0.25)
    env.step(action)  # env.surf is now a 250x200 drawing
    ```
    """

    def __init__(self, env, scale: float = 0.25, indicators: bool = False):
        if not 0 < scale <= 1:
            raise ConfigError(f"the render scale must be in (0, 1]; got {scale!r}")
        from gymnasium.envs.box2d import car_racing

        self.env, self.module, self.scale, self.indicators = env, car_racing, float(scale), indicators
        self.width = max(8, round(car_racing.WINDOW_W * scale))
        self.height = max(8, round(car_racing.WINDOW_H * scale))
        self.road = FastRoadRenderer(env, (self.width, self.height), car_racing.MAX_SHAPE_DIM * scale)
        self._font = None

    def __call__(self, mode=None):
        import pygame

        env, module = self.env, self.module
        if "t" not in env.__dict__ or env.car is None:
            return None  # reset() not called yet
        env.surf = pygame.Surface((self.width, self.height))
        angle = -env.car.hull.angle
        # CarRacing's first-second zoom animation, scaled
        zoom = (0.1 * module.SCALE * max(1 - env.t, 0) + module.ZOOM * module.SCALE * min(env.t, 1)) * self.scale
        scroll = pygame.math.Vector2((-env.car.hull.position[0] * zoom, -env.car.hull.position[1] * zoom))
        scroll = scroll.rotate_rad(angle)
        translation = (self.width / 2 + scroll[0], self.height / 4 + scroll[1])
        self.road(zoom, translation, angle)
        env.car.draw(env.surf, zoom, translation, angle, False)
        env.surf = pygame.transform.flip(env.surf, False, True)
        if self.indicators:
            self._draw_indicators(pygame)
        return None

    def _draw_indicators(self, pygame) -> None:
        env = self.env
        env._render_indicators(self.width, self.height)
        if self._font is None:
            pygame.font.init()
            self._font = pygame.font.Font(pygame.font.get_default_font(), max(6, round(42 * self.scale)))
        text = self._font.render(f"{env.reward:04.0f}", True, (255, 255, 255), (0, 0, 0))
        rect = text.get_rect()
        rect.center = (60 * self.scale, self.height - self.height * 2.5 / 40.0)
        env.surf.blit(text, rect)
