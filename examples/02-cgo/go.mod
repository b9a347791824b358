module example.com/crosscheck/cgohello

go 1.22
