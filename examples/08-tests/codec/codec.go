// Package codec compresses byte streams with run-length encoding and unsigned varints, and
// checksums them with a table-driven CRC-32 (IEEE). Portable code whose tests do real work
// (a few hundred milliseconds natively), so that the cost of emulating a target shows.
package codec

import (
	"errors"
	"fmt"
)

// ErrCorrupt is returned for input that Encode cannot have written.
var ErrCorrupt = errors.New("codec: corrupt input")

// Encode writes data as (run length, byte) pairs, the length as an unsigned varint.
func Encode(data []byte) []byte {
	out := make([]byte, 0, len(data)/2)
	for i := 0; i < len(data); {
		j := i + 1
		for j < len(data) && data[j] == data[i] {
			j++
		}
		out = AppendUvarint(out, uint64(j-i))
		out = append(out, data[i])
		i = j
	}
	return out
}

// Decode reverses Encode.
func Decode(enc []byte) ([]byte, error) {
	var out []byte
	for i := 0; i < len(enc); {
		run, n := Uvarint(enc[i:])
		if n <= 0 || i+n >= len(enc) || run == 0 {
			return nil, fmt.Errorf("%w at byte %d", ErrCorrupt, i)
		}
		b := enc[i+n]
		for k := uint64(0); k < run; k++ {
			out = append(out, b)
		}
		i += n + 1
	}
	return out, nil
}

// AppendUvarint appends v in 7-bit groups, least significant first.
func AppendUvarint(buf []byte, v uint64) []byte {
	for v >= 0x80 {
		buf = append(buf, byte(v)|0x80)
		v >>= 7
	}
	return append(buf, byte(v))
}

// Uvarint reads a value written by AppendUvarint and the bytes it took; n <= 0 when buf
// ends early or the value overflows 64 bits.
func Uvarint(buf []byte) (v uint64, n int) {
	var shift uint
	for i, b := range buf {
		if i == 10 {
			return 0, -1
		}
		if b < 0x80 {
			return v | uint64(b)<<shift, i + 1
		}
		v |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}

// ieee is the reversed CRC-32 polynomial of Ethernet, zip and PNG.
const ieee = 0xedb88320

var table = makeTable(ieee)

func makeTable(poly uint32) *[256]uint32 {
	var t [256]uint32
	for i := range t {
		crc := uint32(i)
		for k := 0; k < 8; k++ {
			if crc&1 == 1 {
				crc = crc>>1 ^ poly
			} else {
				crc >>= 1
			}
		}
		t[i] = crc
	}
	return &t
}

// Checksum is the CRC-32 (IEEE) of data.
func Checksum(data []byte) uint32 {
	crc := ^uint32(0)
	for _, b := range data {
		crc = table[byte(crc)^b] ^ crc>>8
	}
	return ^crc
}
