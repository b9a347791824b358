module example.com/crosscheck/tests

go 1.22
