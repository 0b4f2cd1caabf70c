// Package sweeps forms matches from a page of tickets, and records the
// last match formed under one key in its own loop.
package sweeps

import (
	"context"
	"fmt"

	"github.com/cloudflare/cloudflare-go"
)

// Sweeper forms matches in one namespace.
type Sweeper struct {
	API *cloudflare.API
	RC  *cloudflare.ResourceContainer
	NS  string
}

// Page forms the matches of a region's page of tickets.
func (s *Sweeper) Page(ctx context.Context, region string, tickets []string) error {
	if len(tickets) == 0 {
		return nil
	}
	return s.form(ctx, region, tickets)
}

// form forms a match of each pair of tickets.
func (s *Sweeper) form(ctx context.Context, region string, tickets []string) error {
	for i := 0; i+1 < len(tickets); i += 2 {
		summary := fmt.Sprintf(`{"region":%q,"players":[%q,%q]}`, region, tickets[i], tickets[i+1])
		if _, err := s.API.WriteWorkersKVEntry(ctx, s.RC, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.NS, Key: "mm:last_match", Value: []byte(summary)}); err != nil { // want "this loop writes the same KV key on every iteration"
			return err
		}
	}
	return nil
}
