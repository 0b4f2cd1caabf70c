package main

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"

	"kvlint.test/ports/kvstore"
	"kvlint.test/ports/limiter"
)

func main() {
	l := &limiter.Limiter{S: &kvstore.KV{Client: cloudflare.NewClient(), Account: "acct", NSID: "ns"}}
	_, _ = l.Allow(context.Background(), "203.0.113.7")
}
