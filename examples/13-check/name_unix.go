//go:build !windows

package main

// platformName exists for every OS but windows: the windows build fails.
func platformName() string { return "unix" }
