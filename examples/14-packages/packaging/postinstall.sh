#!/bin/sh
# Runs after the package's files are in place.
echo "greeter installed: run greeter"
