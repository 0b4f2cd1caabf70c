package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"merlin/internal/config"
	"merlin/internal/result"
)

// Hosts is the support desk's view of host accounts and settings.
type Hosts struct {
	kv     *KV
	config *KV
}

// NewHosts returns the support tools.
func NewHosts(live, cfg *KV) *Hosts { return &Hosts{kv: live, config: cfg} }

// SignOutEverywhere ends every session of a host, for a stolen laptop.
func (h *Hosts) SignOutEverywhere(ctx context.Context, hostID string) error {
	raw, err := h.kv.Get(ctx, "host:"+hostID+":sessions")
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return err
	}
	var b result.Batch
	for _, id := range ids {
		b.Add(h.kv.Delete(ctx, "sess:"+id)) // EXPECT kvsession
	}
	slog.Info("signed out", "host", hostID, "sessions", b.Total(), "failed", b.Failed())
	return b.Err()
}

// Peek prints a few keys under prefix with their expiry.
func (h *Hosts) Peek(ctx context.Context, w io.Writer, prefix string) error {
	page, err := h.kv.client.KV.Namespaces.Keys.List(ctx, h.kv.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(h.kv.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		exp := "never"
		if k.Expiration > 0 {
			exp = time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\n", k.Name, exp)
	}
	if page.ResultInfo.Cursor != "" {
		fmt.Fprintf(w, "... more (cursor %s)\n", page.ResultInfo.Cursor)
	}
	return nil
}

// Sessions prints the sessions of a host from their metadata, without
// reading the values.
func (h *Hosts) Sessions(ctx context.Context, w io.Writer, cursor string) (string, error) {
	keys, next, err := h.kv.Keys(ctx, "sess:", cursor, 2000)
	if err != nil {
		return "", err
	}
	for _, k := range keys {
		fmt.Fprintf(w, "%s\t%v\n", k.Name, k.Metadata)
	}
	return next, nil
}

// PushConfig stores a new worker configuration with the next version number.
func (h *Hosts) PushConfig(ctx context.Context, raw []byte) error {
	next, err := config.Parse(raw)
	if err != nil {
		return err
	}
	cur, err := h.config.Get(ctx, "config:current") // EXPECT kvnull
	if err != nil {
		slog.Info("no configuration stored yet, writing version 1")
		next.Version = 1
	} else {
		prev, perr := config.Parse(cur)
		if perr != nil {
			return fmt.Errorf("stored configuration: %w", perr)
		}
		next.Version = prev.Version + 1
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	doc["version"] = next.Version
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return h.config.Put(ctx, "config:current", out, 0)
}

// ShowLimits prints the answer limit the worker will use.
func (h *Hosts) ShowLimits(ctx context.Context, w io.Writer) error {
	raw, err := h.config.Get(ctx, "config:max_answers")
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		fmt.Fprintf(w, "max answers: %d (default)\n", config.Default().MaxAnswersPerWindow)
		return nil
	}
	fmt.Fprintf(w, "max answers: %s\n", raw)
	return nil
}
