package kvsession

import (
	"encoding/json"
	"os"
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

type registry struct {
	ns    *kv.Namespace
	zones []string
	stop  chan struct{}
	warm  map[string]string
}

// Quiet: refreshLoop is a loop that refreshes this instance's entry, and
// names no refresh token either.
func (r *registry) start() error {
	r.warm = map[string]string{}
	if err := r.register(); err != nil {
		return err
	}
	go r.refreshLoop()
	return nil
}

func instanceKey() string {
	host, _ := os.Hostname()
	return "instances:" + host
}

func (r *registry) register() error {
	info, _ := json.Marshal(map[string]any{"zones": r.zones, "seen": time.Now().UTC()})
	return r.ns.PutString(instanceKey(), string(info), &kv.PutOptions{ExpirationTTL: 600})
}

func (r *registry) refreshLoop() {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			_ = r.register()
		}
	}
}
