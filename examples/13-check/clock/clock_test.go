package clock

import "testing"

// TestResolution compiles only where resolution exists: linux and windows, not darwin.
func TestResolution(t *testing.T) {
	if resolution() <= 0 {
		t.Fatal("no resolution")
	}
}
