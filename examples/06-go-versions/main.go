// Command goversions prints the Go release that built it, so the Go-version axis can be
// checked by running the artifacts as well as by inspecting them.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("built with %s for %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
