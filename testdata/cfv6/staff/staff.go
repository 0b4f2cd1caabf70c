// Package staff deletes what it lists under a prefix whose builder names it.
package staff

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// staffSessionPrefix is where one staff member's sessions are kept; its
// text abbreviates what its name says.
func staffSessionPrefix(tenant, staffID string) string {
	return tenant + "/ss/" + staffID + "/"
}

func staffProfilePrefix(tenant, staffID string) string {
	return tenant + "/sp/" + staffID + "/"
}

// A staff member removed: each key listed under the prefix the builder
// names is deleted, and stays valid elsewhere for a while.
func removeStaff(ctx context.Context, client *cloudflare.Client, tenant, staffID string) error { // want removeStaff:"kvsession"
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, "ns", kv.NamespaceKeyListParams{
		AccountID: cloudflare.F("acct"),
		Prefix:    cloudflare.F(staffSessionPrefix(tenant, staffID)),
	})
	for iter.Next() {
		k := iter.Current()
		if _, err := client.KV.Namespaces.Values.Delete(ctx, "ns", k.Name, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F("acct")}); err != nil { // want `A session revoked or consumed`
			return err
		}
	}
	return iter.Err()
}

// Quiet: the keys listed are a staff member's profile entries.
func removeStaffProfile(ctx context.Context, client *cloudflare.Client, tenant, staffID string) error {
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, "ns", kv.NamespaceKeyListParams{
		AccountID: cloudflare.F("acct"),
		Prefix:    cloudflare.F(staffProfilePrefix(tenant, staffID)),
	})
	for iter.Next() {
		k := iter.Current()
		if _, err := client.KV.Namespaces.Values.Delete(ctx, "ns", k.Name, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F("acct")}); err != nil {
			return err
		}
	}
	return iter.Err()
}
