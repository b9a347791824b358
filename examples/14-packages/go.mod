module example.com/crosscheck/greeter

go 1.22
