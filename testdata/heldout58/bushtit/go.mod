module github.com/arcadia-games/bushtit

go 1.26.0

require (
	github.com/cenkalti/backoff/v4 v4.3.0
	github.com/cloudflare/cloudflare-go/v6 v6.10.0
	github.com/go-chi/chi/v5 v5.5.0
	github.com/samber/lo v1.53.0
	github.com/syumai/workers v0.27.0
	golang.org/x/time v0.16.0
)

require (
	github.com/tidwall/gjson v1.14.4 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
	golang.org/x/text v0.22.0 // indirect
)
