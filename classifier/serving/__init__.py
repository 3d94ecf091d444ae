"""Per request: the trained model, its fast scoring path, evidence, and bundles on disk."""
