module example.com/crosscheck/goversions

go 1.24
