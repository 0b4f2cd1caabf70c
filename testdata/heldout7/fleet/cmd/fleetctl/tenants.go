package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/cloudflare/cloudflare-go"

	"example.com/fleet/internal/legacykv"
)

// quotaGrant raises a tenant's contracted device allowance by n.
func quotaGrant(ctx context.Context, e *env, args []string) error {
	if err := need(args, 2, "quota grant <tenant> <devices>"); err != nil {
		return err
	}
	extra, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	key := "allowance:" + args[0]
	current := 0
	b, err := e.kv.Read(ctx, key)
	switch {
	case legacykv.IsNotFound(err):
	case err != nil:
		return err
	default:
		if current, err = strconv.Atoi(string(b)); err != nil {
			return fmt.Errorf("allowance for %s is not a number: %q", args[0], b)
		}
	}
	if err := e.kv.Write(ctx, key, []byte(strconv.Itoa(current+extra))); err != nil { // EXPECT kvcounter
		return err
	}
	fmt.Printf("%s: %d -> %d devices\n", args[0], current, current+extra)
	return nil
}

// quotaSetPlan records the plan limits the operator picked for a tenant.
func quotaSetPlan(ctx context.Context, e *env, args []string) error {
	if err := need(args, 4, "quota set-plan <tenant> <plan> <max-devices> <max-msgs>"); err != nil {
		return err
	}
	maxDev, err := strconv.Atoi(args[2])
	if err != nil {
		return err
	}
	maxMsgs, err := strconv.Atoi(args[3])
	if err != nil {
		return err
	}
	b, _ := json.Marshal(map[string]any{"plan": args[1], "max_devices": maxDev, "max_msgs_per_day": maxMsgs})
	return e.kv.Write(ctx, "limits:"+args[0], b)
}

// tagAdd appends a tag to the device's comma-separated tag list.
func tagAdd(ctx context.Context, e *env, args []string) error {
	if err := need(args, 2, "tag add <device> <tag>"); err != nil {
		return err
	}
	key := "tags:" + args[0]
	old, err := e.kv.Read(ctx, key)
	if err != nil && !legacykv.IsNotFound(err) {
		return err
	}
	tags := string(old)
	for _, t := range strings.Split(tags, ",") {
		if t == args[1] {
			return nil
		}
	}
	if tags != "" {
		tags += ","
	}
	return e.kv.Write(ctx, key, []byte(tags+args[1])) // EXPECT kvrace
}

// tenantClaim reserves a vanity slug (used in the device portal URL) for a
// tenant.
func tenantClaim(ctx context.Context, e *env, args []string) error {
	if err := need(args, 2, "tenant claim <slug> <tenant>"); err != nil {
		return err
	}
	key := "slug:" + strings.ToLower(args[0])
	owner, err := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: key})
	if err == nil {
		return fmt.Errorf("slug %s already belongs to %s", args[0], owner)
	}
	if !legacykv.IsNotFound(err) {
		return err
	}
	_, err = e.api.WriteWorkersKVEntry(ctx, e.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: e.ns, Key: key, Value: []byte(args[1])}) // EXPECT kvrace
	return err
}
