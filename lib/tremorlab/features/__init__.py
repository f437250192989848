"""tremorlab.features (modules are added per subject; see the chapter issues)."""
