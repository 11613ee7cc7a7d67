"""Training: data preparation from `fvi synth` output, a shared loop, one task per model."""
