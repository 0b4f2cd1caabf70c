module example.com/links

go 1.26

require github.com/syumai/workers v0.27.0
