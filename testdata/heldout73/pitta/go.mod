module github.com/cityofpitta/pitta

go 1.24

require (
	github.com/alexedwards/scs/v2 v2.8.0
	github.com/cloudflare/cloudflare-go/v6 v6.10.0
	github.com/mojocn/base64Captcha v1.3.8
	github.com/sethvargo/go-limiter v0.7.1
	github.com/syumai/workers v0.27.0
)

require (
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0 // indirect
	github.com/tidwall/gjson v1.14.4 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
	golang.org/x/image v0.23.0 // indirect
)
