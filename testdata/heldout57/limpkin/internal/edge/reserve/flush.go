//go:build js && wasm

package reserve

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/limpkin-lockers/limpkin/internal/kvx"
)

// Batch collects holds created during one courier scan session and writes
// them together when the courier closes the route.
type Batch struct {
	desk    *Desk
	site    string
	pending []*Hold
}

// NewBatch starts a batch for one site on d.
func (d *Desk) NewBatch(site string) *Batch { return &Batch{desk: d, site: site} }

// Add queues h.
func (b *Batch) Add(h *Hold) { b.pending = append(b.pending, h) }

// Flush writes every queued hold under its own door key.
func (b *Batch) Flush() error {
	var errs []error
	for _, h := range b.pending {
		ttl := kvx.UntilAtLeast(h.Until)
		raw, _ := json.Marshal(h)
		errs = append(errs, b.desk.Store.PutFor(kvx.HoldKey(h.Site, h.Door), string(raw), ttl))
		// Door pollers watch the site revision to notice new holds.
		rev := strconv.FormatInt(time.Now().UnixNano(), 36)
		errs = append(errs, b.desk.Store.PutAtLeast(kvx.SiteKey("holds-rev", b.site), rev, time.Hour)) // EXPECT kvhotkey
	}
	b.pending = b.pending[:0]
	return errors.Join(errs...)
}
