// Package geo resolves IP addresses to network information for the fraud
// checks, caching answers in KV where the edge worker can also read them.
package geo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/ops/internal/config"
)

// Info is what we know about an address.
type Info struct {
	ASN     int    `json:"asn"`
	Org     string `json:"org"`
	Country string `json:"country"`
	Source  string `json:"source"`
}

// Resolver looks addresses up through an external provider.
type Resolver struct {
	api      *cloudflare.API
	rc       *cloudflare.ResourceContainer
	http     *http.Client
	primary  string
	fallback string
}

// NewResolver returns a Resolver.
func NewResolver(api *cloudflare.API, rc *cloudflare.ResourceContainer, hc *http.Client, primary, fallback string) *Resolver {
	return &Resolver{api: api, rc: rc, http: hc, primary: primary, fallback: fallback}
}

var errUnknown = errors.New("geo: address not in provider database")

func (r *Resolver) fetch(ctx context.Context, base string, addr netip.Addr) (*Info, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/"+addr.String()+"/json", nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return nil, errUnknown
	default:
		return nil, fmt.Errorf("geo provider: %s", resp.Status)
	}
	var info Info
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return nil, err
	}
	return &info, nil
}

func (r *Resolver) put(ctx context.Context, pair *cloudflare.WorkersKVPair) error {
	_, err := r.api.WriteWorkersKVEntries(ctx, r.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: config.NamespaceCache,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

// Lookup returns network info for addr.
func (r *Resolver) Lookup(ctx context.Context, addr netip.Addr) (*Info, error) {
	key := "asn:" + addr.String()
	b, err := r.api.GetWorkersKV(ctx, r.rc, cloudflare.GetWorkersKVParams{NamespaceID: config.NamespaceCache, Key: key})
	if err == nil {
		if string(b) == "unknown" {
			return nil, errUnknown
		}
		var info Info
		if json.Unmarshal(b, &info) == nil {
			return &info, nil
		}
	} else if nf := (*cloudflare.NotFoundError)(nil); !errors.As(err, &nf) {
		return nil, err
	}

	info, err := r.fetch(ctx, r.primary, addr)
	switch {
	case errors.Is(err, errUnknown):
		_ = r.put(ctx, &cloudflare.WorkersKVPair{
			Key:           key,
			Value:         "unknown",
			ExpirationTTL: config.NegativeCacheTTLSeconds, // EXPECT kvttl
		})
		return nil, err
	case err != nil:
		info, err = r.fetch(ctx, r.fallback, addr)
		if err != nil {
			return nil, err
		}
		info.Source = "fallback"
		out, _ := json.Marshal(info)
		// fallback data is coarser; refresh it sooner
		_ = r.put(ctx, &cloudflare.WorkersKVPair{
			Key:           key,
			Value:         string(out),
			ExpirationTTL: int(time.Hour), // EXPECT kvttl
		})
		return info, nil
	}

	info.Source = "primary"
	out, _ := json.Marshal(info)
	_ = r.put(ctx, &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(out),
		ExpirationTTL: int(config.GeoCacheTTL.Seconds()),
	})
	return info, nil
}
