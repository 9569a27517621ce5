"""The foundation every layer may use: frames, validators, signals (output ranges, throttle <-> pedals)."""
