module sunbird

go 1.26.8

require (
	github.com/cloudflare/cloudflare-go v0.110.0
	github.com/syumai/workers v0.29.0
)

require (
	github.com/goccy/go-json v0.10.3 // indirect
	github.com/google/go-querystring v1.1.0 // indirect
	golang.org/x/net v0.31.0 // indirect
	golang.org/x/text v0.20.0 // indirect
	golang.org/x/time v0.8.0 // indirect
)
