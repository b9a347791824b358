module example.com/crosscheck/hello

go 1.22
