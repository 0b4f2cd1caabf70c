// Package pairs is a team's adapter that writes every entry through
// cloudflare-go v0's bulk write, the only write there that takes a
// lifetime.
package pairs

import (
	"context"

	"github.com/cloudflare/cloudflare-go"
)

// Entry is one key and value, with a lifetime in seconds.
type Entry struct {
	Key   string
	Value []byte
	TTL   int
}

// Store writes to one namespace.
type Store struct {
	API *cloudflare.API
	RC  *cloudflare.ResourceContainer
	NS  string
}

// Put writes one entry, as a bulk write of one pair.
func (s *Store) Put(ctx context.Context, e Entry) error {
	pair := &cloudflare.WorkersKVPair{Key: e.Key, Value: string(e.Value), ExpirationTTL: e.TTL}
	_, err := s.API.WriteWorkersKVEntries(ctx, s.RC, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.NS, KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}

// PutAll writes the entries in one request.
func (s *Store) PutAll(ctx context.Context, es []Entry) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(es))
	for _, e := range es {
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: e.Key, Value: string(e.Value), ExpirationTTL: e.TTL})
	}
	_, err := s.API.WriteWorkersKVEntries(ctx, s.RC, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.NS, KVs: pairs})
	return err
}
