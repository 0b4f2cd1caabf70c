package kvsession

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

// putAll writes the pairs it is given whole, in one request.
func (h *handler) putAll(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	p := h.base()
	p.KVs = pairs
	_, err := h.api.WriteWorkersKVEntries(ctx, h.rc, p)
	return err
}

// An operator's tokens revoked by listing them in KV, where other
// locations read the list late.
func (h *handler) revokeAll(ctx context.Context, operator string, tokens []string) error { // want revokeAll:"kvsession"
	var pairs []*cloudflare.WorkersKVPair
	for _, t := range tokens {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: "revoked:" + t, Value: operator, ExpirationTTL: 86400})
	}
	return h.putAll(ctx, pairs) // want `revocation kept in KV`
}

// Quiet: an operator's page views, written in one request.
func (h *handler) saveViews(ctx context.Context, operator string, pages []string) error {
	var pairs []*cloudflare.WorkersKVPair
	for _, pg := range pages {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: "page:" + operator + ":" + pg, Value: "1"})
	}
	return h.putAll(ctx, pairs)
}
