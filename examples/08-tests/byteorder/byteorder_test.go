package byteorder

import (
	"bytes"
	"testing"
)

// Fails on big-endian targets (s390x, ppc64, mips): Encode writes the host's byte order.
func TestEncodeIsLittleEndian(t *testing.T) {
	got := Encode([]uint32{0x01020304})
	want := []byte{0x04, 0x03, 0x02, 0x01}
	if !bytes.Equal(got, want) {
		t.Fatalf("Encode(0x01020304) = % x, want % x", got, want)
	}
}

// Fails with TestEncodeIsLittleEndian: what Encode writes, Decode reads back swapped.
func TestRoundTrip(t *testing.T) {
	words := []uint32{0, 1, 0xdeadbeef, 1 << 31}
	got := Decode(Encode(words))
	for i := range words {
		if got[i] != words[i] {
			t.Errorf("word %d: got %#x, want %#x", i, got[i], words[i])
		}
	}
}

// Passes everywhere: Decode is portable.
func TestDecode(t *testing.T) {
	got := Decode([]byte{0xef, 0xbe, 0xad, 0xde})
	if len(got) != 1 || got[0] != 0xdeadbeef {
		t.Fatalf("Decode = %#x, want [0xdeadbeef]", got)
	}
}
