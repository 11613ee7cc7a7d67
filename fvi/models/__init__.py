"""PyTorch definitions of FVI's three models (training and export only; serving uses ONNX)."""
