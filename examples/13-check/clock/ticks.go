// Package clock reads a monotonic tick counter.
package clock

import "time"

var start = time.Now()

// Ticks is the number of microseconds since the program started.
func Ticks() int64 { return time.Since(start).Microseconds() }
