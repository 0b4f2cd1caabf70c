module github.com/mohua-labs/mohua

go 1.26.8

require (
	github.com/cloudflare/cloudflare-go/v3 v3.1.0
	github.com/syumai/workers v0.33.0
)

require (
	github.com/tidwall/gjson v1.14.4 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
)
