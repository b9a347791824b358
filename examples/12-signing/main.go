// Command signed prints the platform it was built for; crosscheck signs it.
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("signed build for %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
