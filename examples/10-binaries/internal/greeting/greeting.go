// Package greeting is shared by both binaries: built once per target, linked twice.
package greeting

import (
	"encoding/json"
	"fmt"
	"runtime"
)

// Version is set at link time with -X.
var Version = "dev"

// Line describes the running binary.
func Line(binary string) string {
	info, _ := json.Marshal(map[string]string{"os": runtime.GOOS, "arch": runtime.GOARCH})
	return fmt.Sprintf("%s %s %s", binary, Version, info)
}
