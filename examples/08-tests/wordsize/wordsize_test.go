package wordsize

import "testing"

// Subtests: "small" and "max-int32" pass everywhere, "unix-millis" fails where int has 32
// bits.
func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		want int64
	}{
		{"small", "42", 42},
		{"max-int32", "2147483647", 2147483647},
		{"unix-millis", "1700000000000", 1700000000000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseID(tc.text)
			if err != nil {
				t.Fatalf("ParseID(%q): %v", tc.text, err)
			}
			if int64(got) != tc.want {
				t.Fatalf("ParseID(%q) = %d, want %d", tc.text, got, tc.want)
			}
		})
	}
}

// Fails where int has 32 bits: the ID after the largest int32 wraps around.
func TestNextPastInt32(t *testing.T) {
	if got := Next(2147483647); int64(got) != 2147483648 {
		t.Fatalf("Next(2147483647) = %d, want 2147483648", got)
	}
}
