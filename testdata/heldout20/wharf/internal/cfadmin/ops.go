package cfadmin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// bulkGetMax is the most keys one bulk read may ask for.
const bulkGetMax = 100

// bulkWriteMax is the most pairs one bulk write or delete may carry.
const bulkWriteMax = 10_000

// ExportRecord is one line of an export.
type ExportRecord struct {
	Key        string  `json:"key"`
	Value      *string `json:"value"`
	Expiration int64   `json:"expiration,omitempty"`
}

// ExportAll writes every key under prefix, with its value, as JSON lines.
func (c *Client) ExportAll(ctx context.Context, prefix string, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	n := 0
	cursor := ""
	for {
		page, err := c.ListKeys(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		names := make([]string, len(page.Keys))
		exp := make(map[string]int64, len(page.Keys))
		for i, k := range page.Keys {
			names[i] = k.Name
			exp[k.Name] = k.Expiration
		}
		for batch := range slices.Chunk(names, bulkGetMax) {
			vals, err := c.BulkGet(ctx, batch)
			if err != nil {
				return n, err
			}
			for _, name := range batch {
				if err := enc.Encode(ExportRecord{Key: name, Value: vals[name], Expiration: exp[name]}); err != nil {
					return n, err
				}
				n++
			}
		}
		if page.Cursor == "" {
			return n, nil
		}
		cursor = page.Cursor
	}
}

// BumpRelease increments the published release number of a drop, which
// the Worker appends to asset URLs to bust caches.
func (c *Client) BumpRelease(ctx context.Context, drop string) (int, error) {
	key := "drop:" + drop + ":release-count"
	n := 0
	raw, err := c.GetValue(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if n, err = strconv.Atoi(strings.TrimSpace(string(raw))); err != nil {
			return 0, fmt.Errorf("release of %s: %w", drop, err)
		}
	}
	n++
	if err := c.PutValue(ctx, key, []byte(strconv.Itoa(n)), 0); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}
