# Proves the official Python SDK is installed and importable: prints its version.
import importlib.metadata
import diffusion  # noqa: F401

print("python-sdk", importlib.metadata.version("diffusion"))
