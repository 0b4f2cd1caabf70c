package kvhotkey

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type upstream struct {
	ns     *kv.Namespace
	client *http.Client
}

// fetch marks the upstream down when it answers 503.
func (u *upstream) fetch(url string) error {
	resp, err := u.client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		_ = u.ns.PutString("upstream:down", time.Now().Format(time.RFC3339), nil)
	}
	return nil
}

// Quiet: the marker is written only when the upstream answers 503.
func (u *upstream) fetchAll(urls []string) {
	for _, x := range urls {
		_ = u.fetch(x)
	}
}

// fetched stamps the upstream's last good answer.
func (u *upstream) fetched(url string) error {
	resp, err := u.client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return u.ns.PutString("upstream:last-ok", time.Now().Format(time.RFC3339), nil) // want `this write, called from a loop, writes the same KV key on every iteration`
}

func (u *upstream) fetchEach(urls []string) { // want fetchEach:"kvhotkey"
	for _, x := range urls {
		_ = u.fetched(x)
	}
}
