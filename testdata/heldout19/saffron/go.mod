module example.com/saffron

go 1.24

require github.com/syumai/workers v0.30.2
