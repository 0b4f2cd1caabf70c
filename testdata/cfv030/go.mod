module kvlint.test/cfv030

go 1.26

require github.com/cloudflare/cloudflare-go v0.30.0

require (
	github.com/pkg/errors v0.9.1 // indirect
	golang.org/x/net v0.0.0-20210510120150-4163338589ed // indirect
	golang.org/x/text v0.3.6 // indirect
	golang.org/x/time v0.0.0-20201208040808-7e3f01d25324 // indirect
)
