module example.com/lantern

go 1.23

require (
	github.com/syumai/workers v0.33.0
	golang.org/x/sync v0.10.0
)
