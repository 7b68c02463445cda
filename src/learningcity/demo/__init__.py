"""A deterministic generator of a believable demo learning city (see `generator.build_demo_city`)."""
