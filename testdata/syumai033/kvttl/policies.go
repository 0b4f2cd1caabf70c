package kvttl

import (
	"net/http"
	"strconv"

	"kvlint.test/syumai033/kvttl/kinds"
)

// The kind given picks the lifetime: a search result's is too short for
// KV, a listing's is not.
func cacheSearch(s kinds.Scope, q, body string) error {
	return s.PutFor(kinds.SearchResult, "search:"+q, body) // want `ExpirationTTL 45 \(passed to kinds.PutFor\) is below KV's 60-second minimum`
}

func cacheListing(s kinds.Scope, id, body string) error {
	return s.PutFor(kinds.Listing, "listing:"+id, body)
}

// Quiet: a kind read from the request picks no one lifetime here.
func cacheRequested(s kinds.Scope, r *http.Request, body string) error {
	k, _ := strconv.Atoi(r.URL.Query().Get("kind"))
	return s.PutFor(kinds.Kind(k), "any:"+r.URL.Path, body)
}
