// Command where reports where it was built from: a stack trace or a log line with the
// caller's file, as many programs print. Without -trimpath that is the absolute path of the
// build directory, so the binary depends on where it was built.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	_, file, line, _ := runtime.Caller(0)
	fmt.Printf("hello from %s:%d\n", file, line)
}
