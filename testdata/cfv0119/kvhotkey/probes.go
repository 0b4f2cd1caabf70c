package kvhotkey

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// shopStore serves a storefront's shops, polls DNS for their domains and
// answers a provider library's health probe.
type shopStore struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	// pollEvery is set by newShopStore alone.
	pollEvery time.Duration
	// RetryEvery may be set by the program that uses the store.
	RetryEvery time.Duration
}

func newShopStore(api *cloudflare.API, rc *cloudflare.ResourceContainer, ns string) *shopStore {
	return &shopStore{api: api, rc: rc, ns: ns, pollEvery: 500 * time.Millisecond, RetryEvery: 100 * time.Millisecond}
}

func (s *shopStore) put(ctx context.Context, key string, value []byte) error {
	_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: value})
	return err
}

// Every shop's publish stamps the one build epoch that all shops share.
func (s *shopStore) publish(w http.ResponseWriter, r *http.Request) { // want publish:"kvhotkey"
	epoch := strconv.FormatInt(time.Now().Unix(), 10)
	if err := s.put(r.Context(), "storefront:build-epoch", []byte(epoch)); err != nil { // want `this handler writes the same KV key on every request`
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// Health is polled by the provider's health endpoint and the load
// balancer, each probe writing the one probe key.
func (s *shopStore) Health(ctx context.Context) error { // want Health:"kvhotkey"
	return s.put(ctx, "health/probe", []byte(time.Now().UTC().Format(time.RFC3339Nano))) // want `this handler writes the same KV key on every request`
}

// Quiet: a warm-up run once at start writes the probe key once.
func (s *shopStore) warmUp(ctx context.Context) error {
	return s.put(ctx, "health/probe", []byte(time.Now().UTC().Format(time.RFC3339Nano)))
}

// Six looks, half a second apart, each writing the domain's one status
// key: two writes a second.
func (s *shopStore) verify(ctx context.Context, host string, lookup func(string) bool) bool { // want verify:"kvhotkey"
	for attempt := range 6 {
		found := lookup(host)
		_ = s.put(ctx, "status:"+host, []byte(strconv.FormatBool(found)+"/"+strconv.Itoa(attempt))) // want `this loop writes the same KV key on every iteration`
		if found {
			return true
		}
		time.Sleep(s.pollEvery)
	}
	return false
}

// Quiet: the pause is the program's to choose, as an exported field.
func (s *shopStore) verifyPaced(ctx context.Context, host string, lookup func(string) bool) bool {
	for attempt := range 6 {
		found := lookup(host)
		_ = s.put(ctx, "status:"+host, []byte(strconv.FormatBool(found)+"/"+strconv.Itoa(attempt)))
		if found {
			return true
		}
		time.Sleep(s.RetryEvery)
	}
	return false
}

type member struct {
	ID    string
	Roles []string
}

// Quiet: a member's seat is written where one of their roles is the paid
// one, once per member, however many roles they have.
func (s *shopStore) syncSeats(ctx context.Context, members []member, paid string) {
	for _, m := range members {
		for _, r := range m.Roles {
			if r != paid {
				continue
			}
			_ = s.put(ctx, "seat:"+m.ID, []byte(r))
		}
	}
}

// Each of a member's roles rewrites the member's one key.
func (s *shopStore) syncRoles(ctx context.Context, members []member) { // want syncRoles:"kvhotkey"
	for _, m := range members {
		for _, r := range m.Roles {
			_ = s.put(ctx, "role:"+m.ID, []byte(r)) // want `this loop writes the same KV key on every iteration`
		}
	}
}
