module example.com/orchard

go 1.23

require github.com/syumai/workers v0.30.2
