module github.com/kotuku-market/kotuku

go 1.24

require (
	github.com/cloudflare/cloudflare-go/v4 v4.6.0
	github.com/google/wire v0.6.0
	github.com/syumai/workers v0.29.0
)

require (
	github.com/tidwall/gjson v1.14.4 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
)
