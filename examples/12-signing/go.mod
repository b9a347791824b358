module example.com/crosscheck/signed

go 1.22
