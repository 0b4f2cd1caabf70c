// Package flags publishes feature flags to Workers KV. The edge reads
// either the whole document (flags:all) or one key per flag.
package flags

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/admin/internal/config"
	"example.com/admin/internal/edge"
	"example.com/admin/internal/keys"
)

// Flag is one feature flag as the edge evaluates it.
type Flag struct {
	Enabled   bool      `json:"enabled"`
	Rollout   int       `json:"rollout"`
	Segments  []string  `json:"segments,omitempty"`
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Document is every flag by name.
type Document map[string]Flag

// Publisher writes flags to the staging and production namespaces.
type Publisher struct {
	client    *cloudflare.Client
	account   string
	prodNS    string
	stagingNS string
}

// NewPublisher returns a publisher for the default namespaces.
func NewPublisher(client *cloudflare.Client, accountID string) *Publisher {
	return &Publisher{
		client:    client,
		account:   accountID,
		prodNS:    config.NSFlags,
		stagingNS: config.NSFlagsStaging,
	}
}

func textValue(b []byte) kv.NamespaceValueUpdateParamsValueUnion {
	return shared.UnionString(b)
}

// Load reads the flag document of a namespace.
func (p *Publisher) Load(ctx context.Context, ns string) (Document, error) {
	res, err := p.client.KV.Namespaces.Values.Get(ctx, ns, keys.FlagsDocument(), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.account),
	})
	if err != nil {
		if edge.IsNotFound(err) {
			return Document{}, nil
		}
		return nil, err
	}
	defer res.Body.Close()
	doc := Document{}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil && err != io.EOF {
		return nil, fmt.Errorf("decode flags: %w", err)
	}
	return doc, nil
}

// Publish replaces the flag document of ns with doc.
func (p *Publisher) Publish(ctx context.Context, ns string, doc Document) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = p.client.KV.Namespaces.Values.Update(ctx, ns, keys.FlagsDocument(), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.account),
		Value:     cloudflare.F(textValue(b)),
		Metadata:  cloudflare.F[any](map[string]any{"flags": len(doc)}),
	})
	return err
}

// Set changes one flag in the staging document.
func (p *Publisher) Set(ctx context.Context, name string, enabled bool, rollout int, who string) error {
	doc, err := p.Load(ctx, p.stagingNS)
	if err != nil {
		return err
	}
	f := doc[name]
	f.Enabled = enabled
	f.Rollout = rollout
	f.UpdatedBy = who
	f.UpdatedAt = time.Now().UTC()
	doc[name] = f

	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(p.account)}
	params.Value = cloudflare.F(textValue(b))
	_, err = p.client.KV.Namespaces.Values.Update(ctx, p.stagingNS, keys.FlagsDocument(), params) // EXPECT kvrace
	return err
}

// Promote copies the staging document to production.
func (p *Publisher) Promote(ctx context.Context) error {
	doc, err := p.Load(ctx, p.stagingNS)
	if err != nil {
		return err
	}
	if err := p.Publish(ctx, p.prodNS, doc); err != nil {
		return err
	}
	return p.PublishEach(ctx, p.prodNS, doc)
}

// PublishEach writes one key per flag, for Workers that only need a few.
func (p *Publisher) PublishEach(ctx context.Context, ns string, doc Document) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(doc))
	for _, name := range slices.Sorted(maps.Keys(doc)) {
		b, err := json.Marshal(doc[name])
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(keys.Flag(name)),
			Value:         cloudflare.F(string(b)),
			ExpirationTTL: cloudflare.F(config.FlagCacheTTL.Seconds()),
		})
	}
	for chunk := range slices.Chunk(body, config.BulkChunkSize) {
		if _, err := p.client.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(p.account),
			Body:      chunk,
		}); err != nil {
			return fmt.Errorf("publish flags: %w", err)
		}
	}
	return nil
}

// Override forces a flag in production for d, e.g. during an incident.
func (p *Publisher) Override(ctx context.Context, name string, f Flag, d time.Duration) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = p.client.KV.Namespaces.Values.Update(ctx, p.prodNS, keys.Flag(name), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.account),
		Value:         cloudflare.F(textValue(b)),
		ExpirationTTL: cloudflare.F(float64(d.Milliseconds())), // EXPECT kvttl
	})
	return err
}

// AddSegment enables a flag for one more customer segment in production.
func (p *Publisher) AddSegment(ctx context.Context, name, segment string) error {
	key := keys.Flag(name)
	res, err := p.client.KV.Namespaces.Values.Get(ctx, p.prodNS, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.account),
	})
	if err != nil {
		return fmt.Errorf("flag %s: %w", name, err)
	}
	defer res.Body.Close()
	var f Flag
	if err := json.NewDecoder(res.Body).Decode(&f); err != nil {
		return fmt.Errorf("flag %s: %w", name, err)
	}
	if slices.Contains(f.Segments, segment) {
		return nil
	}
	f.Segments = append(f.Segments, segment)
	f.UpdatedAt = time.Now().UTC()
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = p.client.KV.Namespaces.Values.Update(ctx, p.prodNS, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID:     cloudflare.F(p.account),
		Value:         cloudflare.F(textValue(b)),
		ExpirationTTL: cloudflare.F(config.FlagCacheTTL.Seconds()),
	})
	return err
}

// Retire removes a flag's key from both namespaces.
func (p *Publisher) Retire(ctx context.Context, name string) error {
	for _, ns := range []string{p.stagingNS, p.prodNS} {
		_, err := p.client.KV.Namespaces.Values.Delete(ctx, ns, keys.Flag(name), kv.NamespaceValueDeleteParams{
			AccountID: cloudflare.F(p.account),
		})
		if err != nil && !edge.IsNotFound(err) {
			return err
		}
	}
	return nil
}
