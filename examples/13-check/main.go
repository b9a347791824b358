// checkme prints where it runs and how big its chunks are.
package main

import (
	"fmt"

	"example.com/checkme/clock"
)

func main() {
	fmt.Println(platformName(), maxChunk, clock.Ticks())
}
