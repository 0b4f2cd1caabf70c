package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/fleet/internal/keys"
)

// slotCount is the size of the provisioning slot table: one slot per
// factory line position (48 lines x 256 positions).
const slotCount = 48 * 256

// cmdTag appends a tag to the device's comma-separated tag list.
func cmdTag(ctx context.Context, e *env, args []string) error {
	if err := need(args, 2, "DEVICE TAG"); err != nil {
		return err
	}
	key := "tags:" + args[0]
	current, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: key})
	var nf *cloudflare.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return err
	}
	tags := string(current)
	if tags != "" {
		tags += ","
	}
	tags += args[1]
	_, err = e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: key, Value: []byte(tags)}) // EXPECT kvrace
	return err
}

// cmdRevokeSession ends an operator session, e.g. for a lost laptop.
func cmdRevokeSession(ctx context.Context, e *env, args []string) error {
	if err := need(args, 1, "ID"); err != nil {
		return err
	}
	_, err := e.api.DeleteWorkersKVEntry(ctx, e.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: e.ns, Key: keys.OperatorSess + args[0]}) // EXPECT kvsession
	return err
}

// cmdSeedSlots creates the empty provisioning slot table in one request.
func cmdSeedSlots(ctx context.Context, e *env, _ []string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, slotCount)
	for i := 0; i < slotCount; i++ {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:   fmt.Sprintf("slot:%02d:%03d", i/256, i%256),
			Value: `{"state":"free"}`,
		})
	}
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: pairs}) // EXPECT kvlimits
	return err
}

// cmdPublish writes a firmware manifest. The license text travels in the
// metadata so the console can show it next to the listing.
func cmdPublish(ctx context.Context, e *env, args []string) error {
	if err := need(args, 4, "CHANNEL VERSION URL SHA256"); err != nil {
		return err
	}
	manifest, _ := json.Marshal(map[string]string{"channel": args[0], "version": args[1], "url": args[2], "sha256": args[3]})
	pair := &cloudflare.WorkersKVPair{
		Key:      keys.New("fw").Add(args[0], "manifest").String(),
		Value:    string(manifest),
		Metadata: map[string]string{"version": args[1], "license": firmwareLicense}, // EXPECT kvlimits
	}
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}

// cmdTrustBootstrap pins the factory root CA.
func cmdTrustBootstrap(ctx context.Context, e *env, _ []string) error {
	_, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: e.ns,
		Key:         "trust:" + factoryRootPEM, // EXPECT kvlimits
		Value:       []byte(`{"pinned_by":"bootstrap"}`),
	})
	return err
}

// cmdTrustAdd pins a CA from a file, keyed by its fingerprint.
func cmdTrustAdd(ctx context.Context, e *env, args []string) error {
	if err := need(args, 1, "FILE"); err != nil {
		return err
	}
	pem, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	sum := sha256.Sum256(pem)
	_, err = e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: e.ns,
		Key:         "trust:sha256:" + hex.EncodeToString(sum[:]),
		Value:       pem,
	})
	return err
}

// cmdExportLink publishes a short-lived download link for a finished export.
func cmdExportLink(ctx context.Context, e *env, args []string) error {
	if err := need(args, 2, "JOB URL"); err != nil {
		return err
	}
	pair := &cloudflare.WorkersKVPair{
		Key:           keys.ExportJob + args[0] + ":link",
		Value:         args[1],
		ExpirationTTL: int(e.cfg.ExportLinkTTL), // EXPECT kvttl
	}
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}

// cmdPause pauses rollouts for the given groups; fleetd checks the paused
// list before each batch.
func cmdPause(ctx context.Context, e *env, args []string) error {
	var paused []string
	for _, g := range args {
		paused = append(paused, g)
		b, _ := json.Marshal(map[string]any{"groups": paused, "at": time.Now().UTC()})
		if _, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: "rollouts/paused", Value: b}); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("pause %s: %w", g, err)
		}
		fmt.Println("paused", g)
	}
	return nil
}

var defaultAlertRules = map[string]string{
	"offline-spike": `{"id":"offline-spike","metric":"offline_ratio","above":true,"threshold":0.05,"severity":"page"}`,
	"overheat":      `{"id":"overheat","metric":"temp_c","above":true,"threshold":85,"severity":"page"}`,
	"low-battery":   `{"id":"low-battery","metric":"battery_pct","threshold":10,"severity":"ticket"}`,
}

// cmdEnsureAlerts installs any default rule that is not there yet, without
// touching rules operators have tuned.
func cmdEnsureAlerts(ctx context.Context, e *env, _ []string) error {
	for id, rule := range defaultAlertRules {
		key := keys.AlertRule + id
		if _, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: key}); err != nil { // EXPECT kvnull
			if _, err := e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: key, Value: []byte(rule)}); err != nil {
				return err
			}
			fmt.Println("installed", id)
		}
	}
	return nil
}

// cmdAdopt creates a registry record for a device flashed before the
// registry existed.
func cmdAdopt(ctx context.Context, e *env, args []string) error {
	if err := need(args, 2, "DEVICE SERIAL"); err != nil {
		return err
	}
	key := keys.Device + args[0]
	_, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		return fmt.Errorf("device %s already registered", args[0])
	case !errors.As(err, &nf):
		return err
	}
	rec, _ := json.Marshal(map[string]any{"id": args[0], "serial": args[1], "registered_at": time.Now().UTC(), "adopted": true})
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(rec),
		ExpirationTTL: int((365 * 24 * time.Hour).Seconds()),
		Metadata:      map[string]string{"serial": args[1]},
	}
	_, err = e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: []*cloudflare.WorkersKVPair{pair}}) // EXPECT kvrace
	return err
}
