module example.com/mosaic

go 1.26.0

require (
	github.com/syumai/workers v0.33.0
	golang.org/x/sync v0.25.0
)
