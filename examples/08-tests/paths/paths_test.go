package paths

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Fails on windows: the key holds backslashes.
func TestKey(t *testing.T) {
	if got, want := Key("assets/css", "site.css"), "assets/css/site.css"; got != want {
		t.Fatalf("Key = %q, want %q", got, want)
	}
}

// Passes everywhere: a key made without a directory has no separator to get wrong.
func TestKeyWithoutDir(t *testing.T) {
	if got := Key("", "index.html"); got != "index.html" {
		t.Fatalf("Key = %q, want index.html", got)
	}
}

// Skipped where files have no Unix permission bits to check (windows) or chmod is not
// implemented (wasip1).
func TestWritePrivateMode(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "wasip1" {
		t.Skipf("%s has no Unix permission bits", runtime.GOOS)
	}
	name := filepath.Join(t.TempDir(), "secret")
	if err := WritePrivate(name, []byte("x")); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		t.Fatalf("mode %v: others can read it", mode)
	}
}
