"""Template tags of the interop app."""
