// Package manifest stores cargo manifests submitted by shipping agents. It is
// one of the oldest parts of harbor and still uses the v0 cloudflare-go client.
package manifest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned for unknown manifests.
var ErrNotFound = errors.New("manifest: not found")

// Line is one container on a manifest.
type Line struct {
	Container string `json:"container"`
	HSCode    string `json:"hs_code"`
	WeightKg  int    `json:"weight_kg"`
}

// Manifest is an agent's declaration for one vessel call.
type Manifest struct {
	ID          string    `json:"id"`
	VesselIMO   string    `json:"vessel_imo"`
	Agent       string    `json:"agent"`
	Lines       []Line    `json:"lines"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// Repo reads and writes manifests in the legacy namespace.
type Repo struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
	log *slog.Logger
}

// NewRepo returns a Repo.
func NewRepo(api *cloudflare.API, accountID, namespaceID string, log *slog.Logger) *Repo {
	return &Repo{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID, log: log.With("component", "manifest")}
}

func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Save stores a manifest.
func (r *Repo) Save(ctx context.Context, m Manifest) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = r.api.WriteWorkersKVEntry(ctx, r.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: r.ns, Key: "manifest:" + m.ID, Value: b})
	return err
}

// Load returns a manifest by ID.
func (r *Repo) Load(ctx context.Context, id string) (Manifest, error) {
	val, err := r.api.GetWorkersKV(ctx, r.rc, cloudflare.GetWorkersKVParams{NamespaceID: r.ns, Key: "manifest:" + id})
	if err != nil {
		return Manifest{}, fmt.Errorf("manifest: load %s: %w", id, err)
	}
	if val == nil { // EXPECT kvnull
		return Manifest{}, ErrNotFound
	}
	var m Manifest
	if err := json.Unmarshal(val, &m); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// The customs pre-check worker picks staged lines up within seconds; staging
// entries only need to outlive that.
const (
	stageWindow = 45 * time.Second
	stageTTL    = int(stageWindow / time.Second)
	maxBulk     = 10000
)

// Stage publishes a manifest's lines for the customs pre-check.
func (r *Repo) Stage(ctx context.Context, m Manifest) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(m.Lines))
	for i, l := range m.Lines {
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           fmt.Sprintf("stage:%s:%04d", m.ID, i),
			Value:         string(b),
			ExpirationTTL: stageTTL, // EXPECT kvttl
		})
	}
	for start := 0; start < len(pairs); start += maxBulk {
		end := min(start+maxBulk, len(pairs))
		if _, err := r.api.WriteWorkersKVEntries(ctx, r.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: r.ns, KVs: pairs[start:end]}); err != nil {
			return err
		}
	}
	return nil
}

// AppendNote adds a line to the free-text notes customs keeps on a manifest.
func (r *Repo) AppendNote(ctx context.Context, id, author, note string) error {
	key := "manifestnotes:" + id
	old, err := r.api.GetWorkersKV(ctx, r.rc, cloudflare.GetWorkersKVParams{NamespaceID: r.ns, Key: key})
	if err != nil && !isNotFound(err) {
		return err
	}
	line := fmt.Sprintf("%s %s: %s", time.Now().UTC().Format(time.RFC3339), author, strings.TrimSpace(note))
	notes := line
	if len(old) > 0 {
		notes = string(old) + "\n" + line
	}
	_, err = r.api.WriteWorkersKVEntry(ctx, r.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: r.ns,
		Key:         key,
		Value:       []byte(notes),
	})
	return err
}

// Pending lists manifest IDs, reading at most maxPages pages.
func (r *Repo) Pending(ctx context.Context, maxPages int) ([]string, error) {
	var ids []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		resp, err := r.api.ListWorkersKVKeys(ctx, r.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: r.ns,
			Prefix:      "manifest:",
			Cursor:      cursor,
			Limit:       1000,
		})
		if err != nil {
			return ids, err
		}
		if len(resp.Result) == 0 {
			break
		}
		for _, k := range resp.Result {
			ids = append(ids, strings.TrimPrefix(k.Name, "manifest:"))
		}
		cursor = resp.Cursor
	}
	return ids, nil
}

// ImportBatch saves manifests received from the port community system and
// publishes progress for the agents' portal.
func (r *Repo) ImportBatch(ctx context.Context, ms []Manifest) error {
	var errs []error
	for i, m := range ms {
		if err := r.Save(ctx, m); err != nil {
			errs = append(errs, fmt.Errorf("manifest %s: %w", m.ID, err))
		}
		status := fmt.Sprintf(`{"done":%d,"total":%d,"failed":%d}`, i+1, len(ms), len(errs))
		_, err := r.api.WriteWorkersKVEntry(ctx, r.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: r.ns,
			Key:         "manifest:import:status",
			Value:       []byte(status),
		})
		if err != nil {
			r.log.Warn("status update failed", "err", err)
		}
	}
	return errors.Join(errs...)
}

// Berth windows are sold in half-hour slots.
const (
	slotLength   = 30 * time.Minute
	slotsPerYear = 365 * int(24*time.Hour/slotLength)
)

// PublishSlotCalendar writes the free/booked calendar of a berth for a year so
// agents can see availability without calling the planning system.
func (r *Repo) PublishSlotCalendar(ctx context.Context, berth string, year int, booked map[time.Time]bool) error {
	start := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
	pairs := make([]*cloudflare.WorkersKVPair, 0, slotsPerYear)
	for i := range slotsPerYear {
		t := start.Add(time.Duration(i) * slotLength)
		state := "free"
		if booked[t] {
			state = "booked"
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           fmt.Sprintf("slot:%s:%s", berth, t.Format("200601021504")),
			Value:         state,
			ExpirationTTL: 400 * 24 * 3600,
		})
	}
	_, err := r.api.WriteWorkersKVEntries(ctx, r.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: r.ns, KVs: pairs}) // EXPECT kvlimits
	return err
}
