"""Where samples come from: the simulator's NPC (and DAgger pilots), recordings; balanced into buffers."""
