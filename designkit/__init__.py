"""designkit: a spec of a system in, a numbers-backed "Design <System>" article out."""

__version__ = "0.1.0"
