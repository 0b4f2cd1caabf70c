package kvlimits

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"

	"kvlint.test/cfv6/records"
)

// A record that names its own key, saved by a generic Save of another
// package: the key is reported where the record's method returns it.

type rootManifest struct{ Files []string }

func (rootManifest) Key() string        { return "." } // want `KV refuses the key "\."`
func (rootManifest) TTL() time.Duration { return time.Hour }

func saveManifest(ctx context.Context, client *cloudflare.Client, files []string) error {
	return records.Save(ctx, client, rootManifest{Files: files})
}

// Quiet: a record under a key of its own.
type exportRun struct{ ID string }

func (r exportRun) Key() string      { return "export:" + r.ID }
func (exportRun) TTL() time.Duration { return time.Hour }

func saveRun(ctx context.Context, client *cloudflare.Client, id string) error {
	return records.Save(ctx, client, exportRun{ID: id})
}
