module kvlint.test/syumai033

go 1.26.0

require (
	github.com/samber/lo v1.53.0
	github.com/syumai/workers v0.33.0
	golang.org/x/time v0.16.0
)

require golang.org/x/text v0.22.0 // indirect
