package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/trogon-edge/trogon/internal/site"
)

// PruneBudget bounds one prune run; the next deploy continues where this
// one stopped because the listing starts over from the beginning.
type PruneBudget struct {
	Pages    int
	PageSize int
}

// DefaultPruneBudget covers 20,000 assets per deploy.
var DefaultPruneBudget = PruneBudget{Pages: 20, PageSize: 1000}

// Prune deletes the site's assets that the manifest does not reference.
func (d *Deployer) Prune(ctx context.Context, keep site.Manifest, budget PruneBudget) (int, error) {
	live := make(map[string]bool, len(keep.Files))
	for _, e := range keep.Files {
		live[e.Key] = true
	}
	prefix := site.PrefixAsset + d.SiteID + "/"
	var stale []string
	cursor := ""
	for page := 0; page < budget.Pages; page++ {
		keys, next, err := d.Store.Page(ctx, prefix, cursor, budget.PageSize)
		if err != nil {
			return 0, err
		}
		for _, k := range keys {
			if !live[k.Name] {
				stale = append(stale, k.Name)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(stale) == 0 {
		return 0, nil
	}
	return len(stale), d.Store.BulkDelete(ctx, stale)
}

// ApplyRedirectFiles reads every _redirects file in the tree (Netlify
// format: "from to [status]") and publishes the rules.
func (d *Deployer) ApplyRedirectFiles(ctx context.Context, fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || de.Name() != "_redirects" {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		base := "/" + strings.TrimSuffix(strings.TrimSuffix(p, "_redirects"), "/")
		var rules []site.Redirect
		for line := range strings.Lines(string(data)) {
			f := strings.Fields(line)
			if len(f) < 2 || strings.HasPrefix(f[0], "#") {
				continue
			}
			r := site.Redirect{From: strings.TrimSuffix(base, "/") + f[0], To: f[1], Status: 301}
			if len(f) > 2 {
				if n, err := strconv.Atoi(f[2]); err == nil {
					r.Status = n
				}
			}
			rules = append(rules, r)
		}
		body, err := json.Marshal(rules)
		if err != nil {
			return err
		}
		if err := d.Store.Put(ctx, site.RedirectsKey(d.SiteID), string(body), 0); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("%s: %w", p, err)
		}
		return nil
	})
}

// MarkPurge asks the Worker to bypass its edge cache for a while after a
// deploy so visitors see the new files.
func (d *Deployer) MarkPurge(ctx context.Context, window time.Duration) error {
	return d.Store.Put(ctx, "purge/"+d.SiteID, time.Now().UTC().Format(time.RFC3339), window)
}
