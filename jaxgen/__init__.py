"""jaxgen: a JAX/Flax codebase for training generative models and studying how they fail.

The map of the code is DESIGN.md (shared with the team): floor 1 holds pure
models (`jaxgen.nn`), losses (`jaxgen.losses`) and data (`jaxgen.data`);
floor 2 the training methods (`jaxgen.methods`) and metrics; floor 3 the
method-agnostic engine (`jaxgen.engine`) and figures (`jaxgen.plots`).
"""
