package kv

import (
	"context"
	"errors"
	"strings"

	"github.com/cloudflare/cloudflare-go"
)

// Prefix is the constant leading part of a family of keys, such as "pat:".
type Prefix string

// Key joins parts under p with ':'.
func (p Prefix) Key(parts ...string) string {
	return string(p) + strings.Join(parts, ":")
}

// AppendLine adds line to the newline-separated log stored under p+id and
// keeps only the newest keep lines.
func (p Prefix) AppendLine(ctx context.Context, c *Client, ns Namespace, id, line string, keep int) error {
	key := p.Key(id)
	old, err := ns.Get(ctx, c, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	var lines []string
	if len(old) > 0 {
		lines = strings.Split(string(old), "\n")
	}
	lines = append(lines, line)
	if keep > 0 && len(lines) > keep {
		lines = lines[len(lines)-keep:]
	}
	return ns.Put(ctx, c, key, []byte(strings.Join(lines, "\n"))) // EXPECT kvrace
}

// Walk calls fn for every key under p, reading at most maxPages pages of
// 1000 keys. It reports whether the listing was exhausted.
func (p Prefix) Walk(ctx context.Context, c *Client, ns Namespace, maxPages int, fn func(cloudflare.StorageKey) error) (bool, error) {
	cursor := ""
	for range maxPages {
		keys, next, err := ns.Page(ctx, c, string(p), cursor, 1000)
		if err != nil {
			return false, err
		}
		for _, k := range keys {
			if err := fn(k); err != nil {
				return false, err
			}
		}
		if next == "" {
			return true, nil
		}
		cursor = next
	}
	return false, nil
}
