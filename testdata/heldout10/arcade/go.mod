module example.com/arcade

go 1.26

require (
	github.com/syumai/workers v0.33.0
	golang.org/x/sync v0.20.0
)
