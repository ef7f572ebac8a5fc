"""The provider-neutral inventory: what collection produces and what detection reads."""
