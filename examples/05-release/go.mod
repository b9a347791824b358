module example.com/crosscheck/greet

go 1.22
