"""The demo account: a forecaster's realistic, deterministic year of predictions.

An app of its own because it depends on all the others (predictions and sources services)
while nothing depends on it. `demo.loader.load_demo` is the entry point; the
`load_demo` management command calls it.
"""
