module example.com/wharf

go 1.26.8

require github.com/syumai/workers v0.33.0
