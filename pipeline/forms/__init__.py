"""Forms: the render context, date words, document planning, generation and the manifest."""
