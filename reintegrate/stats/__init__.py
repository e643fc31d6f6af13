"""Pure statistics for programme outcomes: retention curves, small-cell suppression, SVG charts."""
