"""Benchmarks of the registry against its peers (cedarpy, regopy). Run: python -m benchmarks --quick."""
