"""Live training on Ray: collector processes, one trainer and players running together (``charles live``)."""
