// Package stats records article page views. It talks to the STATS binding
// directly; the edge handler calls RecordView after the response is sent.
package stats

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// Views counts page views per article.
type Views struct {
	ns *kv.Namespace
}

// NewViews returns a view counter on ns.
func NewViews(ns *kv.Namespace) *Views { return &Views{ns: ns} }

func viewKey(articleID string) string { return "views:" + articleID }

// RecordView adds one view to the article.
func (v *Views) RecordView(articleID string) error {
	key := viewKey(articleID)
	raw, err := v.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if raw != "<null>" {
		n, err = strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("views %s: %w", articleID, err)
		}
	}
	return v.ns.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter
}

// Count returns the stored view count for the article badge.
func (v *Views) Count(articleID string) (int, error) {
	raw, err := v.ns.GetString(viewKey(articleID), &kv.GetOptions{CacheTTL: 120}) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("views %s: %w", articleID, err)
	}
	return n, nil
}

// Tracked returns one page of article ids that have view counters, and the
// cursor to continue from ("" at the end). Used by the nightly D1 backfill.
func (v *Views) Tracked(cursor string) ([]string, string, error) {
	res, err := v.ns.List(&kv.ListOptions{
		Prefix: "views:",
		Cursor: cursor,
		Limit:  10000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		ids = append(ids, strings.TrimPrefix(k.Name, "views:"))
	}
	if res.ListComplete {
		return ids, "", nil
	}
	return ids, res.Cursor, nil
}
