"""make readme: the README's marked blocks, made from real runs and the benchmark report."""
