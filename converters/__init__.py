"""Model converters: PyTorch -> ONNX (verified), ONNX -> INT8, publishing into model_repository/."""
