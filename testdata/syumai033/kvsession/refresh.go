package kvsession

import (
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type feedCache struct{ ns *kv.Namespace }

// Quiet: refresh here is what the cache does to a feed it keeps, and
// names no refresh token.
func (c *feedCache) refresh(show string, fetch func() string) error {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	return c.ns.PutString("feed:"+show, stamp+"\n"+fetch(), &kv.PutOptions{ExpirationTTL: 86400})
}

// serve answers from the cache and refreshes a stale feed.
func (c *feedCache) serve(show string, fetch func() string) (string, error) {
	raw, err := c.ns.GetString("feed:"+show, nil)
	if err != nil {
		return "", err
	}
	if raw == "<null>" {
		return "", c.refresh(show, fetch)
	}
	stamp, body, _ := strings.Cut(raw, "\n")
	if sec, err := strconv.ParseInt(stamp, 10, 64); err == nil && time.Since(time.Unix(sec, 0)) > time.Hour {
		go func() { _ = c.refresh(show, fetch) }()
	}
	return body, nil
}
