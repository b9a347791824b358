// Package byteorder writes records of uint32 words in a little-endian wire format. Its fast
// path reinterprets the words' memory as bytes, which is only right on a little-endian CPU:
// the kind of shortcut that passes on amd64 and arm64 and breaks on s390x and ppc64.
package byteorder

import (
	"encoding/binary"
	"unsafe"
)

// Encode returns words in the wire format, without copying them one by one.
func Encode(words []uint32) []byte {
	if len(words) == 0 {
		return nil
	}
	// The bug on purpose: this is the host's byte order, not the wire's.
	return unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(words)*4)
}

// Decode reads words written in the wire format, portably.
func Decode(wire []byte) []uint32 {
	words := make([]uint32, len(wire)/4)
	for i := range words {
		words[i] = binary.LittleEndian.Uint32(wire[i*4:])
	}
	return words
}
