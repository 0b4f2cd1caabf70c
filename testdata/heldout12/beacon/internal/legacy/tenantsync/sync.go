// Package tenantsync copies tenant records from the control plane into the
// tenants namespace every few minutes. It predates the v5 client and still
// uses the older cloudflare-go API.
package tenantsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/legacy/lkv"
)

// Tenant is the control plane's view of a customer.
type Tenant struct {
	ID, Name, APNsKeyID, FCMSenderID string
	Suspended                        bool
}

// ControlPlane is the accounts and billing service.
type ControlPlane interface {
	Tenants(ctx context.Context) ([]Tenant, error)
	SendsSince(ctx context.Context, tenantID string, since time.Time) (int, error)
	RevokedAPIKeys(ctx context.Context, since time.Time) ([]string, error)
}

// Flags are switches kept in KV by the old admin tool.
type Flags struct {
	SkipSuspended bool `json:"skip_suspended"`
	RollupUsage   bool `json:"rollup_usage"`
}

// Job is one sync run.
type Job struct {
	Conn    *lkv.Conn
	Source  ControlPlane
	Now     func() time.Time
	LastRun time.Time
}

var builtinDefaults = map[string]any{"default_topic": "news"}

func (j *Job) get(ctx context.Context, key string) ([]byte, error) {
	return j.Conn.API.GetWorkersKV(ctx, j.Conn.Account, cf.GetWorkersKVParams{NamespaceID: j.Conn.NamespaceID, Key: key})
}

// Run syncs every tenant.
func (j *Job) Run(ctx context.Context) error {
	val, _ := j.Conn.API.GetWorkersKV(ctx, j.Conn.Account, cf.GetWorkersKVParams{ // EXPECT kvnull
		NamespaceID: j.Conn.NamespaceID,
		Key:         "config:flags",
	})
	var flags Flags
	if err := json.Unmarshal(val, &flags); err != nil {
		return fmt.Errorf("tenantsync: flags: %w", err)
	}
	defaults, err := j.defaults(ctx)
	if err != nil {
		return err
	}
	tenants, err := j.Source.Tenants(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range tenants {
		if t.Suspended && flags.SkipSuspended {
			continue
		}
		if err := j.mergeSettings(ctx, t, defaults); err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: %w", t.ID, err))
			continue
		}
		if flags.RollupUsage {
			errs = append(errs, j.rollupUsage(ctx, t))
		}
		_, err := j.Conn.API.WriteWorkersKVEntry(ctx, j.Conn.Account, cf.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: j.Conn.NamespaceID,
			Key:         consts.KeyLegacyLastSync,
			Value:       []byte(t.ID + " " + j.Now().UTC().Format(time.RFC3339)),
		})
		if err != nil {
			slog.Warn("tenantsync: progress", "err", err)
		}
	}
	errs = append(errs, j.revoke(ctx))
	j.LastRun = j.Now()
	return errors.Join(errs...)
}

func (j *Job) defaults(ctx context.Context) (map[string]any, error) {
	val, err := j.get(ctx, "config:tenant_defaults")
	if err != nil {
		return nil, fmt.Errorf("tenantsync: defaults: %w", err)
	}
	if val == nil { // EXPECT kvnull
		return builtinDefaults, nil
	}
	out := map[string]any{}
	return out, json.Unmarshal(val, &out)
}

// mergeSettings overlays the control plane's fields on the stored settings,
// keeping fields that were set from the console (labels, default topic).
func (j *Job) mergeSettings(ctx context.Context, t Tenant, defaults map[string]any) error {
	key := consts.PrefixTenant.Key(t.ID, "settings")
	cur := map[string]any{}
	raw, err := j.get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &cur); err != nil {
			return err
		}
	case !lkv.IsNotFound(err):
		return err
	}
	for k, v := range defaults {
		if _, ok := cur[k]; !ok {
			cur[k] = v
		}
	}
	cur["tenant"], cur["name"], cur["suspended"] = t.ID, t.Name, t.Suspended
	cur["apns_key_id"], cur["fcm_sender_id"] = t.APNsKeyID, t.FCMSenderID
	body, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	_, err = j.Conn.API.WriteWorkersKVEntry(ctx, j.Conn.Account, cf.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: j.Conn.NamespaceID,
		Key:         key,
		Value:       body,
	})
	return err
}

// rollupUsage adds the sends since the last run to the tenant's monthly
// usage, which the billing export reads.
func (j *Job) rollupUsage(ctx context.Context, t Tenant) error {
	delta, err := j.Source.SendsSince(ctx, t.ID, j.LastRun)
	if err != nil || delta == 0 {
		return err
	}
	key := fmt.Sprintf("usage:%s:%s", t.ID, j.Now().UTC().Format("200601"))
	used := 0
	raw, err := j.get(ctx, key)
	if err == nil {
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	} else if !lkv.IsNotFound(err) {
		return err
	}
	_, err = j.Conn.API.WriteWorkersKVEntry(ctx, j.Conn.Account, cf.WriteWorkersKVEntryParams{ // EXPECT kvcounter|kvrace
		NamespaceID: j.Conn.NamespaceID,
		Key:         key,
		Value:       []byte(strconv.Itoa(used + delta)),
	})
	return err
}

// revoke publishes console API keys revoked since the last run. The API
// gateway refuses any key found under "revoked:".
func (j *Job) revoke(ctx context.Context) error {
	ids, err := j.Source.RevokedAPIKeys(ctx, j.LastRun)
	if err != nil || len(ids) == 0 {
		return err
	}
	pairs := make([]*cf.WorkersKVPair, 0, len(ids))
	for _, id := range ids {
		pairs = append(pairs, &cf.WorkersKVPair{
			Key:           "revoked:" + id,
			Value:         j.Now().UTC().Format(time.RFC3339),
			ExpirationTTL: int((90 * 24 * time.Hour).Seconds()),
		})
	}
	_, err = j.Conn.API.WriteWorkersKVEntries(ctx, j.Conn.Account, cf.WriteWorkersKVEntriesParams{ // EXPECT kvsession
		NamespaceID: j.Conn.NamespaceID,
		KVs:         pairs,
	})
	return err
}
