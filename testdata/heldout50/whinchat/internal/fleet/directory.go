// Package fleet keeps the device directory of each tenant: registrations,
// groups, listings and exports.
package fleet

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/whinchat/fleet/internal/config"
	"github.com/whinchat/fleet/internal/kvstore"
)

// Device is a directory entry.
type Device struct {
	ID       string    `json:"id"`
	Serial   string    `json:"serial"`
	Model    string    `json:"model"`
	Firmware string    `json:"firmware"`
	Site     string    `json:"site"`
	Paired   time.Time `json:"paired"`
}

// deviceMeta is the part of a Device that listings show without reading
// values.
type deviceMeta struct {
	Model    string `json:"m"`
	Firmware string `json:"fw"`
	Site     string `json:"s,omitempty"`
}

// Directory is the per-tenant device directory.
type Directory struct {
	devices  kvstore.Space // dev/<tenant>/<device>
	groups   kvstore.Space // grp/<tenant>/<group>
	exports  kvstore.Space // exp/<tenant>/<export-id>
	counts   kvstore.Space // dircount/<tenant>
	settings config.Settings
	quota    *exportQuota
}

// NewDirectory returns the directory over the fleet namespace.
func NewDirectory(root kvstore.Space, st config.Settings) *Directory {
	return &Directory{
		devices:  root.Scope("dev"),
		groups:   root.Scope("grp"),
		exports:  root.Scope("exp"),
		counts:   root.Scope("dircount"),
		settings: st,
		quota:    newExportQuota(root.Scope("quota", "exports"), st.ExportQuota),
	}
}

// Register adds or updates a device entry.
func (d *Directory) Register(ctx context.Context, tenant string, dev Device) error {
	body, err := json.Marshal(dev)
	if err != nil {
		return err
	}
	meta := deviceMeta{Model: dev.Model, Firmware: dev.Firmware, Site: dev.Site}
	return d.devices.Scope(tenant).PutMeta(ctx, dev.ID, body, meta, 0)
}

// Remove deletes a device entry.
func (d *Directory) Remove(ctx context.Context, tenant, id string) error {
	return d.devices.Scope(tenant).Delete(ctx, id)
}

// Listed is one page of the directory as the console shows it.
type Listed struct {
	ID       string `json:"id"`
	Model    string `json:"model"`
	Firmware string `json:"firmware"`
}

// Page returns one page of a tenant's devices and the cursor for the next;
// the console asks for more as the operator scrolls.
func (d *Directory) Page(ctx context.Context, tenant, cursor string) ([]Listed, string, error) {
	space := d.devices.Scope(tenant)
	p, err := space.List(ctx, cursor, d.settings.ListPageSize)
	if err != nil {
		return nil, "", err
	}
	out := make([]Listed, 0, len(p.Keys))
	for _, k := range p.Keys {
		l := Listed{ID: space.Name(k.Name)}
		if m, ok := k.Metadata.(map[string]any); ok {
			l.Model, _ = m["m"].(string)
			l.Firmware, _ = m["fw"].(string)
		}
		out = append(out, l)
	}
	return out, p.Cursor, nil
}

// Count returns the number of devices of a tenant for the billing page and
// remembers it for the invoice job.
func (d *Directory) Count(ctx context.Context, tenant string) (int, error) {
	p, err := d.devices.Scope(tenant).List(ctx, "", 1000) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	n := len(p.Keys)
	if err := d.counts.Put(ctx, tenant, []byte(strconv.Itoa(n)), time.Hour); err != nil { // DEBATABLE kvcounter
		return n, err
	}
	return n, nil
}

// AddToGroup adds devices to a group, creating it if needed.
func (d *Directory) AddToGroup(ctx context.Context, tenant, group string, ids ...string) error {
	space := d.groups.Scope(tenant)
	var members []string
	if raw, err := space.Get(ctx, group); err == nil { // EXPECT kvnull
		if err := json.Unmarshal(raw, &members); err != nil {
			return err
		}
	}
	for _, id := range ids {
		if !slices.Contains(members, id) {
			members = append(members, id)
		}
	}
	slices.Sort(members)
	body, err := json.Marshal(members)
	if err != nil {
		return err
	}
	return space.Put(ctx, group, body, 0) // EXPECT kvrace
}

// exportQuota limits exports per tenant per day. Usage is tracked in process
// and published so that the console can show the remaining allowance.
type exportQuota struct {
	mu    sync.Mutex
	space kvstore.Space
	limit int
	day   string
	used  map[string]int
}

func newExportQuota(s kvstore.Space, limit int) *exportQuota {
	return &exportQuota{space: s, limit: limit, used: map[string]int{}}
}

func (q *exportQuota) take(ctx context.Context, tenant string) (bool, error) {
	today := time.Now().UTC().Format("2006-01-02")
	q.mu.Lock()
	if today != q.day {
		q.day, q.used = today, map[string]int{}
	}
	if q.used[tenant] >= q.limit {
		q.mu.Unlock()
		return false, nil
	}
	q.used[tenant]++
	remaining := q.limit - q.used[tenant]
	q.mu.Unlock()
	return true, q.space.Scope(today).Put(ctx, tenant, []byte(strconv.Itoa(remaining)), 48*time.Hour) // EXPECT kvcounter
}
