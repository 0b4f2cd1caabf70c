package kvttl

import (
	"os"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A window from the environment, with a default when it is missing or
// not positive, clamped to a floor of its own that is too low.
func limitDownloads(ns *kv.Namespace, ip string) error {
	window, err := time.ParseDuration(os.Getenv("DOWNLOAD_WINDOW"))
	if err != nil || window <= 0 {
		window = time.Minute
	}
	return ns.PutString("dl:"+ip, "1", &kv.PutOptions{ExpirationTTL: int(max(2*window, 3*time.Second).Seconds())}) // want `ExpirationTTL can be as low as 3s`
}

// Quiet: the floor is a minute.
func limitUploads(ns *kv.Namespace, ip string) error {
	window, err := time.ParseDuration(os.Getenv("UPLOAD_WINDOW"))
	if err != nil || window <= 0 {
		window = time.Minute
	}
	return ns.PutString("ul:"+ip, "1", &kv.PutOptions{ExpirationTTL: int(max(2*window, time.Minute).Seconds())})
}

// A count of seconds that passed a test only: at least 10.
func keepFor(ns *kv.Namespace, key, secs string) error {
	n, err := strconv.Atoi(secs)
	if err != nil || n < 10 {
		return err
	}
	return ns.PutString(key, "1", &kv.PutOptions{ExpirationTTL: n}) // want `ExpirationTTL can be as low as 10s`
}

// Quiet: a test that keeps it at a minute or more.
func keepLonger(ns *kv.Namespace, key, secs string) error {
	n, err := strconv.Atoi(secs)
	if err != nil || n < 60 {
		return err
	}
	return ns.PutString(key, "1", &kv.PutOptions{ExpirationTTL: n})
}

type resetConfig struct{ Window time.Duration }

type handler func(ip string) error

// A middleware whose handler, two closures deep, puts with the
// lifetime its constructor clamped too low.
func rateLimitByIP(ns *kv.Namespace, cfg resetConfig) func(handler) handler {
	ttl := max(2*cfg.Window, 3*time.Second) // want `ExpirationTTL can be as low as 3s`
	return func(next handler) handler {
		return func(ip string) error {
			_ = ns.PutString("rl:"+ip, "1", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
			return next(ip)
		}
	}
}
