module example.com/tamarack

go 1.24

require github.com/syumai/workers v0.33.0
