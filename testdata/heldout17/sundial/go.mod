module example.com/sundial

go 1.26

require github.com/syumai/workers v0.30.2
