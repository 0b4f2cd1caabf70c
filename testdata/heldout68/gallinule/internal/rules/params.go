package rules

import (
	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/birdline/gallinule/internal/kvstore"
)

func listParams(ns *kvstore.Namespace, prefix string) kv.NamespaceKeyListParams {
	return kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(ns.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
}
