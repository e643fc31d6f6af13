"""Pure matching engine: skills vocabulary, text normalisation, geography and scoring.

Imports neither Flask, SQLAlchemy nor `reintegrate`, so it can be tested and benchmarked alone.
"""
