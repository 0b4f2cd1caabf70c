// Package menusync publishes venue menus and widget assets to the widget
// namespace. It predates the move to the v5 SDK and still uses the v0
// client; new code should go through kvstore instead.
package menusync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

const (
	bulkChunk         = 1000
	slotTemplateCount = 366 * 96 // a leap year of 15-minute slots
)

// bucket is the namespace this package writes to.
type bucket struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (b bucket) get(ctx context.Context, key string) ([]byte, error) {
	return b.api.GetWorkersKV(ctx, b.rc, cloudflare.GetWorkersKVParams{NamespaceID: b.ns, Key: key})
}

func (b bucket) put(ctx context.Context, key string, value []byte) error {
	_, err := b.api.WriteWorkersKVEntry(ctx, b.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: b.ns, Key: key, Value: value})
	return err
}

func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Menu is a venue's published menu, grouped into sections.
type Menu struct {
	VenueID  string `json:"venue"`
	Revision int    `json:"rev"`
	Sections []struct {
		Name  string `json:"name"`
		Items []struct {
			SKU        string `json:"sku"`
			Name       string `json:"name"`
			PriceCents int    `json:"price"`
		} `json:"items"`
	} `json:"sections"`
}

// Syncer publishes menus.
type Syncer struct {
	b       bucket
	menuTTL time.Duration
	now     func() time.Time
}

// New returns a Syncer for namespaceID in accountID.
func New(token, accountID, namespaceID string, menuTTL time.Duration) (*Syncer, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, err
	}
	return &Syncer{b: bucket{api, cloudflare.AccountIdentifier(accountID), namespaceID}, menuTTL: menuTTL, now: time.Now}, nil
}

// Publish writes the menu document and one entry per item.
func (s *Syncer) Publish(ctx context.Context, m Menu) error {
	key := "menu/" + m.VenueID + "/current"
	doc := Menu{VenueID: m.VenueID, Revision: m.Revision}
	for _, sec := range m.Sections {
		doc.Sections = append(doc.Sections, sec)
		b, _ := json.Marshal(doc)
		if _, err := s.b.api.WriteWorkersKVEntry(ctx, s.b.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: s.b.ns, Key: key, Value: b,
		}); err != nil {
			return fmt.Errorf("menusync: section %q: %w", sec.Name, err)
		}
	}
	var pairs []*cloudflare.WorkersKVPair
	for _, sec := range m.Sections {
		for _, it := range sec.Items {
			b, _ := json.Marshal(it)
			pairs = append(pairs, &cloudflare.WorkersKVPair{
				Key:           "menu-item/" + m.VenueID + "/" + it.SKU,
				Value:         string(b),
				ExpirationTTL: int(s.menuTTL), // EXPECT kvttl
				Metadata:      map[string]any{"rev": m.Revision, "section": sec.Name},
			})
		}
	}
	for start := 0; start < len(pairs); start += bulkChunk {
		end := min(start+bulkChunk, len(pairs))
		if _, err := s.b.api.WriteWorkersKVEntries(ctx, s.b.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: s.b.ns, KVs: pairs[start:end],
		}); err != nil {
			return fmt.Errorf("menusync: items %d-%d: %w", start, end, err)
		}
	}
	return s.appendChangelog(ctx, m.VenueID, fmt.Sprintf("%s rev %d: %d items",
		s.now().UTC().Format(time.RFC3339), m.Revision, len(pairs)))
}

func (s *Syncer) appendChangelog(ctx context.Context, venueID, line string) error {
	key := "menu-changelog/" + venueID
	old, err := s.b.get(ctx, key)
	if err != nil && !isNotFound(err) {
		return err
	}
	return s.b.put(ctx, key, []byte(string(old)+line+"\n")) // EXPECT kvrace
}

// RecordView notes a widget load for the venue's traffic report.
func (s *Syncer) RecordView(ctx context.Context, venueID string) error {
	key := "widget-views/" + venueID
	var n int64
	raw, err := s.b.get(ctx, key)
	switch {
	case isNotFound(err):
	case err != nil:
		return err
	default:
		if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return err
		}
	}
	return s.b.put(ctx, key, []byte(strconv.FormatInt(n+1, 10))) // EXPECT kvcounter
}

// TableCount is the number of tables on the venue's floor plan.
func (s *Syncer) TableCount(ctx context.Context, venueID string) int {
	raw, _ := s.b.get(ctx, "floor/"+venueID+"/tables") // EXPECT kvnull
	n, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	return n
}

// Theme returns the venue's widget theme, or the default one.
func (s *Syncer) Theme(ctx context.Context, venueID string) (map[string]string, error) {
	raw, err := s.b.api.GetWorkersKV(ctx, s.b.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.b.ns, Key: "theme/" + venueID})
	if err != nil {
		return nil, err
	}
	if raw == nil { // EXPECT kvnull
		return map[string]string{"accent": "#3b6e4f", "font": "Inter"}, nil
	}
	var t map[string]string
	return t, json.Unmarshal(raw, &t)
}

// RecentMenus returns the first few menu documents and the cursor after them.
func (s *Syncer) RecentMenus(ctx context.Context) ([]string, string, error) {
	resp, err := s.b.api.ListWorkersKVKeys(ctx, s.b.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.b.ns,
		Prefix:      "menu/",
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		names = append(names, k.Name)
	}
	return names, resp.Cursor, nil
}

// SweepStale deletes item entries from revisions older than current[venue].
func (s *Syncer) SweepStale(ctx context.Context, current map[string]int) (int, error) {
	deleted, cursor := 0, ""
	for {
		resp, err := s.b.api.ListWorkersKVKeys(ctx, s.b.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: s.b.ns, Prefix: "menu-item/", Cursor: cursor,
		})
		if err != nil {
			return deleted, err
		}
		if len(resp.Result) == 0 {
			break
		}
		var stale []string
		for _, k := range resp.Result {
			parts := strings.SplitN(k.Name, "/", 3)
			meta, _ := k.Metadata.(map[string]any)
			if rev, _ := meta["rev"].(float64); len(parts) == 3 && int(rev) < current[parts[1]] {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if _, err := s.b.api.DeleteWorkersKVEntries(ctx, s.b.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: s.b.ns, Keys: stale}); err != nil {
				return deleted, err
			}
			deleted += len(stale)
		}
		cursor = resp.Cursor
	}
	return deleted, nil
}

// SeedSlotTemplates writes a closed template for every slot of the coming
// year so the widget's calendar renders before the venue sets its hours.
func (s *Syncer) SeedSlotTemplates(ctx context.Context, venueID string, start time.Time) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, slotTemplateCount)
	for i := 0; i < slotTemplateCount; i++ {
		t := start.Add(time.Duration(i) * 15 * time.Minute)
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: "slot-template/" + venueID + "/" + t.UTC().Format("20060102T1504"), Value: `{"open":false}`})
	}
	_, err := s.b.api.WriteWorkersKVEntries(ctx, s.b.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.b.ns, KVs: pairs}) // EXPECT kvlimits
	return err
}
