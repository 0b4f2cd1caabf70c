// Package archive exports the key inventory of a namespace and restores
// archived telemetry into it. It is run from the nightly cron and by
// operators, and still uses the original API client.
package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
)

// Pair is one archived value.
type Pair struct {
	Key      string            `json:"key"`
	Value    string            `json:"value"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Archiver runs exports and restores.
type Archiver struct {
	api       *cfv0.API
	rc        *cfv0.ResourceContainer
	ns        string
	retention time.Duration
	log       *slog.Logger
}

// New returns an archiver for one namespace. Restored values expire after
// retention.
func New(api *cfv0.API, accountID, namespaceID string, retention time.Duration, log *slog.Logger) *Archiver {
	return &Archiver{api: api, rc: cfv0.AccountIdentifier(accountID), ns: namespaceID, retention: retention, log: log}
}

type manifestLine struct {
	Key        string      `json:"key"`
	Expiration int         `json:"expiration,omitempty"`
	Metadata   interface{} `json:"metadata,omitempty"`
}

// ExportKeys writes one JSON line per key under prefix to w.
func (a *Archiver) ExportKeys(ctx context.Context, prefix string, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	resp, err := a.api.ListWorkersKVKeys(ctx, a.rc, cfv0.ListWorkersKVsParams{NamespaceID: a.ns, Prefix: prefix, Limit: 1000})
	n := 0
	for err == nil {
		for _, k := range resp.Result {
			if err := enc.Encode(manifestLine{Key: k.Name, Expiration: k.Expiration, Metadata: k.Metadata}); err != nil {
				return n, err
			}
			n++
		}
		if resp.Cursor == "" {
			break
		}
		resp, err = a.api.ListWorkersKVKeys(ctx, a.rc, cfv0.ListWorkersKVsParams{NamespaceID: a.ns, Cursor: resp.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	if err != nil {
		return n, fmt.Errorf("archive: list: %w", err)
	}
	return n, a.countRun(ctx)
}

func (a *Archiver) countRun(ctx context.Context) error {
	runs := 0
	raw, err := a.api.GetWorkersKV(ctx, a.rc, cfv0.GetWorkersKVParams{NamespaceID: a.ns, Key: "archive:runs"})
	var nf *cfv0.NotFoundError
	switch {
	case err == nil:
		if runs, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	case !errors.As(err, &nf):
		return err
	}
	_, err = a.api.WriteWorkersKVEntry(ctx, a.rc, cfv0.WriteWorkersKVEntryParams{ // EXPECT kvcounter
		NamespaceID: a.ns,
		Key:         "archive:runs",
		Value:       []byte(strconv.Itoa(runs + 1)),
	})
	return err
}

const importChunk = 20_000

// Import bulk-writes archived pairs.
func (a *Archiver) Import(ctx context.Context, pairs []Pair) error {
	for start := 0; start < len(pairs); start += importChunk {
		chunk := pairs[start:min(start+importChunk, len(pairs))]
		kvs := make([]*cfv0.WorkersKVPair, 0, len(chunk))
		for _, p := range chunk {
			kvs = append(kvs, &cfv0.WorkersKVPair{
				Key:           p.Key,
				Value:         p.Value,
				Metadata:      p.Metadata,
				ExpirationTTL: int(a.retention), // EXPECT kvttl
			})
		}
		_, err := a.api.WriteWorkersKVEntries(ctx, a.rc, cfv0.WriteWorkersKVEntriesParams{NamespaceID: a.ns, KVs: kvs}) // EXPECT kvlimits
		if err != nil {
			return fmt.Errorf("archive: import at %d: %w", start, err)
		}
		a.log.InfoContext(ctx, "imported chunk", "from", start, "count", len(kvs))
	}
	return nil
}

// Restore writes pairs one at a time, for small restores where bulk writes
// are not worth it, and records progress so an interrupted restore can be
// resumed.
func (a *Archiver) Restore(ctx context.Context, pairs []Pair) error {
	for i, p := range pairs {
		_, err := a.api.WriteWorkersKVEntry(ctx, a.rc, cfv0.WriteWorkersKVEntryParams{NamespaceID: a.ns, Key: p.Key, Value: []byte(p.Value)})
		if err != nil {
			return fmt.Errorf("archive: restore %s: %w", p.Key, err)
		}
		_, err = a.api.WriteWorkersKVEntry(ctx, a.rc, cfv0.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: a.ns,
			Key:         "restore:progress",
			Value:       []byte(strconv.Itoa(i + 1)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}
