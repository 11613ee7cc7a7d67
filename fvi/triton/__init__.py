"""Running the real Triton Inference Server locally (no Docker) and the backends it needs."""
