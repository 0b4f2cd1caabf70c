// Package topics keeps topic subscriptions. Each membership is its own key;
// a per-tenant catalog lists the topic names shown in the console.
package topics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/beacon/internal/consts"
)

// ErrTooMany is returned when a tenant has reached its topic limit.
var ErrTooMany = errors.New("topics: topic limit reached")

// Registry talks to the devices namespace directly.
type Registry struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
	MaxTopics   int
}

func memberPrefix(tenant, topic string) string {
	return consts.PrefixTopic.Key(tenant, topic, "m") + ":"
}

func catalogKey(tenant string) string { return consts.PrefixTopic.Key(tenant, "_catalog") }

// Subscribe adds device to topic.
func (r *Registry) Subscribe(ctx context.Context, tenant, topic, device string) error {
	if topic == "" || strings.ContainsAny(topic, ":/") {
		return fmt.Errorf("topics: invalid name %q", topic)
	}
	_, err := r.Client.KV.Namespaces.Values.Update(ctx, r.NamespaceID, memberPrefix(tenant, topic)+device, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.AccountID),
		Value:         cloudflare.F("1"),
		ExpirationTTL: cloudflare.F(consts.DeviceTTL.Seconds()),
	})
	if err != nil {
		return err
	}
	names, err := r.Catalog(ctx, tenant)
	if err != nil || slices.Contains(names, topic) {
		return err
	}
	if len(names) >= r.MaxTopics {
		return ErrTooMany
	}
	names = append(names, topic)
	slices.Sort(names)
	body, _ := json.Marshal(names)
	_, err = r.Client.KV.Namespaces.Values.Update(ctx, r.NamespaceID, catalogKey(tenant), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(r.AccountID),
		Value:     cloudflare.F(string(body)),
	})
	return err
}

// Catalog returns the tenant's topic names.
func (r *Registry) Catalog(ctx context.Context, tenant string) ([]string, error) {
	res, err := r.Client.KV.Namespaces.Values.Get(ctx, r.NamespaceID, catalogKey(tenant), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.AccountID),
	})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var names []string
	return names, json.NewDecoder(res.Body).Decode(&names)
}

// Members returns up to maxPages pages of the topic's device IDs, and the
// cursor to continue from when the topic is larger.
func (r *Registry) Members(ctx context.Context, tenant, topic string, maxPages int) ([]string, string, error) {
	prefix := memberPrefix(tenant, topic)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(consts.ListPageSize)),
	}
	var ids []string
	for range maxPages {
		page, err := r.Client.KV.Namespaces.Keys.List(ctx, r.NamespaceID, params)
		if err != nil {
			return nil, "", err
		}
		for _, k := range page.Result {
			ids = append(ids, strings.TrimPrefix(k.Name, prefix))
		}
		if page.ResultInfo.Cursor == "" {
			return ids, "", nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return ids, params.Cursor.Value, nil
}
