package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudflare/cloudflare-go"

	"github.com/condor-hosting/condor/internal/edgekv"
	"github.com/condor-hosting/condor/internal/keys"
)

// hostShards is the number of shard placeholders the router consults before
// it falls back to a full host lookup.
const hostShards = 1 << 14

// keySpaceDoc is attached as metadata to the schema marker so anyone listing
// the namespace in the dashboard can see what lives where.
const keySpaceDoc = "site:<host> site record (origin, suspended, generation), written by the site controller; " +
	"route:<host><escaped path prefix> route record (upstream, headers, weight), one per Route; " +
	"redir:<host><path> redirect record (target, status), temporary redirects expire; " +
	"maint:<host> maintenance record while a window is open, expires at the window end; " +
	"maint-page:<host> maintenance page HTML; maint-upcoming:<host> banner before a window opens; " +
	"preview:<preview host> preview record, expires with the preview; " +
	"preview-token:<token> share token of a protected preview; psess:<preview host>:<id> password sessions; " +
	"domain-verify:<host> ownership challenge token; host-claim:<host> owning CustomDomain; " +
	"host:<host> verified customer host mapping; tls:<host> certificate state; " +
	"tls-renew:<host> present while a certificate is not yet due for renewal; tls-tenant:<tenant> summary; " +
	"magic:<code> and oauth-state:<state> preview sign-in flows, written by the router Worker; " +
	"meta:* operator bookkeeping; stats:* dashboards; host-shard:<hex> shard placeholders. " +
	"Owners: platform-edge team. Runbook: https://runbooks.condor.internal/edge/kv-layout"

const schemaVersion = "2024-11-v3"

// probe checks that the token can read the namespace before the manager
// starts, so a bad token fails the rollout instead of every reconcile.
func probe(ctx context.Context, store *edgekv.Store) error {
	_, err := store.API().ListWorkersKVKeys(ctx, store.Account(), cloudflare.ListWorkersKVsParams{
		NamespaceID: store.NamespaceID(),
		Limit:       1, // EXPECT kvlimits
	})
	if err != nil {
		return fmt.Errorf("probing KV namespace %s: %w", store.NamespaceID(), err)
	}
	return nil
}

// bootstrap writes the schema marker and, on a fresh namespace, the shard
// placeholders.
func bootstrap(ctx context.Context, store *edgekv.Store) error {
	api, account, nsID := store.API(), store.Account(), store.NamespaceID()

	current, err := store.Get(ctx, "meta:schema")
	switch {
	case err == nil && string(current) == schemaVersion:
		return nil
	case err != nil && !errors.Is(err, edgekv.ErrNotFound):
		return err
	}

	_, err = api.WriteWorkersKVEntries(ctx, account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: nsID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:      "meta:schema",
			Value:    schemaVersion,
			Metadata: map[string]string{"layout": keySpaceDoc, "version": schemaVersion}, // EXPECT kvlimits
		}},
	})
	if err != nil {
		return err
	}

	shards := make([]*cloudflare.WorkersKVPair, 0, hostShards)
	for i := range hostShards {
		shards = append(shards, &cloudflare.WorkersKVPair{Key: keys.HostShard(i), Value: "{}"})
	}
	_, err = api.WriteWorkersKVEntries(ctx, account, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvlimits
		NamespaceID: nsID,
		KVs:         shards,
	})
	return err
}

// dumpKeys prints the first keys under prefix; used by --dump-keys.
func dumpKeys(ctx context.Context, store *edgekv.Store, prefix string) error {
	resp, err := store.API().ListWorkersKVKeys(ctx, store.Account(), cloudflare.ListWorkersKVsParams{
		NamespaceID: store.NamespaceID(),
		Prefix:      prefix,
		Limit:       5000, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range resp.Result {
		fmt.Println(k.Name, k.Expiration)
	}
	if resp.Cursor != "" {
		fmt.Printf("... more keys; resume with --cursor=%s\n", resp.Cursor)
	}
	return nil
}
