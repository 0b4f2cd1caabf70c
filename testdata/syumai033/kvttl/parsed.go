package kvttl

import (
	"os"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/durations"
)

// Lifetimes written as text and parsed once by a helper of a package
// that does not use KV.
var (
	geoCacheTTL  = durations.Must("45s")
	feedCacheTTL = durations.Must("10m")
)

func cacheGeo(ns *kv.Namespace, ip, country string) error {
	return ns.PutString("geo:"+ip, country, &kv.PutOptions{ExpirationTTL: int(geoCacheTTL.Seconds())}) // want `ExpirationTTL 45 is below KV's 60-second minimum`
}

// Quiet: ten minutes.
func cacheFeed(ns *kv.Namespace, show, xml string) error {
	return ns.PutString("feed:"+show, xml, &kv.PutOptions{ExpirationTTL: int(feedCacheTTL.Seconds())})
}

func cacheTranscript(ns *kv.Namespace, id, text string) error {
	return ns.PutString("transcript:"+id, text, &kv.PutOptions{ExpirationTTL: int(durations.Must("30s").Seconds())}) // want `ExpirationTTL 30 is below KV's 60-second minimum`
}

// Quiet: a setting from the environment may be anything; its default is
// a minute and a half.
func cacheChapters(ns *kv.Namespace, id, text string) error {
	ttl := durations.Or(os.Getenv("CHAPTERS_TTL"), durations.Must("90s"))
	return ns.PutString("chapters:"+id, text, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}
