// Package entitlements decides which readers may read paid-only issues.
package entitlements

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/quill/internal/cfkv"
	"example.com/quill/internal/keys"
)

var now = time.Now

// Plans; paid plans are named by the publication's catalog.
const (
	PlanFree  = "free"
	PlanTrial = "trial"
)

const (
	trialLength = 14 * 24 * time.Hour
	warmBatch   = 250
)

var (
	ErrAlreadyEntitled = errors.New("entitlements: reader already has access")
	ErrQuota           = errors.New("entitlements: monthly send quota reached")
)

// Entitlement is a reader's access to a publication.
type Entitlement struct {
	Reader string    `json:"reader"`
	Plan   string    `json:"plan"`
	Until  time.Time `json:"until,omitzero"`
	Source string    `json:"source,omitempty"`
}

// Paid reports whether e grants paid-only content at t.
func (e Entitlement) Paid(t time.Time) bool {
	return e.Plan != PlanFree && (e.Until.IsZero() || t.Before(e.Until))
}

// Usage is a tenant's send usage in one month.
type Usage struct {
	Sent  int `json:"sent"`
	Limit int `json:"limit"`
}

// Client reads and writes entitlements in the billing namespace.
type Client struct {
	cf                   *cloudflare.Client
	accountID, namespace string
	sendLimit            int
}

// New returns a Client for namespace.
func New(cf *cloudflare.Client, accountID, namespace string, sendLimit int) *Client {
	return &Client{cf: cf, accountID: accountID, namespace: namespace, sendLimit: sendLimit}
}

func (c *Client) getParams() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.accountID)}
}

// Lookup returns a reader's entitlement; readers without one are on free.
func (c *Client) Lookup(ctx context.Context, tenant, readerID string) (Entitlement, error) {
	key := keys.Entitlement(tenant, readerID)
	resp, err := c.cf.KV.Namespaces.Values.Get(ctx, c.namespace, key, c.getParams())
	if err != nil {
		return Entitlement{}, fmt.Errorf("entitlements: lookup %s: %w", key, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return Entitlement{Reader: readerID, Plan: PlanFree}, nil
	}
	var e Entitlement
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		return Entitlement{}, fmt.Errorf("entitlements: decode %s: %w", key, err)
	}
	return e, nil
}

// Grant records a paid entitlement; the billing webhook is the source of truth.
func (c *Client) Grant(ctx context.Context, tenant string, e Entitlement) error {
	if !e.Until.IsZero() && e.Until.Before(now().Add(time.Hour)) {
		return fmt.Errorf("entitlements: grant for %s ends too soon (%s)", e.Reader, e.Until)
	}
	b, _ := json.Marshal(e)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F[any](map[string]any{"plan": e.Plan}),
	}
	if !e.Until.IsZero() {
		params.Expiration = cloudflare.F(float64(e.Until.Unix()))
	}
	_, err := c.cf.KV.Namespaces.Values.Update(ctx, c.namespace, keys.Entitlement(tenant, e.Reader), params)
	return err
}

// StartTrial gives a reader two weeks of paid access, once.
func (c *Client) StartTrial(ctx context.Context, tenant, readerID string) (Entitlement, error) {
	key := keys.Entitlement(tenant, readerID)
	resp, err := c.cf.KV.Namespaces.Values.Get(ctx, c.namespace, key, c.getParams()) // EXPECT kvnull
	if err == nil {
		resp.Body.Close()
		return Entitlement{}, ErrAlreadyEntitled
	}
	e := Entitlement{Reader: readerID, Plan: PlanTrial, Until: now().Add(trialLength).UTC(), Source: "trial"}
	b, _ := json.Marshal(e)
	_, err = c.cf.KV.Namespaces.Values.Update(ctx, c.namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:  cloudflare.F(c.accountID),
		Value:      cloudflare.F(string(b)),
		Expiration: cloudflare.F(float64(e.Until.Unix())),
		Metadata:   cloudflare.F[any](map[string]any{"plan": PlanTrial}),
	})
	if err != nil {
		return Entitlement{}, err
	}
	return e, nil
}

// ConsumeSends charges n recipients against the tenant's monthly quota.
func (c *Client) ConsumeSends(ctx context.Context, tenant string, n int) (Usage, error) {
	key := keys.Usage(tenant, now().UTC().Format("2006-01"))
	u := Usage{Limit: c.sendLimit}
	resp, err := c.cf.KV.Namespaces.Values.Get(ctx, c.namespace, key, c.getParams())
	switch {
	case cfkv.IsNotFound(err):
	case err != nil:
		return Usage{}, err
	default:
		derr := json.NewDecoder(resp.Body).Decode(&u)
		resp.Body.Close()
		if derr != nil {
			return Usage{}, derr
		}
	}
	if u.Sent+n > u.Limit {
		return u, ErrQuota
	}
	u.Sent += n
	b, _ := json.Marshal(u)
	_, err = c.cf.KV.Namespaces.Values.Update(ctx, c.namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(c.accountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F((40 * 24 * time.Hour).Seconds()),
	})
	return u, err
}

// ExpiringSoon returns readers whose paid access ends within window.
func (c *Client) ExpiringSoon(ctx context.Context, tenant string, window time.Duration) ([]string, error) {
	prefix := keys.Entitlement(tenant, "") + ":"
	res, err := c.cf.KV.Namespaces.Keys.List(ctx, c.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return nil, err
	}
	horizon := now().Add(window).Unix()
	var out []string
	for _, k := range res.Result {
		m, _ := k.Metadata.(map[string]any)
		plan, _ := m["plan"].(string)
		if plan == PlanFree || k.Expiration == 0 || int64(k.Expiration) > horizon {
			continue
		}
		out = append(out, strings.TrimPrefix(k.Name, prefix))
	}
	return out, nil
}

// Warm loads the entitlements of many readers at once.
func (c *Client) Warm(ctx context.Context, tenant string, readerIDs []string) (map[string]Entitlement, error) {
	out := make(map[string]Entitlement, len(readerIDs))
	var names []string
	for _, id := range readerIDs {
		names = append(names, keys.Entitlement(tenant, id))
	}
	var errs []error
	for start := 0; start < len(names); start += warmBatch {
		chunk := names[start:min(start+warmBatch, len(names))]
		res, err := c.cf.KV.Namespaces.BulkGet(ctx, c.namespace, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(c.accountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeJson),
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		vals, _ := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		for _, v := range vals.Values {
			m, ok := v.(kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesMap)
			if !ok {
				continue
			}
			var e Entitlement
			if b, err := json.Marshal(map[string]any(m)); err == nil && json.Unmarshal(b, &e) == nil {
				out[e.Reader] = e
			}
		}
	}
	return out, errors.Join(errs...)
}
