package kvhotkey

import (
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/debounce"
)

// Quiet: a debounced write collapses the loop's announcements into one.
func announceAll(p *debounce.Publisher, zones []string) {
	for _, z := range zones {
		p.Announce(z)
	}
}

// A key function a constructor keeps in a field makes the same key for
// the same campaign on every batch.
type campaignDispatcher struct {
	ns          *kv.Namespace
	progressKey func(campaign string) string
}

func newCampaignDispatcher(ns *kv.Namespace) *campaignDispatcher {
	return &campaignDispatcher{ns: ns, progressKey: func(id string) string { return "campaign:" + id + ":progress" }}
}

func (d *campaignDispatcher) dispatch(campaign string, batches [][]string) error { // want dispatch:"kvhotkey"
	sent := 0
	for _, b := range batches {
		sent += len(b)
		if err := d.ns.PutString(d.progressKey(campaign), time.Now().String(), nil); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// A key that differs per site is written once per slot of the site, in
// the loop inside.
func snapshots(ns *kv.Namespace, sites map[string][]string) error { // want snapshots:"kvhotkey"
	for site, slots := range sites {
		for i := range slots {
			if err := ns.PutString("board:snapshot:"+site, slots[i], nil); err != nil { // want `this loop writes the same KV key on every iteration`
				return err
			}
		}
	}
	return nil
}

// Quiet: one write per site.
func lastSlots(ns *kv.Namespace, sites map[string][]string) error {
	for site, slots := range sites {
		last := ""
		for _, s := range slots {
			last = s
		}
		if err := ns.PutString("board:last:"+site, last, nil); err != nil {
			return err
		}
	}
	return nil
}

// Tests replace how tokens are drawn.
var newFeedToken = func() string { return time.Now().Format(time.RFC3339Nano) }

func feedTokenKey(tok string) string { return "feedtoken:" + tok }

// Quiet: a token drawn per request is a new key each time.
func issueFeed(ns *kv.Namespace) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := newFeedToken()
		_ = ns.PutString(feedTokenKey(tok), time.Now().UTC().Format(time.RFC3339), nil)
		_, _ = w.Write([]byte(tok))
	}
}

type feedGrant struct {
	Plan   string
	Issued time.Time
}

type feedStore struct{ ns *kv.Namespace }

// Quiet: the same, in a store's method.
func (s *feedStore) issue(g feedGrant) (string, error) {
	tok := newFeedToken()
	g.Issued = time.Now().UTC()
	return tok, s.ns.PutString(feedTokenKey(tok), g.Plan+" "+g.Issued.String(), nil)
}
