// Package wordsize parses record IDs into an int, assuming int has 64 bits: IDs that are
// Unix times in milliseconds overflow a 32-bit int (386, arm, mips), while small IDs pass
// everywhere. A common bug in code only ever run on amd64 and arm64.
package wordsize

import "strconv"

// ParseID reads a decimal record ID.
func ParseID(text string) (int, error) {
	return strconv.Atoi(text)
}

// Next returns the ID after id, in the same int.
func Next(id int) int {
	return id + 1
}
