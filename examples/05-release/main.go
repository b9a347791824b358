// Command greet prints a greeting and the platform it was built for; it is the program
// example 05 packages into release archives.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("greetings from %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
