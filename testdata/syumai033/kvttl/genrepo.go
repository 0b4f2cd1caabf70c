package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/genrepo"
)

type quote struct{ Cents int }

// A generic repository whose put options come from a helper method.
func quotes(ns *kv.Namespace) *genrepo.Repo[quote] {
	return genrepo.New[quote](ns, "quote:", genrepo.WithTTL(20*time.Second)) // want `ExpirationTTL 20 \(passed to genrepo.WithTTL, which keeps it in settings.ttl\) is below`
}

// Quiet: the default hour, and two minutes.
func carts(ns *kv.Namespace) (*genrepo.Repo[quote], *genrepo.Repo[quote]) {
	return genrepo.New[quote](ns, "cart:"), genrepo.New[quote](ns, "hold:", genrepo.WithTTL(2*time.Minute))
}
