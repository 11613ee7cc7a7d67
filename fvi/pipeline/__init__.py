"""Pure pipeline logic shared by training, evaluation, the in-process runner and Triton's Python steps."""
