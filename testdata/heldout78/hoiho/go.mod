module github.com/hoiho-dev/hoiho

go 1.24.0

require (
	github.com/cloudflare/cloudflare-go/v5 v5.1.0
	github.com/syumai/workers v0.29.0
	golang.org/x/mod v0.29.0
	golang.org/x/net v0.47.0
)

require (
	github.com/tidwall/gjson v1.14.4 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
)
