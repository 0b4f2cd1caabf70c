// Package export dumps and loads namespaces as JSON lines for backups and
// migrations between accounts. It uses the older cloudflare-go API.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"example.com/beacon/internal/legacy/lkv"
)

// Record is one line of a dump.
type Record struct {
	Key        string `json:"key"`
	Value      string `json:"value,omitempty"`
	Expiration int    `json:"expiration,omitempty"`
	Metadata   any    `json:"metadata,omitempty"`
}

// Exporter reads and writes one namespace.
type Exporter struct {
	Conn *lkv.Conn
}

// importBatch is how many records go into one bulk request.
const importBatch = 15000

// Dump writes the key names (and metadata) under prefix as JSON lines.
func (e *Exporter) Dump(ctx context.Context, w io.Writer, prefix string) (int, error) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	params := cf.ListWorkersKVsParams{NamespaceID: e.Conn.NamespaceID, Prefix: prefix, Limit: 1000}
	n := 0
	for {
		resp, err := e.Conn.API.ListWorkersKVKeys(ctx, e.Conn.Account, params) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range resp.Result {
			if err := enc.Encode(Record{Key: k.Name, Expiration: k.Expiration, Metadata: k.Metadata}); err != nil {
				return n, err
			}
			n++
		}
		if resp.Cursor == "" {
			return n, nil
		}
		params.Cursor = resp.Cursor
	}
}

// Sample returns the key names of the first pages under prefix, to eyeball
// a namespace before a migration.
func (e *Exporter) Sample(ctx context.Context, prefix string, pages int) ([]string, error) {
	resp, err := e.Conn.API.ListWorkersKVKeys(ctx, e.Conn.Account, cf.ListWorkersKVsParams{
		NamespaceID: e.Conn.NamespaceID,
		Prefix:      prefix,
		Limit:       100,
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for p := 1; ; p++ {
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if p >= pages || resp.Cursor == "" {
			return names, nil
		}
		resp, err = e.Conn.API.ListWorkersKVKeys(ctx, e.Conn.Account, cf.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: e.Conn.NamespaceID,
			Cursor:      resp.Cursor,
			Limit:       100,
		})
		if err != nil {
			return nil, err
		}
	}
}

// Count returns how many keys exist under prefix, reading at most maxPages
// pages; exact is false when it stopped early.
func (e *Exporter) Count(ctx context.Context, prefix string, maxPages int) (n int, exact bool, err error) {
	params := cf.ListWorkersKVsParams{NamespaceID: e.Conn.NamespaceID, Prefix: prefix, Limit: 1000}
	for range maxPages {
		resp, err := e.Conn.API.ListWorkersKVKeys(ctx, e.Conn.Account, params)
		if err != nil {
			return n, false, err
		}
		n += len(resp.Result)
		if resp.Cursor == "" {
			return n, true, nil
		}
		params.Cursor = resp.Cursor
	}
	return n, false, nil
}

// Probe checks that the token can list the namespace.
func (e *Exporter) Probe(ctx context.Context) error {
	_, err := e.Conn.API.ListWorkersKVKeys(ctx, e.Conn.Account, cf.ListWorkersKVsParams{
		NamespaceID: e.Conn.NamespaceID,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return fmt.Errorf("export: probe: %w", err)
	}
	return nil
}

// Import reads JSON lines from r and writes them in bulk. Records without an
// expiration get ttl.
func (e *Exporter) Import(ctx context.Context, r io.Reader, ttl time.Duration) (int, error) {
	dec := json.NewDecoder(r)
	var pairs []*cf.WorkersKVPair
	for dec.More() {
		var rec Record
		if err := dec.Decode(&rec); err != nil {
			return 0, err
		}
		p := &cf.WorkersKVPair{Key: rec.Key, Value: rec.Value, Metadata: rec.Metadata, Expiration: rec.Expiration}
		if rec.Expiration == 0 && ttl > 0 {
			p.ExpirationTTL = int(ttl) // EXPECT kvttl
		}
		pairs = append(pairs, p)
	}
	written := 0
	for batch := range slices.Chunk(pairs, importBatch) {
		_, err := e.Conn.API.WriteWorkersKVEntries(ctx, e.Conn.Account, cf.WriteWorkersKVEntriesParams{ // EXPECT kvlimits
			NamespaceID: e.Conn.NamespaceID,
			KVs:         batch,
		})
		if err != nil {
			return written, err
		}
		written += len(batch)
	}
	return written, nil
}
