// Package ratelimit throttles link creation.
package ratelimit

import (
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/links/kvx"
	"example.com/links/settings"
)

// Allow reports whether ip may create another link in the current window.
func Allow(ip string) (bool, error) {
	ns, err := kvx.Open(settings.StatsKV)
	if err != nil {
		return false, err
	}
	window := time.Now().Unix() / int64(settings.CreateWindow/time.Second)
	key := "rate:create:" + ip + ":" + strconv.FormatInt(window, 10)

	hits := 0
	if v, ok, err := kvx.Load(ns, key); err != nil {
		return false, err
	} else if ok {
		hits, _ = strconv.Atoi(v)
	}
	if hits >= settings.CreatesPerWindow {
		return false, nil
	}
	err = ns.PutString(key, strconv.Itoa(hits+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter
		ExpirationTTL: int(settings.CreateWindow.Seconds()), // EXPECT kvttl
	})
	return err == nil, err
}
