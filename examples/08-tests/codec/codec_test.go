package codec

import (
	"bytes"
	"errors"
	"hash/crc32"
	"math"
	"math/rand"
	"testing"
)

// sample is n bytes of runs of random length, the same on every platform.
func sample(seed int64, n int) []byte {
	rng := rand.New(rand.NewSource(seed))
	data := make([]byte, 0, n)
	for len(data) < n {
		b := byte(rng.Intn(256))
		for run := 1 + rng.Intn(12); run > 0 && len(data) < n; run-- {
			data = append(data, b)
		}
	}
	return data
}

// The bulk of the package's run time: round trips of 24 streams of 1 MiB.
func TestRoundTrip(t *testing.T) {
	for seed := int64(1); seed <= 24; seed++ {
		data := sample(seed, 1<<20)
		enc := Encode(data)
		if len(enc) >= len(data) {
			t.Errorf("seed %d: %d bytes encode to %d, no smaller", seed, len(data), len(enc))
		}
		got, err := Decode(enc)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("seed %d: the round trip changed the data", seed)
		}
	}
}

// Subtests, one per table row.
func TestUvarint(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    uint64
		size int
	}{
		{"zero", 0, 1},
		{"one-byte", 127, 1},
		{"two-bytes", 128, 2},
		{"max-uint32", math.MaxUint32, 5},
		{"max-uint64", math.MaxUint64, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf := AppendUvarint(nil, tc.v)
			if len(buf) != tc.size {
				t.Fatalf("%d takes %d bytes, want %d", tc.v, len(buf), tc.size)
			}
			if v, n := Uvarint(buf); v != tc.v || n != tc.size {
				t.Fatalf("Uvarint = %d, %d; want %d, %d", v, n, tc.v, tc.size)
			}
		})
	}
}

func TestDecodeRejectsCorruptInput(t *testing.T) {
	for _, enc := range [][]byte{{0x80}, {0x05}, {0x00, 'a'}} {
		if _, err := Decode(enc); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Decode(% x) = %v, want ErrCorrupt", enc, err)
		}
	}
}

// Checks the hand-written table against the standard library's, over 64 MiB.
func TestChecksumMatchesHashCRC32(t *testing.T) {
	data := sample(42, 1<<20)
	for round := 0; round < 64; round++ {
		data[round] ^= 0xff
		if got, want := Checksum(data), crc32.ChecksumIEEE(data); got != want {
			t.Fatalf("round %d: Checksum = %#x, want %#x", round, got, want)
		}
	}
}
