module example.com/crosscheck/stamp

go 1.22
