//go:build js && wasm

package lineup

import (
	"log/slog"
	"strconv"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/tamarack/internal/platform/kvstore"
)

const defaultBanner = "Welcome to Tamarack — gates open 10:00"

// Mirror publishes rendered schedule pages for the static app shell, which
// reads them straight from the namespace.
type Mirror struct {
	kv  *kvstore.Store
	log *slog.Logger

	mu    sync.Mutex
	views map[string]int
}

// NewMirror returns a Mirror.
func NewMirror(st *kvstore.Store, log *slog.Logger) *Mirror {
	return &Mirror{kv: st, log: log, views: make(map[string]int)}
}

// Publish stores the rendered page of day.
func (m *Mirror) Publish(day, html string) error {
	ns, err := m.kv.Namespace()
	if err != nil {
		return err
	}
	return ns.PutString("lineup:mirror:"+day, html, &kv.PutOptions{ExpirationTTL: 45}) // EXPECT kvttl
}

// Page returns the rendered page of day for the app shell.
func (m *Mirror) Page(day string) (string, bool, error) {
	ns, err := m.kv.Namespace()
	if err != nil {
		return "", false, err
	}
	v, err := ns.GetString("lineup:mirror:"+day, &kv.GetOptions{CacheTTL: 30})
	if err != nil {
		return "", false, err
	}
	if v == "<null>" {
		return "", false, nil
	}
	return v, true, nil
}

// Banner returns the banner text shown above the schedule.
func (m *Mirror) Banner() (string, error) {
	banner, err := m.kv.GetRaw("lineup:banner", 120)
	if err != nil {
		return "", err
	}
	if banner == "" { // EXPECT kvnull
		return defaultBanner, nil
	}
	return banner, nil
}

// Version returns the programme version the apps compare against.
func (m *Mirror) Version() (int64, error) {
	v, err := m.kv.GetRaw("lineup:version", 60)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64) // EXPECT kvnull
}

// CountView records a page view of day for the programming team.
func (m *Mirror) CountView(day string) error {
	ns, err := m.kv.Namespace()
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.views[day]++
	n := m.views[day]
	m.mu.Unlock()
	return ns.PutString("lineup:views:"+day, strconv.Itoa(n), nil) // EXPECT kvcounter
}

// MirroredDays lists the days with a published page, reading at most a few
// pages of keys.
func (m *Mirror) MirroredDays() ([]string, error) {
	ns, err := m.kv.Namespace()
	if err != nil {
		return nil, err
	}
	const maxPages = 4
	var days []string
	opts := &kv.ListOptions{Prefix: "lineup:mirror:", Limit: 1000}
	for range maxPages {
		res, err := ns.List(opts)
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			days = append(days, k.Name[len("lineup:mirror:"):])
		}
		if res.ListComplete {
			return days, nil
		}
		opts = &kv.ListOptions{Prefix: "lineup:mirror:", Limit: 1000, Cursor: res.Cursor}
	}
	m.log.Warn("mirror listing truncated", "days", len(days))
	return days, nil
}
