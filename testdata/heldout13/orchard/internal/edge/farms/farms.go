//go:build js && wasm

// Package farms stores farm slugs, home-page placement and the pickup slot
// calendar shown at checkout.
package farms

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/orchard/internal/platform/kvio"
)

// ErrSlugTaken is returned when another farm owns the slug.
var ErrSlugTaken = errors.New("farms: slug taken")

// ErrBadSlug is returned for a slug that is not lowercase words and dashes.
var ErrBadSlug = errors.New("farms: slug must be 3-40 lowercase letters, digits or dashes")

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,39}$`)

// Directory is the farm directory over the edge namespace.
type Directory struct {
	ns  *kv.Namespace
	log *slog.Logger
}

// New returns a Directory over ns.
func New(ns *kv.Namespace, log *slog.Logger) *Directory { return &Directory{ns: ns, log: log} }

// ClaimSlug gives the farm its public URL, storefront.example/<slug>.
func (d *Directory) ClaimSlug(farmID, slug string) error {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if !slugRE.MatchString(slug) {
		return ErrBadSlug
	}
	owner, err := d.ns.GetString("slug:"+slug, nil)
	if err != nil {
		return err
	}
	if owner != "<null>" && owner != farmID {
		return fmt.Errorf("%w: %s", ErrSlugTaken, slug)
	}
	if err := d.ns.PutString("slug:"+slug, farmID, nil); err != nil { // EXPECT kvrace
		return err
	}
	return d.audit(farmID, "claimed slug "+slug)
}

// Feature pins the farm to the home page until the given time.
func (d *Directory) Feature(farmID string, until time.Time) error {
	return d.ns.PutString("featured:farm:"+farmID, until.UTC().Format(time.RFC3339), &kv.PutOptions{
		Expiration: int(until.UnixMilli()), // EXPECT kvttl
	})
}

// Promote runs a paid promotion for a whole number of days.
func (d *Directory) Promote(farmID string, days int) error {
	until := time.Now().Add(time.Duration(days) * 24 * time.Hour)
	return d.ns.PutString("promo:farm:"+farmID, farmID, &kv.PutOptions{
		Expiration: int(until.Unix()),
	})
}

// slotBitmapLen covers a year of five-minute pickup slots for up to 256
// pickup points, one byte per slot.
const slotBitmapLen = 256 * 365 * 24 * 12

// InitSlots writes an empty slot calendar for a new farm.
func (d *Directory) InitSlots(farmID string) error {
	return d.ns.PutString("slots:"+farmID, strings.Repeat("0", slotBitmapLen), nil) // EXPECT kvlimits
}

// audit appends a line to the farm's change log, kept for a year.
func (d *Directory) audit(farmID, what string) error {
	line := fmt.Sprintf("%s\t%s\n", time.Now().UTC().Format(time.RFC3339), what)
	return kvio.Append(d.ns, "audit:farm:"+farmID, []byte(line), 365*24*time.Hour)
}

// Slugs returns up to n slugs in order, and the cursor to continue from.
func (d *Directory) Slugs(cursor string, n int) ([]string, string, error) {
	var out []string
	for page := 0; page < 5 && len(out) < n; page++ {
		res, err := d.ns.List(&kv.ListOptions{Prefix: "slug:", Cursor: cursor, Limit: min(n-len(out), 1000)})
		if err != nil {
			return nil, "", err
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, "slug:"))
		}
		if res.ListComplete {
			return out, "", nil
		}
		cursor = res.Cursor
	}
	return out, cursor, nil
}
