//! Helpers for crosscheck's end-to-end tests.
