"""Inference runtimes: registered through ``charles_register_runtimes`` like backbones."""
