module example.com/wicket

go 1.26.8

require github.com/syumai/workers v0.27.0
