package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// writePairs is a variable so that tests can capture writes; the REST
// API takes a lifetime only on the bulk endpoint.
var writePairs = func(ctx context.Context, api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string, pairs []*cloudflare.WorkersKVPair) error {
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: pairs})
	return err
}

type pairStore struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (s *pairStore) put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return writePairs(ctx, s.api, s.rc, s.ns, []*cloudflare.WorkersKVPair{{
		Key:           key,
		Value:         string(value),
		ExpirationTTL: int(ttl.Seconds()),
	}})
}

func (s *pairStore) saveCode(ctx context.Context, id string, code []byte) error {
	return s.put(ctx, "code:"+id, code, 30*time.Second) // want `ExpirationTTL 30 \(passed to pairStore.put\) is below KV's 60-second minimum`
}

func (s *pairStore) saveReport(ctx context.Context, id string, report []byte) error {
	return s.put(ctx, "report:"+id, report, time.Hour)
}

// A miss remembered for as long as the upstream asked, but never more
// than 30 seconds: every lifetime it lets through is too short.
func (s *pairStore) rememberMiss(ctx context.Context, name string, wait time.Duration) error {
	return s.put(ctx, "neg:"+name, []byte("1"), min(wait, 30*time.Second)) // want `ExpirationTTL \(passed to pairStore.put\) is capped at 30s, below KV's 60-second minimum`
}

// Capped at ten minutes: fine, as far as the cap goes.
func (s *pairStore) rememberHit(ctx context.Context, name string, body []byte, wait time.Duration) error {
	return s.put(ctx, "hit:"+name, body, max(min(wait, 10*time.Minute), time.Minute))
}
