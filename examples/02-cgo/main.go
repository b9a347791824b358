// Command cgohello calls a small C function through cgo and prints its answer, proving
// that a C compiler for the target took part in the build.
package main

/*
#include "add.h"
*/
import "C"

import (
	"fmt"
	"runtime"
)

func main() {
	sum := C.crosscheck_add(C.int(40), C.int(2))
	fmt.Printf("hello from %s/%s: C says 40 + 2 = %d\n", runtime.GOOS, runtime.GOARCH, int(sum))
}
