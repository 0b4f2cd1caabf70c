// Package audit produces the weekly export of locker activity.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/limpkin-lockers/limpkin/internal/kvx"
	"github.com/limpkin-lockers/limpkin/internal/restkv"
)

// Budget bounds one export run.
type Budget struct {
	Pages int
	Keys  int
}

// Line is one exported record.
type Line struct {
	Key     string         `json:"key"`
	Expires int64          `json:"expires,omitempty"`
	Meta    map[string]any `json:"meta,omitempty"`
}

// Export writes one line per receipt key to w, using the metadata stored
// alongside each key, and returns the number of keys written and whether
// the budget cut the export short.
func Export(ctx context.Context, ns restkv.Namespace, w io.Writer, b Budget) (n int, truncated bool, err error) {
	next, stop := iter.Pull2(ns.Pages(ctx, "receipt:", b.Pages))
	defer stop()
	enc := json.NewEncoder(w)
	for n < b.Keys {
		keys, err, ok := next()
		if !ok {
			return n, false, nil
		}
		if err != nil {
			return n, false, err
		}
		for _, k := range keys {
			if err := enc.Encode(Line{Key: k.Name, Expires: int64(k.Expiration), Meta: k.Metadata}); err != nil {
				return n, false, err
			}
			n++
		}
		if err := ns.Put(ctx, "audit:progress", []byte(strconv.Itoa(n)), 2*time.Hour); err != nil { // EXPECT kvhotkey
			return n, false, err
		}
	}
	return n, true, nil
}

// ExportFull writes every receipt, with its value, to w.
func ExportFull(ctx context.Context, ns restkv.Namespace, w io.Writer) (int, error) {
	pager := ns.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, ns.ID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(ns.Account),
		Prefix:    cloudflare.F("receipt:"),
	})
	n := 0
	for pager.Next() {
		k := pager.Current()
		raw, err := ns.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return n, fmt.Errorf("audit: %s: %w", k.Name, err)
		}
		if _, err := fmt.Fprintf(w, "%s\t%s\n", k.Name, raw); err != nil {
			return n, err
		}
		n++
	}
	return n, pager.Err()
}

// Weekly runs the export for the week that just ended and stores the
// summary until eight weeks after the end of the week.
func Weekly(ctx context.Context, ns restkv.Namespace, w io.Writer) error {
	now := time.Now()
	year, week := kvx.WeekID(now.AddDate(0, 0, -1))
	n, truncated, err := Export(ctx, ns, w, Budget{Pages: 50, Keys: 40_000})
	if err != nil {
		return err
	}
	summary, _ := json.Marshal(map[string]any{"keys": n, "truncated": truncated, "at": now.UTC()})
	exp := kvx.EndOfWeek(now).AddDate(0, 0, 56).Unix()
	if err := ns.PutAt(ctx, fmt.Sprintf("audit:%04d-W%02d", year, week), summary, exp); err != nil {
		return err
	}
	return ns.Put(ctx, "audit:last-run", []byte(now.UTC().Format(time.RFC3339)), 0)
}
