module example.com/newsroom

go 1.26.0

require (
	github.com/syumai/workers v0.33.0
	golang.org/x/crypto v0.59.0
	golang.org/x/sync v0.20.0
)
