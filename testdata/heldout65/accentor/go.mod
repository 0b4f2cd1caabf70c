module github.com/accentor/accentor

go 1.24

require (
	github.com/bwmarrin/discordgo v0.28.1
	github.com/cloudflare/cloudflare-go/v6 v6.10.0
	github.com/slack-go/slack v0.17.3
	github.com/stripe/stripe-go/v82 v82.5.1
	github.com/syumai/workers v0.30.2
)

require (
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/tidwall/gjson v1.14.4 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
	golang.org/x/crypto v0.0.0-20210421170649-83a5a9bb288b // indirect
	golang.org/x/sys v0.0.0-20201119102817-f84b799fce68 // indirect
)
