//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/samber/do"
	"github.com/syumai/workers/cloudflare"
)

// SectionIndex lists sections and holds from the edge namespaces.
type SectionIndex struct {
	config   *cloudflare.KVNamespace
	seats    *cloudflare.KVNamespace
	maxPages int
}

// NewSectionIndex resolves its namespaces and page budget from the injector.
func NewSectionIndex(i *do.Injector) (*SectionIndex, error) {
	return &SectionIndex{
		config:   do.MustInvokeNamed[*cloudflare.KVNamespace](i, "config-kv"),
		seats:    do.MustInvokeNamed[*cloudflare.KVNamespace](i, "seats-kv"),
		maxPages: do.MustInvokeNamed[int](i, "max-list-pages"),
	}, nil
}

func names(keys []*cloudflare.KVNamespaceListKey, prefix string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, strings.TrimPrefix(k.Name, prefix))
	}
	return out
}

// ServeSections answers GET /terms/{term}/sections with one page and its
// cursor.
func (x *SectionIndex) ServeSections(w http.ResponseWriter, r *http.Request) {
	prefix := "section:" + r.PathValue("term") + ":"
	res, err := x.config.List(&cloudflare.KVNamespaceListOptions{
		Prefix: prefix,
		Limit:  2000, // EXPECT kvlimits
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"sections": names(res.Keys, prefix), "cursor": next})
}

// ActiveHolds returns the students holding seats in a section.
func (x *SectionIndex) ActiveHolds(section string) ([]string, error) {
	prefix := "hold:" + section + ":"
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000}
	var out []string
	for {
		res, err := x.seats.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		out = append(out, names(res.Keys, prefix)...)
		opts.Cursor = res.Cursor
	}
	return out, nil
}

// ExpiringHolds returns holds that lapse within the window, reading at most
// the configured number of pages.
func (x *SectionIndex) ExpiringHolds(section string, within time.Duration) ([]string, error) {
	prefix := "hold:" + section + ":"
	deadline := time.Now().Add(within).Unix()
	res, err := x.seats.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix})
	if err != nil {
		return nil, err
	}
	var out []string
	for page := 0; page < x.maxPages; page++ {
		for _, k := range res.Keys {
			if k.Expiration != 0 && int64(k.Expiration) <= deadline {
				out = append(out, strings.TrimPrefix(k.Name, prefix))
			}
		}
		if res.ListComplete {
			break
		}
		res, err = x.seats.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TermSections returns every section id of a term, reading at most the
// configured number of pages.
func (x *SectionIndex) TermSections(term string) ([]string, error) {
	prefix := "section:" + term + ":"
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix}
	var out []string
	for page := 0; page < x.maxPages; page++ {
		res, err := x.config.List(opts)
		if err != nil {
			return nil, err
		}
		out = append(out, names(res.Keys, prefix)...)
		if res.ListComplete {
			return out, nil
		}
		opts.Cursor = res.Cursor
	}
	return out, nil
}

// AllAvailabilityKeys returns every cached availability key, for the cron
// job that prunes sections no longer offered.
func (x *SectionIndex) AllAvailabilityKeys() ([]string, error) {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "avail:"}
	var out []string
	for {
		res, err := x.seats.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		out = append(out, names(res.Keys, "avail:")...)
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return out, nil
}

// Prune deletes cached availability for sections not in the term.
func (x *SectionIndex) Prune(term string) error {
	keep, err := x.TermSections(term)
	if err != nil {
		return err
	}
	offered := make(map[string]bool, len(keep))
	for _, id := range keep {
		offered[id] = true
	}
	cached, err := x.AllAvailabilityKeys()
	if err != nil {
		return err
	}
	for _, id := range cached {
		if !offered[id] {
			if err := x.seats.Delete("avail:" + id); err != nil {
				return err
			}
		}
	}
	return nil
}
