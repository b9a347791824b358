module example.com/crosscheck/unreproducible

go 1.22
