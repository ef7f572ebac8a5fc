"""Detection rules over the provider-neutral inventory, and the findings they produce."""
