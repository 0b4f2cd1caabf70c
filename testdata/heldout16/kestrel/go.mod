module example.com/kestrel

go 1.25

require github.com/syumai/workers v0.33.0
