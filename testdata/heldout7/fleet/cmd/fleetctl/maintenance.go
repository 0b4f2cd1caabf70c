package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// maintenanceOn shows a short maintenance notice to a tenant's devices while
// an operator restarts its gateway.
func maintenanceOn(ctx context.Context, e *env, args []string) error {
	if err := need(args, 2, "maintenance on <tenant> <message>"); err != nil {
		return err
	}
	pairs := []*cloudflare.WorkersKVPair{{
		Key:           "maint:" + args[0],
		Value:         strings.Join(args[1:], " "),
		ExpirationTTL: 30, // EXPECT kvttl
	}}
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: pairs})
	return err
}

// maintenanceWindow announces a planned maintenance window for the next hour.
func maintenanceWindow(ctx context.Context, e *env, args []string) error {
	if err := need(args, 2, "maintenance window <tenant> <message>"); err != nil {
		return err
	}
	pairs := []*cloudflare.WorkersKVPair{{
		Key:           "maint-window:" + args[0],
		Value:         strings.Join(args[1:], " "),
		ExpirationTTL: 3600,
	}}
	return e.kv.WriteBatch(ctx, pairs)
}

// announce publishes a fleet-wide banner for the next two hours.
func announce(ctx context.Context, e *env, args []string) error {
	if err := need(args, 1, "announce <message>"); err != nil {
		return err
	}
	pair := &cloudflare.WorkersKVPair{
		Key:        "announce:banner",
		Value:      strings.Join(args, " "),
		Expiration: int(time.Now().Add(2 * time.Hour).UnixMilli()), // EXPECT kvttl
		Metadata:   map[string]string{"by": "fleetctl"},
	}
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}

// rolloutRamp moves a lab rollout through the given percentages.
func rolloutRamp(ctx context.Context, e *env, args []string) error {
	if err := need(args, 3, "rollout ramp <model> <firmware> <pct,pct,...>"); err != nil {
		return err
	}
	model, firmware := args[0], args[1]
	for _, s := range strings.Split(args[2], ",") {
		pct, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		plan := fmt.Sprintf(`{"model":%q,"firmware":%q,"percent":%d,"updated_at":%q}`, model, firmware, pct, time.Now().UTC().Format(time.RFC3339))
		if err := e.kv.Write(ctx, "rollout:"+model, []byte(plan)); err != nil { // EXPECT kvhotkey
			return err
		}
		fmt.Printf("%s: %s at %d%%\n", model, firmware, pct)
	}
	return nil
}
