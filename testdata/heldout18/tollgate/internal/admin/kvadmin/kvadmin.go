// Package kvadmin implements the operator tooling behind `tollgate admin`:
// exports, imports, purges and inspection of the gateway's KV namespace.
package kvadmin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Admin performs namespace-wide operations.
type Admin struct {
	cf          *cloudflare.Client
	accountID   string
	namespaceID string
	log         *slog.Logger
}

// New wires the admin tool.
func New(cf *cloudflare.Client, accountID, namespaceID string, log *slog.Logger) *Admin {
	return &Admin{cf: cf, accountID: accountID, namespaceID: namespaceID, log: log}
}

// Record is one line of an export or import file.
type Record struct {
	Key        string         `json:"key"`
	Value      string         `json:"value,omitempty"`
	Expiration int64          `json:"expiration,omitempty"`
	Metadata   map[string]any `json:"metadata,omitempty"`
}

// ExportKeys writes every key under prefix, with its metadata, as JSON lines.
func (a *Admin) ExportKeys(ctx context.Context, w io.Writer, prefix string) (int, error) {
	enc := json.NewEncoder(w)
	iter := a.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, a.namespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F(prefix),
	})
	n := 0
	for iter.Next() {
		k := iter.Current()
		md, _ := k.Metadata.(map[string]any)
		if err := enc.Encode(Record{Key: k.Name, Expiration: int64(k.Expiration), Metadata: md}); err != nil {
			return n, err
		}
		n++
	}
	return n, iter.Err()
}

// ExportJob exports at most maxPages pages and records progress under the
// job id so an interrupted export can be resumed from the last key.
func (a *Admin) ExportJob(ctx context.Context, w io.Writer, jobID, prefix, cursor string, maxPages int) (string, error) {
	progressKey := "admin-export:" + jobID + ":last-key"
	enc := json.NewEncoder(w)
	for range maxPages {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(a.accountID),
			Prefix:    cloudflare.F(prefix),
			Limit:     cloudflare.F(1000.0),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := a.cf.KV.Namespaces.Keys.List(ctx, a.namespaceID, params)
		if err != nil {
			return cursor, err
		}
		for _, k := range page.Result {
			if err := enc.Encode(Record{Key: k.Name, Expiration: int64(k.Expiration)}); err != nil {
				return cursor, err
			}
		}
		if len(page.Result) > 0 {
			last := page.Result[len(page.Result)-1].Name
			if _, err := a.cf.KV.Namespaces.Values.Update(ctx, a.namespaceID, progressKey, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
				AccountID:     cloudflare.F(a.accountID),
				Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(last)),
				ExpirationTTL: cloudflare.F(86400.0),
			}); err != nil {
				a.log.WarnContext(ctx, "recording export progress", "job", jobID, "err", err)
			}
		}
		cursor = page.ResultInfo.Cursor
		if cursor == "" {
			return "", nil
		}
	}
	return cursor, nil
}

// importChunk is how many records go into one bulk request.
const importChunk = 25_000

// Import reads JSON-lines records from r and writes them in bulk.
func (a *Admin) Import(ctx context.Context, r io.Reader) (int, error) {
	var records []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 32<<20)
	for sc.Scan() {
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return 0, fmt.Errorf("kvadmin: line %d: %w", len(records)+1, err)
		}
		records = append(records, rec)
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	written := 0
	for start := 0; start < len(records); start += importChunk {
		chunk := records[start:min(start+importChunk, len(records))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, rec := range chunk {
			item := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(rec.Key), Value: cloudflare.F(rec.Value)}
			if rec.Expiration > 0 {
				item.Expiration = cloudflare.F(float64(rec.Expiration))
			}
			if rec.Metadata != nil {
				item.Metadata = cloudflare.F[any](rec.Metadata)
			}
			body = append(body, item)
		}
		res, err := a.cf.KV.Namespaces.BulkUpdate(ctx, a.namespaceID, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(a.accountID),
			Body:      body,
		})
		if err != nil {
			return written, err
		}
		written += int(res.SuccessfulKeyCount)
	}
	return written, nil
}

// Snapshot returns the first page of a large listing together with the cursor
// for the rest.
func (a *Admin) Snapshot(ctx context.Context, prefix string) ([]string, string, error) {
	page, err := a.cf.KV.Namespaces.Keys.List(ctx, a.namespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// CountKeys reports how many keys exist under prefix.
func (a *Admin) CountKeys(ctx context.Context, prefix string) (int, error) {
	page, err := a.cf.KV.Namespaces.Keys.List(ctx, a.namespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return 0, err
	}
	return len(page.Result), nil
}

// bulkGetChunk is how many keys go into one bulk read.
const bulkGetChunk = 250

// FetchText reads many text values at once.
func (a *Admin) FetchText(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += bulkGetChunk {
		chunk := keys[start:min(start+bulkGetChunk, len(keys))]
		res, err := a.cf.KV.Namespaces.BulkGet(ctx, a.namespaceID, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(a.accountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return out, err
		}
		values, _ := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
		for k, v := range values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = string(s)
			}
		}
	}
	return out, nil
}

// Purge deletes keys under prefix, at most maxPages pages per call, and
// returns the cursor to continue from.
func (a *Admin) Purge(ctx context.Context, prefix, cursor string, maxPages int) (int, string, error) {
	deleted := 0
	for range maxPages {
		params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(a.accountID), Prefix: cloudflare.F(prefix)}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := a.cf.KV.Namespaces.Keys.List(ctx, a.namespaceID, params)
		if err != nil {
			return deleted, cursor, err
		}
		names := make([]string, 0, len(page.Result))
		for _, k := range page.Result {
			names = append(names, k.Name)
		}
		if len(names) > 0 {
			if _, err := a.cf.KV.Namespaces.BulkDelete(ctx, a.namespaceID, kv.NamespaceBulkDeleteParams{
				AccountID: cloudflare.F(a.accountID),
				Body:      names,
			}); err != nil {
				return deleted, cursor, err
			}
			deleted += len(names)
		}
		if cursor = page.ResultInfo.Cursor; cursor == "" {
			break
		}
	}
	return deleted, cursor, nil
}
