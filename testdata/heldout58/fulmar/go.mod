module fulmar

go 1.26.8

require (
	github.com/cenkalti/backoff/v4 v4.3.0
	github.com/cloudflare/cloudflare-go v0.119.0
	github.com/cloudflare/cloudflare-go/v3 v3.1.0
	github.com/go-chi/chi/v5 v5.5.0
	github.com/samber/lo v1.53.0
	github.com/syumai/workers v0.30.2
	golang.org/x/time v0.16.0
)

require (
	github.com/goccy/go-json v0.10.5 // indirect
	github.com/google/go-querystring v1.1.0 // indirect
	github.com/tidwall/gjson v1.14.4 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
	golang.org/x/net v0.34.0 // indirect
	golang.org/x/text v0.22.0 // indirect
)
