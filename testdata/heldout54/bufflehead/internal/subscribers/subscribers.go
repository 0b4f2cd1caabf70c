// Package subscribers manages subscriber lists stored in Workers KV. The
// Worker writes members as they confirm; the backend reads and exports them.
package subscribers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"bufflehead/internal/restkv"
)

// ErrNoList is returned for unknown list ids.
var ErrNoList = errors.New("subscribers: no such list")

// Member is what the Worker stores under member:<list>:<email>.
type Member struct {
	Email     string    `json:"email"`
	Source    string    `json:"source,omitempty"`
	Confirmed time.Time `json:"confirmed"`
}

// List is a subscriber list's settings.
type List struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	SenderID  string    `json:"sender_id"`
	Tags      []string  `json:"tags"`
	DoubleOpt bool      `json:"double_opt_in"`
	Created   time.Time `json:"created"`
}

func memberPrefix(listID string) string { return "member:" + listID + ":" }
func listKey(listID string) string      { return "list:" + listID }

// loadInto decodes the JSON value at key into dst.
func loadInto(ctx context.Context, c *restkv.Client, key string, dst any) error {
	raw, err := c.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Get fills l with the list's settings.
func Get(ctx context.Context, c *restkv.Client, listID string, l *List) error {
	if err := loadInto(ctx, c, listKey(listID), l); err != nil {
		if errors.Is(err, restkv.ErrNotFound) {
			return fmt.Errorf("list %s: %w", listID, ErrNoList)
		}
		return err
	}
	return nil
}

// Create stores a new list under a fresh id.
func Create(ctx context.Context, c *restkv.Client, l List) error {
	raw, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return c.Put(ctx, listKey(l.ID), raw, restkv.PutOptions{})
}

// AddTag tags a list for segmentation.
func AddTag(ctx context.Context, c *restkv.Client, listID, tag string) error {
	var l List
	if err := Get(ctx, c, listID, &l); err != nil {
		return err
	}
	if slices.Contains(l.Tags, tag) {
		return nil
	}
	l.Tags = append(l.Tags, tag)
	raw, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return c.Put(ctx, listKey(listID), raw, restkv.PutOptions{}) // EXPECT kvrace
}

// Export writes every confirmed member of a list to w, one JSON object per line.
func Export(ctx context.Context, c *restkv.Client, listID string, w io.Writer) (int, error) {
	enc := json.NewEncoder(w)
	n, cursor := 0, ""
	for {
		page, err := c.ListPage(ctx, memberPrefix(listID), cursor, 1000) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range page.Keys {
			var m Member
			raw, err := c.Get(ctx, k.Name) // EXPECT kvlist
			if errors.Is(err, restkv.ErrNotFound) {
				continue
			}
			if err != nil {
				return n, err
			}
			if err := json.Unmarshal(raw, &m); err != nil {
				return n, fmt.Errorf("member %s: %w", k.Name, err)
			}
			if err := enc.Encode(m); err != nil {
				return n, err
			}
			n++
		}
		if page.Cursor == "" {
			return n, nil
		}
		cursor = page.Cursor
	}
}

// Preview returns up to 20 member addresses for the list header.
func Preview(ctx context.Context, c *restkv.Client, listID string) ([]string, string, error) {
	page, err := c.ListPage(ctx, memberPrefix(listID), "", 20)
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k.Name, memberPrefix(listID)))
	}
	return out, page.Cursor, nil
}

// Members returns the addresses on a list, used when scheduling a campaign.
func Members(ctx context.Context, c *restkv.Client, listID string) ([]string, error) {
	page, err := c.ListPage(ctx, memberPrefix(listID), "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	emails := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		emails = append(emails, strings.TrimPrefix(k.Name, memberPrefix(listID)))
	}
	return emails, nil
}

// Report summarizes a list.
type Report struct {
	ListID    string
	Members   int
	BySource  map[string]int
	Pages     int
	Partial   bool
	Generated time.Time
}

// Summarize fills rep from key metadata, reading at most maxKeys keys.
func Summarize(ctx context.Context, c *restkv.Client, listID string, maxKeys int, rep *Report) error {
	rep.ListID, rep.Generated = listID, time.Now().UTC()
	if rep.BySource == nil {
		rep.BySource = make(map[string]int)
	}
	cursor := ""
	for rep.Members < maxKeys {
		page, err := c.ListPage(ctx, memberPrefix(listID), cursor, 1000)
		if err != nil {
			return err
		}
		rep.Pages++
		for _, k := range page.Keys {
			rep.Members++
			if md, ok := k.Metadata.(map[string]any); ok {
				if src, ok := md["source"].(string); ok {
					rep.BySource[src]++
				}
			}
		}
		if page.Cursor == "" {
			return nil
		}
		cursor = page.Cursor
	}
	rep.Partial = true
	return nil
}
