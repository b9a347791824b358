module example.com/crosscheck/hooks

go 1.22
