module example.com/crosscheck/needs12509

go 1.25.9
