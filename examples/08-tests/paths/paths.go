// Package paths names files of a static site by their path under the site's root. It uses
// the OS's separator where the keys are meant to be URL-like: right on Unix, wrong on
// Windows, where filepath.Join writes backslashes.
package paths

import (
	"os"
	"path/filepath"
)

// Key is the name of file under dir, as it appears in URLs and in the site's index.
func Key(dir, file string) string {
	// The bug on purpose: path.Join, not filepath.Join, makes URL-like keys.
	return filepath.Join(dir, file)
}

// WritePrivate writes data to a file only its owner can read.
func WritePrivate(name string, data []byte) error {
	return os.WriteFile(name, data, 0o600)
}
