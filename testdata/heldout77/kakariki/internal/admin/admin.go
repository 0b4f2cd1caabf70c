// Package admin holds operator tasks run from cmd/kvadmin: inspecting keys,
// pruning stale index entries, exporting usage and importing documents.
package admin

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/kakariki-ai/kakariki/internal/agent"
	"github.com/kakariki-ai/kakariki/internal/kvstore"
	"github.com/kakariki-ai/kakariki/internal/tools"
)

// Ops runs operator tasks against one namespace.
type Ops struct {
	KV  *kvstore.Store
	Out io.Writer
}

const (
	exportMaxPages = 200
	importBatch    = 20_000
	docRetention   = 365 * 24 * time.Hour
)

// Peek prints a handful of keys under prefix with their expirations.
func (o *Ops) Peek(ctx context.Context, prefix string) error {
	res, err := o.KV.Client().KV.Namespaces.Keys.List(ctx, o.KV.NamespaceID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(o.KV.AccountID()),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		exp := "never"
		if k.Expiration > 0 {
			exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(o.Out, "%s\texpires %s\n", k.Name, exp)
	}
	if res.ResultInfo.Cursor != "" {
		fmt.Fprintln(o.Out, "…more")
	}
	return nil
}

// PruneIndex removes conversation index entries not updated since cutoff.
func (o *Ops) PruneIndex(ctx context.Context, cutoff time.Time) (int, error) {
	var stale []string
	cursor := ""
	for {
		p, err := o.KV.List(ctx, "convidx:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		if len(p.Keys) == 0 || p.Cursor == "" {
			break
		}
		for _, k := range p.Keys {
			m, _ := k.Metadata.(map[string]any)
			if u, ok := m["u"].(float64); ok && time.Unix(int64(u), 0).Before(cutoff) {
				stale = append(stale, k.Name)
			}
		}
		cursor = p.Cursor
	}
	for start := 0; start < len(stale); start += 1000 {
		if err := o.KV.BulkDelete(ctx, stale[start:min(start+1000, len(stale))]); err != nil {
			return start, err
		}
	}
	return len(stale), nil
}

// ExportUsage writes day, user and tokens for every usage record, reading
// values a page at a time with bulk gets.
func (o *Ops) ExportUsage(ctx context.Context) error {
	w := csv.NewWriter(o.Out)
	defer w.Flush()
	if err := w.Write([]string{"day", "user", "tokens"}); err != nil {
		return err
	}
	cursor := ""
	for page := 0; page < exportMaxPages; page++ {
		p, err := o.KV.List(ctx, "usage:", cursor, 1000)
		if err != nil {
			return err
		}
		for start := 0; start < len(p.Keys); start += 100 {
			batch := p.Keys[start:min(start+100, len(p.Keys))]
			names := make([]string, len(batch))
			for i, k := range batch {
				names[i] = k.Name
			}
			values, err := o.KV.BulkGet(ctx, names)
			if err != nil {
				return err
			}
			for _, name := range names {
				parts := strings.SplitN(strings.TrimPrefix(name, "usage:"), ":", 2)
				if len(parts) != 2 {
					continue
				}
				if err := w.Write([]string{parts[1], parts[0], values[name]}); err != nil {
					return err
				}
			}
		}
		if p.Cursor == "" {
			return nil
		}
		cursor = p.Cursor
	}
	return fmt.Errorf("export stopped after %d pages; rerun with a narrower prefix", exportMaxPages)
}

// PublishPrompt stores the current system prompt under its version so the
// dashboard can show which prompt a conversation ran with.
func (o *Ops) PublishPrompt(ctx context.Context, version string) error {
	meta := map[string]string{
		"version":   version,
		"published": time.Now().UTC().Format(time.RFC3339),
		"text":      agent.BaseSystemPrompt, // EXPECT kvlimits
	}
	return o.KV.PutWithMetadata(ctx, "prompts:system:"+version, []byte(agent.BaseSystemPrompt), meta, 0)
}

// ImportDocuments reads one JSON document per line and stores it for user.
func (o *Ops) ImportDocuments(ctx context.Context, user string, r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 8<<20)
	batch := make([]kvstore.Entry, 0, importBatch)
	total := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := o.KV.BulkPut(ctx, batch); err != nil { // EXPECT kvlimits
			return err
		}
		total += len(batch)
		batch = batch[:0]
		return nil
	}
	for sc.Scan() {
		var doc tools.Document
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			return total, fmt.Errorf("line %d: %w", total+len(batch)+1, err)
		}
		batch = append(batch, kvstore.Entry{
			Key:   "doc:" + user + ":" + doc.ID,
			Value: string(sc.Bytes()),
			TTL:   docRetention,
		})
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return total, err
	}
	return total, flush()
}
