package flags

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
	"example.com/flagship/internal/uow"
)

// Manifest lists the flags served in an environment. Edge SDKs read it first
// and then fetch the flags they need.
type Manifest struct {
	Env       string    `json:"env"`
	Flags     []string  `json:"flags"`
	Version   int       `json:"version"`
	Published time.Time `json:"published"`
}

// archivedNotice is shown by the edge SDK debug overlay for archived flags.
// The SDK reads it from list metadata, so it travels with the key.
const archivedNotice = `This flag has been archived and is no longer evaluated. ` +
	`Archived flags always serve their default variant. Requests for this flag are ` +
	`answered from the last published definition until the edge cache expires, after ` +
	`which the SDK falls back to the compiled-in default supplied by the caller. ` +
	`If you are seeing this notice in production, the calling code still references ` +
	`the flag and should be cleaned up: remove the flag check, keep the branch that ` +
	`matches the default variant, and delete any experiment bookkeeping that depends ` +
	`on it. Archived flags are kept for ninety days so that audit history and ` +
	`evaluation exports can still resolve their variants; after that they are purged ` +
	`by the retention job together with their rollout history. To restore an archived ` +
	`flag, use "flagctl restore <env> <key>" within the retention window; restoring ` +
	`creates a new version and does not bring back old rollout weights automatically. ` +
	`Questions about flag lifecycle policy go to the platform team channel, and ` +
	`requests to extend retention for compliance reasons need sign-off from the data ` +
	`protection office before the purge date shown in the console. See the runbook ` +
	`section "Flag lifecycle" for the full procedure.`

type flagMeta struct {
	Enabled bool   `json:"enabled"`
	Owner   string `json:"owner,omitempty"`
	Notice  string `json:"notice,omitempty"`
}

// Publish writes each flag of env and keeps the manifest in step, so a
// publish that fails half-way leaves a manifest naming only written flags.
func Publish(ctx context.Context, kv storage.Store, env string, defs []Flag, version int) error {
	m := Manifest{Env: env, Version: version}
	for _, f := range defs {
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		key := kvkey.Flag(env, f.Key).String()
		if f.Archived {
			err = kv.Put(ctx, key, b, storage.WithMetadata(flagMeta{Owner: f.Owner, Notice: archivedNotice})) // EXPECT kvlimits
		} else {
			err = kv.Put(ctx, key, b, storage.WithMetadata(flagMeta{Enabled: f.Enabled, Owner: f.Owner}))
		}
		if err != nil {
			return fmt.Errorf("publish %s: %w", f.Key, err)
		}
		m.Flags, m.Published = append(m.Flags, f.Key), time.Now().UTC()
		mb, _ := json.Marshal(m)
		if err := kv.Put(ctx, kvkey.EnvManifest(env).String(), mb); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("publish manifest: %w", err)
		}
	}
	return nil
}

// PublishBatch stages every flag and the manifest in one unit of work and
// commits them with the bulk API.
func PublishBatch(ctx context.Context, w storage.BulkWriter, env string, defs []Flag, version int) error {
	work := uow.New(w)
	m := Manifest{Env: env, Version: version, Published: time.Now().UTC()}
	for _, f := range defs {
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		work.Stage(kvkey.Flag(env, f.Key).String(), b, 0, flagMeta{Enabled: f.Enabled, Owner: f.Owner})
		m.Flags = append(m.Flags, f.Key)
	}
	mb, err := json.Marshal(m)
	if err != nil {
		return err
	}
	work.Stage(kvkey.EnvManifest(env).String(), mb, 0, nil)
	return work.Commit(ctx)
}
