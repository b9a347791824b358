module example.com/checkme

go 1.22
