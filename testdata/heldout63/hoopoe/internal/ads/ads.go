// Package ads manages dynamic ad-insertion inventory: the pre-, mid- and
// post-roll slots of each episode and the campaigns booked into them. The
// edge stitcher reads the inventory from KV when it serves an episode.
package ads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
	"github.com/hoopoefm/hoopoe/internal/metrics"
)

// disclosure is attached to every stitched episode as required by the
// advertising standards of the markets hoopoe sells into.
const disclosure = "This episode contains paid advertising. Advertisements are selected and inserted " +
	"dynamically by Hoopoe Media Ltd. on behalf of the show's host and may differ between downloads, " +
	"listening apps, countries and dates. The host may not have reviewed or endorsed the products or " +
	"services advertised, and the appearance of an advertisement does not imply any recommendation by " +
	"the host, their guests or Hoopoe Media Ltd. Advertisers are responsible for the accuracy of their " +
	"claims. Where an advertisement concerns financial products, the value of investments can go down " +
	"as well as up and past performance is no guide to future returns. Where an advertisement concerns " +
	"alcohol, gambling or age-restricted goods it is only inserted for listeners in markets where such " +
	"advertising is permitted, and only where the listening app reports an adult account. To opt out " +
	"of personalised advertising, visit hoopoe.fm/privacy or use the controls in your listening app. " +
	"Complaints about an advertisement can be made to the advertising standards authority of your " +
	"country, or to Hoopoe Media Ltd. at ads-complaints@hoopoe.fm, quoting the episode and the time."

const (
	bulkBatch   = 20_000
	holdTimeout = 15 * time.Minute
)

// Slot is one insertion point of an episode.
type Slot struct {
	Position   string    `json:"position"` // pre, mid1, mid2, post
	OffsetMS   int       `json:"offset_ms"`
	CampaignID string    `json:"campaign_id,omitempty"`
	HeldUntil  time.Time `json:"held_until,omitempty"`
}

// Inventory manages slots.
type Inventory struct {
	db *pgxpool.Pool
	kv *kvrest.Store
	m  *metrics.Collectors
}

// New returns an Inventory.
func New(db *pgxpool.Pool, kv *kvrest.Store, m *metrics.Collectors) *Inventory {
	return &Inventory{db: db, kv: kv, m: m}
}

func slotsKey(showID, episodeID string) string {
	return fmt.Sprintf("adslots:%s:%s", showID, episodeID)
}

var ErrSlotTaken = errors.New("ads: slot already booked")

// Book assigns a campaign to a free slot of an episode.
func (inv *Inventory) Book(ctx context.Context, showID, episodeID, position, campaignID string) error {
	key := slotsKey(showID, episodeID)
	raw, err := inv.kv.Get(ctx, key)
	if err != nil {
		return err
	}
	var slots []Slot
	if err := json.Unmarshal(raw, &slots); err != nil {
		return err
	}
	found := false
	for i := range slots {
		if slots[i].Position != position {
			continue
		}
		if slots[i].CampaignID != "" {
			return ErrSlotTaken
		}
		slots[i].CampaignID = campaignID
		slots[i].HeldUntil = time.Now().Add(holdTimeout)
		found = true
	}
	if !found {
		return fmt.Errorf("ads: episode %s has no %s slot", episodeID, position)
	}
	out, _ := json.Marshal(slots)
	if err := inv.kv.Put(ctx, key, out); err != nil { // EXPECT kvrace
		return err
	}
	_, err = inv.db.Exec(ctx, `INSERT INTO bookings (episode_id, position, campaign_id) VALUES ($1, $2, $3)`,
		episodeID, position, campaignID)
	return err
}

type campaignRow struct {
	ID       string `db:"id"`
	ShowID   string `db:"show_id"`
	Name     string `db:"name"`
	CPM      int    `db:"cpm_cents"`
	Position string `db:"position"`
}

// PublishShowCampaigns projects the active campaigns of a show for the
// stitcher.
func (inv *Inventory) PublishShowCampaigns(ctx context.Context, showID string) error {
	rows, _ := inv.db.Query(ctx, `SELECT id, show_id, name, cpm_cents, position FROM campaigns
		WHERE show_id = $1 AND active ORDER BY cpm_cents DESC`, showID)
	campaigns, err := pgx.CollectRows(rows, pgx.RowToStructByName[campaignRow])
	if err != nil {
		return err
	}
	var active []campaignRow
	for _, c := range campaigns {
		active = append(active, c)
		body, _ := json.Marshal(active)
		if err := inv.kv.Put(ctx, "ads:inventory:"+showID, body); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// PublishCampaignIndex writes one key per campaign; values are small, so the
// stitcher's list call gets what it needs from metadata.
func (inv *Inventory) PublishCampaignIndex(ctx context.Context, campaigns []campaignRow) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(campaigns))
	for _, c := range campaigns {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:      "campaign:" + c.ID,
			Value:    c.Name,
			Metadata: map[string]any{"show": c.ShowID, "cpm": c.CPM, "position": c.Position},
		})
	}
	return inv.kv.PutMany(ctx, pairs)
}

// PublishStitchPlans writes the stitch plan of every episode in the catalog.
func (inv *Inventory) PublishStitchPlans(ctx context.Context, plans map[string][]Slot) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(plans))
	for episodeKey, slots := range plans {
		body, _ := json.Marshal(slots)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:   "stitch:" + episodeKey,
			Value: string(body),
			Metadata: struct {
				Slots      int    `json:"slots"`
				Disclosure string `json:"disclosure"`
			}{len(slots), disclosure}, // EXPECT kvlimits
		})
	}
	api, rc := inv.kv.API()
	for i := 0; i < len(pairs); i += bulkBatch {
		end := min(i+bulkBatch, len(pairs))
		timer := inv.m.Time("bulk_put")
		_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: inv.kv.Namespace(),
			KVs:         pairs[i:end], // EXPECT kvlimits
		})
		timer.ObserveDuration()
		if err != nil {
			inv.m.KVErrors.WithLabelValues("bulk_put").Inc()
			return err
		}
	}
	return nil
}

// OpenSlots reports the unbooked slots of a show, for the sales dashboard.
func (inv *Inventory) OpenSlots(ctx context.Context, showID string) (map[string]int, error) {
	keys, _, err := inv.kv.Page(ctx, "adslots:"+showID+":", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	open := map[string]int{}
	for _, k := range keys {
		episode := strings.TrimPrefix(k.Name, "adslots:"+showID+":")
		open[episode] = 0
		if md, ok := k.Metadata.(map[string]any); ok {
			if n, ok := md["open"].(float64); ok {
				open[episode] = int(n)
			}
		}
	}
	return open, nil
}

// RecentBookings returns the first page of booking receipts, for the
// dashboard's "latest" widget; the caller pages on with the cursor.
func (inv *Inventory) RecentBookings(ctx context.Context, showID, cursor string) ([]string, string, error) {
	api, rc := inv.kv.API()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: inv.kv.Namespace(),
		Prefix:      "booking:" + showID + ":",
		Cursor:      cursor,
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

// AllBookingKeys pages through the receipts of a show with a page budget.
func (inv *Inventory) AllBookingKeys(ctx context.Context, showID string) ([]string, error) {
	const maxPages = 20
	var names []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		keys, next, err := inv.kv.Page(ctx, "booking:"+showID+":", cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if next == "" {
			return names, nil
		}
		cursor = next
	}
	return names, fmt.Errorf("ads: more than %d pages of bookings for %s", maxPages, showID)
}
