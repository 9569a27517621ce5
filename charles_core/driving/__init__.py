"""The driving side: screen capture, virtual gamepad, dead zones, unstuck, history, the player.

Nothing here imports Keras; mss and vgamepad load only when a screen source or
a gamepad is created. See docs/driving.md.
"""
