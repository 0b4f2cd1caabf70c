module example.com/quarry

go 1.23

require github.com/syumai/workers v0.30.2
