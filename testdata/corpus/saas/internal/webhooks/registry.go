package webhooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

// Endpoint is a tenant-configured webhook target.
type Endpoint struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret"`
}

// Registry stores endpoints and delivery bookkeeping.
type Registry struct {
	ns *kv.Namespace
}

// NewRegistry binds the WEBHOOKS namespace.
func NewRegistry() (*Registry, error) {
	ns, err := kv.NewNamespace(config.BindingWebhooks)
	if err != nil {
		return nil, err
	}
	return &Registry{ns: ns}, nil
}

func endpointsKey(tenant string) string { return "wh-endpoints:" + tenant }

func failuresKey(tenant string) string { return "wh-failures:" + tenant }

func (r *Registry) load(key string) ([]Endpoint, error) {
	raw, err := r.ns.GetString(key, nil)
	if err != nil {
		return nil, err
	}
	var eps []Endpoint
	if kvstore.Missing(raw) {
		return eps, nil
	}
	return eps, json.Unmarshal([]byte(raw), &eps)
}

// Endpoints lists a tenant's endpoints.
func (r *Registry) Endpoints(tenant string) ([]Endpoint, error) {
	return r.load(endpointsKey(tenant))
}

// AddEndpoint registers a new endpoint.
func (r *Registry) AddEndpoint(tenant string, ep Endpoint) error {
	if !strings.HasPrefix(ep.URL, "https://") {
		return errors.New("webhooks: endpoint must use https")
	}
	key := endpointsKey(tenant)
	raw, err := r.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var eps []Endpoint
	if !kvstore.Missing(raw) {
		if err := json.Unmarshal([]byte(raw), &eps); err != nil {
			return err
		}
	}
	for _, e := range eps {
		if e.URL == ep.URL {
			return nil
		}
	}
	eps = append(eps, ep)
	b, err := json.Marshal(eps)
	if err != nil {
		return err
	}
	return r.ns.PutString(key, string(b), nil) // EXPECT kvrace
}

// RemoveEndpoint unregisters the endpoint with the given URL.
func (r *Registry) RemoveEndpoint(tenant, url string) error {
	key := endpointsKey(tenant)
	eps, err := r.load(key)
	if err != nil {
		return err
	}
	kept := eps[:0]
	for _, e := range eps {
		if e.URL != url {
			kept = append(kept, e)
		}
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(kept); err != nil {
		return err
	}
	return r.ns.PutReader(key, &buf, nil) // EXPECT kvrace
}

// LogFailure appends a line to the tenant's delivery failure log.
func (r *Registry) LogFailure(tenant, url string, status int) error {
	key := failuresKey(tenant)
	prev, err := r.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if kvstore.Missing(prev) {
		prev = ""
	}
	line := time.Now().UTC().Format(time.RFC3339) + " " + url + " HTTP " + strconv.Itoa(status) + "\n"
	return r.ns.PutString(key, prev+line, &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}) // EXPECT kvrace
}

// ScheduleRetry leaves a marker that the retry cron picks up.
func (r *Registry) ScheduleRetry(deliveryID string, attempt int, payload []byte) error {
	backoff := config.WebhookRetryBackoff << attempt
	return r.ns.PutReader("wh-retry:"+deliveryID, bytes.NewReader(payload), &kv.PutOptions{
		Expiration: int(time.Now().Add(backoff).Unix()),
	})
}

// RetryPayload returns the stored body of a delivery awaiting retry.
func (r *Registry) RetryPayload(deliveryID string) ([]byte, error) {
	rd, err := r.ns.GetReader("wh-retry:"+deliveryID, nil) // DEBATABLE kvnull
	if err != nil {
		return nil, err
	}
	return io.ReadAll(rd)
}

// ScheduleQuickRetry is used for 429 responses carrying a short Retry-After.
func (r *Registry) ScheduleQuickRetry(deliveryID string, payload []byte) error {
	return r.ns.PutReader("wh-retry:"+deliveryID, bytes.NewReader(payload), &kv.PutOptions{
		Expiration: int(time.Now().Unix() + 45), // EXPECT kvttl
	})
}
