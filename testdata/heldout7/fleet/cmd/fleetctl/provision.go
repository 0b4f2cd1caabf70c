package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"

	"github.com/cloudflare/cloudflare-go"
)

// labSlots is the number of device slots in the hardware-in-the-loop lab.
const labSlots = 12000

// provisionLab pre-creates a device record for every lab slot so lab devices
// can boot without enrolment.
func provisionLab(ctx context.Context, e *env, args []string) error {
	if err := need(args, 1, "provision lab <rack-prefix>"); err != nil {
		return err
	}
	pairs := make([]*cloudflare.WorkersKVPair, 0, labSlots)
	for i := 0; i < labSlots; i++ {
		id := fmt.Sprintf("lab-%s-%05d", args[0], i)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:   "device:" + id,
			Value: fmt.Sprintf(`{"id":%q,"tenant":"lab","model":"hil"}`, id),
		})
	}
	_, err := e.api.WriteWorkersKVEntries(ctx, e.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: e.ns, KVs: pairs}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	fmt.Println("provisioned", len(pairs), "lab devices")
	return nil
}

// provisionCodes creates n enrolment codes for a tenant's factory run and
// prints them, one per line.
func provisionCodes(ctx context.Context, e *env, args []string) error {
	if err := need(args, 2, "provision codes <tenant> <n>"); err != nil {
		return err
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 1 {
		return fmt.Errorf("bad count %q", args[1])
	}
	pairs := make([]*cloudflare.WorkersKVPair, 0, n)
	codes := make([]string, 0, n)
	for range n {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		code := strings.TrimRight(base32.StdEncoding.EncodeToString(b), "=")
		codes = append(codes, code)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "enroll:code:" + code,
			Value:         fmt.Sprintf(`{"tenant":%q,"created_by":"fleetctl"}`, args[0]),
			ExpirationTTL: 7 * 24 * 3600,
		})
	}
	if err := e.kv.WriteBatch(ctx, pairs); err != nil {
		return err
	}
	fmt.Println(strings.Join(codes, "\n"))
	return nil
}
