"""Imports into the directory: reading files, checking rows, loading enterprises, officials, experts and credit classes."""
