// crosscheck-typecheck type-checks Go packages from source for one target, the way the
// target's build sees them, without compiling or linking anything.
//
// crosscheck builds this program with the user's own go command (standard library only)
// and runs it once per target with the target's environment (GOOS, GOARCH, CGO_ENABLED,
// GOARM, ...). It asks `go list -deps` for the package graph and file sets, then parses
// and type-checks every package in dependency order with go/types: the module's packages
// and third-party dependencies in full, the standard library without function bodies
// (its exported API is all a dependent needs, and it compiles upstream).
//
// Usage: crosscheck-typecheck [-go GO] [-p N] [-tests] [-json] [-cache DIR] [BUILD FLAGS] [--] PACKAGES...
//
// With -cache, a verdict is remembered under a key made of everything that can change it:
// the environment's GO* and CGO_* variables, the arguments, the working directory, and each
// listed package's files (contents for the module and its dependencies, size and mtime for
// the standard library). An unchanged target then costs one `go list` and no type-checking.
//
// Errors go to stderr in the compiler's form, under a "# import/path" line per package,
// with paths relative to the working directory, so the messages read like `go build`'s.
// With -json, a summary (packages, errors, timings) goes to stdout. Exit status: 0 no errors, 1 type errors, 2 usage or
// `go list` failures, 3 a package needs cgo processing (check it with the compiler).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// listedPackage is what `go list -json` says of one package, the fields this program reads.
type listedPackage struct {
	ImportPath   string
	Name         string
	Dir          string
	Standard     bool
	DepOnly      bool
	ForTest      string
	GoFiles      []string
	CgoFiles     []string
	TestGoFiles  []string
	XTestGoFiles []string
	Imports      []string
	ImportMap    map[string]string
	Module       *struct{ GoVersion string }
	Error        *struct{ Pos, Err string }
	DepsErrors   []*struct{ Pos, Err string }
}

// summary is the JSON written to stdout.
type summary struct {
	Packages int      `json:"packages"`
	Checked  int      `json:"checked"`
	Errors   int      `json:"errors"`
	Failed   []string `json:"failed"`
	Cgo      []string `json:"cgo"`
	ListMS   int64    `json:"list_ms"`
	CheckMS  int64    `json:"check_ms"`
	// ParseMS is the time spent parsing, summed over the goroutines: the share of the
	// work that checking several targets in one process could save.
	ParseMS int64 `json:"parse_ms"`
}

const listFields = "-json=ImportPath,Name,Dir,Standard,DepOnly,ForTest,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,Imports,ImportMap,Module,Error,DepsErrors"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("crosscheck-typecheck", flag.ContinueOnError)
	flags.SetOutput(stderr)
	goCmd := flags.String("go", "go", "the go command")
	tests := flags.Bool("tests", false, "include _test.go files (internal and external test packages)")
	asJSON := flags.Bool("json", false, "write a summary in JSON to stdout")
	parallel := flags.Int("p", runtime.GOMAXPROCS(0), "how many packages to check at once")
	cacheDir := flags.String("cache", "", "remember verdicts in this directory")
	if err := flags.Parse(splitOwnFlags(args)); err != nil {
		return 2
	}
	buildFlags, patterns := splitBuildFlags(flags.Args())
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	started := time.Now()
	pkgs, err := list(*goCmd, *tests, buildFlags, patterns)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	s := summary{Packages: len(pkgs), ListMS: time.Since(started).Milliseconds()}
	for _, p := range pkgs {
		if len(p.CgoFiles) > 0 && !p.Standard {
			s.Cgo = append(s.Cgo, p.ImportPath)
		}
	}
	if len(s.Cgo) > 0 {
		fmt.Fprintf(stderr, "packages with cgo files need cgo's preprocessing: %s\n", strings.Join(s.Cgo, ", "))
		if *asJSON {
			writeSummary(stdout, s)
		}
		return 3
	}
	cwd, _ := os.Getwd()
	var remembered *verdictCache
	if *cacheDir != "" {
		remembered = newVerdictCache(*cacheDir, args, cwd, pkgs)
		if code, output, ok := remembered.lookup(); ok {
			io.WriteString(stderr, output)
			return code
		}
	}
	var out strings.Builder
	code := check(pkgs, cwd, *parallel, &s, &out)
	io.WriteString(stderr, out.String())
	if *asJSON {
		writeSummary(stdout, s)
	}
	if remembered != nil {
		remembered.store(code, out.String())
	}
	return code
}

// check type-checks pkgs, writes the errors to out, fills the summary, and returns the exit
// status: 1 when there are errors, else 0.
func check(pkgs []*listedPackage, cwd string, parallel int, s *summary, stderr io.Writer) int {
	started := time.Now()
	c := newChecker(pkgs, cwd, parallel)
	c.checkAll()
	s.CheckMS = time.Since(started).Milliseconds()
	s.Checked = c.checked
	s.ParseMS = c.parseTime.Milliseconds()
	// A package's test variant repeats the package's own errors: say each once.
	said := map[string]bool{}
	for _, p := range c.order {
		var fresh []string
		for _, m := range c.errors[p.ImportPath] {
			if !said[m] {
				said[m] = true
				fresh = append(fresh, m)
			}
		}
		if len(fresh) > 0 {
			s.Failed = append(s.Failed, p.ImportPath)
			s.Errors += len(fresh)
			fmt.Fprintf(stderr, "# %s\n", p.ImportPath)
			for _, m := range fresh {
				fmt.Fprintln(stderr, m)
			}
		}
	}
	if s.Errors > 0 {
		return 1
	}
	return 0
}

// splitOwnFlags keeps this program's flags (-go, -tests) at the front, where package flag
// wants them, and leaves everything else (the build's flags and the patterns) after them.
func splitOwnFlags(args []string) []string {
	var own, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-tests" || a == "-json" || strings.HasPrefix(a, "-go=") || strings.HasPrefix(a, "-p=") || strings.HasPrefix(a, "-cache="):
			own = append(own, a)
		case a == "-go" && i+1 < len(args):
			own = append(own, a, args[i+1])
			i++
		default:
			rest = append(rest, a)
		}
	}
	return append(append(own, "--"), rest...)
}

// splitBuildFlags separates go build flags (passed to go list as they are) from patterns:
// everything before a "--" is flags; without one, the flags are the leading words that
// start with "-".
func splitBuildFlags(args []string) (flags, patterns []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
	}
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			return args[:i], args[i:]
		}
	}
	return args, nil
}

// list runs `go list -e -deps` (with -test for tests) and decodes its stream of packages,
// which comes in dependency order: every package after the packages it imports.
func list(goCmd string, tests bool, buildFlags, patterns []string) ([]*listedPackage, error) {
	args := []string{"list", "-e", "-deps", listFields}
	if tests {
		args = append(args, "-test")
	}
	args = append(args, buildFlags...)
	args = append(args, "--")
	args = append(args, patterns...)
	cmd := exec.Command(goCmd, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list failed: %v\n%s", err, strings.TrimSpace(stderr.String()))
	}
	var pkgs []*listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("cannot read go list's output: %v", err)
		}
		pkgs = append(pkgs, &p)
	}
	return pkgs, nil
}

func writeSummary(w io.Writer, s summary) {
	if s.Failed == nil {
		s.Failed = []string{}
	}
	if s.Cgo == nil {
		s.Cgo = []string{}
	}
	out, _ := json.Marshal(s)
	fmt.Fprintln(w, string(out))
}

// maxErrors is how many errors a package reports, like the compiler's limit.
const maxErrors = 10

// checker type-checks a listed package graph, each package once its imports are done,
// several at a time.
type checker struct {
	fset    *token.FileSet
	byPath  map[string]*listedPackage
	order   []*listedPackage
	cwd     string
	sizes   types.Sizes
	done    map[string]chan struct{}
	mu      sync.Mutex
	types   map[string]*types.Package
	errors  map[string][]string
	checked int
	// parallel is how many packages are checked at once.
	parallel int
	// parseTime sums the time spent parsing files.
	parseTime time.Duration
}

func newChecker(pkgs []*listedPackage, cwd string, parallel int) *checker {
	c := &checker{
		parallel: max(parallel, 1),
		fset:     token.NewFileSet(),
		byPath:   map[string]*listedPackage{},
		cwd:      cwd,
		done:     map[string]chan struct{}{},
		types:    map[string]*types.Package{},
		errors:   map[string][]string{},
	}
	goarch := os.Getenv("GOARCH")
	if goarch == "" {
		goarch = runtime.GOARCH
	}
	c.sizes = types.SizesFor("gc", goarch)
	for _, p := range pkgs {
		if isTestMain(p) {
			continue
		}
		c.byPath[p.ImportPath] = p
		c.order = append(c.order, p)
		c.done[p.ImportPath] = make(chan struct{})
	}
	return c
}

// isTestMain is the generated main package of a test binary: nothing of the user's to check.
func isTestMain(p *listedPackage) bool {
	return p.Name == "main" && strings.HasSuffix(p.ImportPath, ".test")
}

// checkAll checks every package, at most c.parallel at a time, each after its imports.
func (c *checker) checkAll() {
	slots := make(chan struct{}, c.parallel)
	var wg sync.WaitGroup
	for _, p := range c.order {
		wg.Add(1)
		go func(p *listedPackage) {
			defer wg.Done()
			defer close(c.done[p.ImportPath])
			for _, imp := range p.Imports {
				if ch, ok := c.done[resolve(p, imp)]; ok {
					<-ch
				}
			}
			slots <- struct{}{}
			defer func() { <-slots }()
			c.check(p)
		}(p)
	}
	wg.Wait()
}

// resolve maps an import path as written to the listed package it means (vendored copies,
// test variants).
func resolve(p *listedPackage, path string) string {
	if mapped, ok := p.ImportMap[path]; ok {
		return mapped
	}
	return path
}

// check parses and type-checks one package and records its errors.
func (c *checker) check(p *listedPackage) {
	var msgs []string
	report := func(msg string) {
		if len(msgs) < maxErrors {
			msgs = append(msgs, msg)
		} else if len(msgs) == maxErrors {
			msgs = append(msgs, "too many errors")
		}
	}
	if p.Error != nil {
		report(c.listError(p.Error.Pos, p.Error.Err))
	}
	parseStart := time.Now()
	files := c.parse(p, report)
	parsed := time.Since(parseStart)
	conf := types.Config{
		Importer:         importerFunc(func(path string) (*types.Package, error) { return c.imported(p, path) }),
		Sizes:            c.sizes,
		IgnoreFuncBodies: p.Standard,
		// The standard library's cgo packages (net, os/user, runtime/cgo on cgo targets)
		// type-check without cgo's output when function bodies are skipped.
		FakeImportC: p.Standard,
		Error: func(err error) {
			if te, ok := err.(types.Error); ok && te.Soft && p.Standard {
				return
			}
			report(c.relative(err.Error()))
		},
	}
	if p.Module != nil && p.Module.GoVersion != "" && !p.Standard {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	pkg, _ := conf.Check(strings.SplitN(p.ImportPath, " ", 2)[0], c.fset, files, nil)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.types[p.ImportPath] = pkg
	c.checked++
	c.parseTime += parsed
	if len(msgs) > 0 {
		c.errors[p.ImportPath] = msgs
	}
}

// parse reads the package's Go files (for cgo packages of the standard library, the cgo
// files too); a file that does not parse reports its syntax errors.
func (c *checker) parse(p *listedPackage, report func(string)) []*ast.File {
	names := append(append([]string{}, p.GoFiles...), p.CgoFiles...)
	var files []*ast.File
	mode := parser.ParseComments | parser.SkipObjectResolution
	for _, name := range names {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.Dir, name)
		}
		f, err := parser.ParseFile(c.fset, path, nil, mode)
		if err != nil {
			var list interface{ Unwrap() []error }
			if errors.As(err, &list) {
				for _, e := range list.Unwrap() {
					report(c.relative(e.Error()))
				}
			} else {
				report(c.relative(err.Error()))
			}
		}
		if f != nil {
			files = append(files, f)
		}
	}
	return files
}

// imported gives the checked package an import path means from p.
func (c *checker) imported(p *listedPackage, path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if pkg, ok := c.types[resolve(p, path)]; ok && pkg != nil {
		return pkg, nil
	}
	return nil, fmt.Errorf("package %s is not in the build", path)
}

// listError words a go list error like the go command does: its position, then the error.
func (c *checker) listError(pos, err string) string {
	if pos == "" {
		return err
	}
	return c.relative(pos + ": " + err)
}

// relative rewrites a leading absolute file name inside the working directory as the
// compiler writes it: ./dir/file.go.
func (c *checker) relative(msg string) string {
	if c.cwd == "" || !strings.HasPrefix(msg, c.cwd+string(filepath.Separator)) {
		return msg
	}
	return "./" + filepath.ToSlash(strings.TrimPrefix(msg, c.cwd+string(filepath.Separator)))
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// verdictCache remembers a target's verdict (exit status and errors) under a key of
// everything that can change it.
type verdictCache struct {
	path string
}

// newVerdictCache computes the key: GO*/CGO_* variables, the arguments, the working
// directory and every listed package's files. The module's and its dependencies' files are
// hashed by content; the standard library's by size and mtime (it changes only with the
// toolchain, whose files a reinstall rewrites).
func newVerdictCache(dir string, args []string, cwd string, pkgs []*listedPackage) *verdictCache {
	h := sha256.New()
	env := os.Environ()
	sort.Strings(env)
	for _, kv := range env {
		if strings.HasPrefix(kv, "GO") || strings.HasPrefix(kv, "CGO_") {
			fmt.Fprintf(h, "env %q\n", kv)
		}
	}
	fmt.Fprintf(h, "args %q\ncwd %q\n", args, cwd)
	for _, p := range pkgs {
		fmt.Fprintf(h, "package %q %q %v\n", p.ImportPath, p.Dir, p.Standard)
		if p.Error != nil {
			fmt.Fprintf(h, "error %q %q\n", p.Error.Pos, p.Error.Err)
		}
		for _, name := range append(append([]string{}, p.GoFiles...), p.CgoFiles...) {
			path := name
			if !filepath.IsAbs(path) {
				path = filepath.Join(p.Dir, name)
			}
			fmt.Fprintf(h, "file %q ", path)
			if p.Standard {
				if info, err := os.Stat(path); err == nil {
					fmt.Fprintf(h, "%d %d\n", info.Size(), info.ModTime().UnixNano())
				}
				continue
			}
			if data, err := os.ReadFile(path); err == nil {
				fmt.Fprintf(h, "%x\n", sha256.Sum256(data))
			}
		}
	}
	return &verdictCache{path: filepath.Join(dir, fmt.Sprintf("%x", h.Sum(nil)))}
}

// lookup returns a remembered verdict.
func (v *verdictCache) lookup() (code int, output string, ok bool) {
	data, err := os.ReadFile(v.path)
	if err != nil {
		return 0, "", false
	}
	first, rest, found := strings.Cut(string(data), "\n")
	if !found || (first != "0" && first != "1") {
		return 0, "", false
	}
	return int(first[0] - '0'), rest, true
}

// store remembers a verdict; a cache that cannot be written only costs the next run time.
func (v *verdictCache) store(code int, output string) {
	if code != 0 && code != 1 {
		return
	}
	if err := os.MkdirAll(filepath.Dir(v.path), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(v.path), ".verdict-")
	if err != nil {
		return
	}
	fmt.Fprintf(tmp, "%d\n%s", code, output)
	if tmp.Close() != nil {
		os.Remove(tmp.Name())
		return
	}
	// Renamed into place: a concurrent run reads the old state or the whole entry.
	if os.Rename(tmp.Name(), v.path) != nil {
		os.Remove(tmp.Name())
	}
}
