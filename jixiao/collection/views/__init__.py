"""Views of the collection app, one module per screen family."""
