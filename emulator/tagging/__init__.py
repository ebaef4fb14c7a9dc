"""The fixture engine: image → categories, translations and engines, a pure function over ``fixtures/``."""
