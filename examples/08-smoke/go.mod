module example.com/crosscheck/smoke

go 1.22
